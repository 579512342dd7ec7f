/**
 * The project's replacement gradients against the same function written with plain ops (whose
 * gradients are tfjs's own), on the cpu and the wasm backends.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/engine/backend';

const EPS = 1e-3;

function seeded(shape: number[], seed: number, mean = 0): tf.Tensor {
  return tf.randomNormal(shape, mean, 1.5, 'float32', seed);
}

/** Training-mode batch norm as the U-Net uses it: batch statistics from moments, then batchNorm. */
function viaBatchNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.batchNorm(x, mean, variance, beta, gamma, EPS);
}

function viaPlainOps(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, EPS))), gamma), beta);
}

async function gradients(f: (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor, shape: number[]): Promise<Float32Array[]> {
  const grads = tf.tidy(() => {
    const x = seeded(shape, 1, 0.7);
    const gamma = seeded([shape[3]!], 2);
    const beta = seeded([shape[3]!], 3);
    const probe = seeded(shape, 4);
    return tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, g, b), probe)))([x, gamma, beta]);
  });
  const values = await Promise.all(grads.map((g) => g.data() as Promise<Float32Array>));
  tf.dispose(grads);
  return values;
}

function assertClose(actual: Float32Array[], expected: Float32Array[], label: string): void {
  ['x', 'scale', 'offset'].forEach((name, k) => {
    let worst = 0;
    for (let i = 0; i < expected[k]!.length; i++) {
      worst = Math.max(worst, Math.abs(actual[k]![i]! - expected[k]![i]!) / Math.max(1, Math.abs(expected[k]![i]!)));
    }
    assert.ok(worst <= 2e-5, `${label}: gradient of ${name} differs by ${worst}`);
  });
}

describe('FusedBatchNorm gradient', () => {
  before(async () => {
    await initBackend('wasm');
  });

  for (const backend of ['cpu', 'wasm']) {
    for (const shape of [
      [2, 5, 7, 3],
      [4, 8, 8, 16],
      [1, 3, 3, 1],
    ]) {
      it(`matches the plain-op formula on ${backend}, ${shape.join('x')}`, async () => {
        await tf.setBackend(backend);
        assertClose(await gradients(viaBatchNorm, shape), await gradients(viaPlainOps, shape), `${backend} ${shape.join('x')}`);
      });
    }
  }

  it('leaks no tensors over repeated steps', async () => {
    await tf.setBackend('wasm');
    const x = seeded([2, 4, 4, 3], 5);
    const gamma = seeded([3], 6);
    const beta = seeded([3], 7);
    // (tf.batchNorm without scale and offset has no gradient in tfjs 4.22 on any backend.)
    const run = () => tf.dispose(tf.tidy(() => tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(viaBatchNorm(a, g, b))))([x, gamma, beta])));
    run();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) run();
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([x, gamma, beta]);
  });
});
