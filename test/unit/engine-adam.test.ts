/**
 * createAdam against tfjs's own Adam: the same variables after several steps (fused kernel on the
 * accelerator, tfjs's code path elsewhere), the same getWeights layout, so checkpoints written by
 * either restore into the other, and no leaks.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/engine/backend';
import { loadAcceleratorAddon } from '../../src/engine/backend/accelerator/addon';
import { hasFusedAdamUpdate } from '../../src/engine/ops/adamUpdate';
import { createAdam } from '../../src/engine/train/adam';
import { assertNoLeaks } from './support/backend-compare';

const load = loadAcceleratorAddon();

/** Trains a tiny least-squares model for `steps` steps and returns its variables' values. */
async function train(optimizer: tf.Optimizer, steps: number): Promise<{ values: Float32Array[]; weights: { name: string; values: Float32Array }[] }> {
  const w = tf.variable(tf.randomNormal([6, 3], 0, 1, 'float32', 1), true, `w-${Math.random()}`);
  const b = tf.variable(tf.zeros([3]), true, `b-${Math.random()}`);
  const x = tf.randomNormal([8, 6], 0, 1, 'float32', 2);
  const y = tf.randomNormal([8, 3], 0, 1, 'float32', 3);
  for (let i = 0; i < steps; i++) {
    optimizer.minimize(() => tf.mean(tf.square(tf.sub(tf.add(tf.matMul(x, w), b), y))) as tf.Scalar);
  }
  const values = [(await w.data()) as Float32Array, (await b.data()) as Float32Array];
  const weights = await Promise.all((await optimizer.getWeights()).map(async (n) => ({ name: n.name.replace(/^[wb]-[0-9.]+/, (m) => m[0]!), values: (await n.tensor.data()) as Float32Array })));
  tf.dispose([w, b, x, y]);
  return { values, weights };
}

function assertClose(actual: Float32Array[], expected: Float32Array[], tolerance: number, label: string): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) => {
    const e = expected[i]!;
    assert.equal(a.length, e.length);
    let worst = 0;
    for (let j = 0; j < e.length; j++) worst = Math.max(worst, Math.abs(a[j]! - e[j]!) / Math.max(1, Math.abs(e[j]!)));
    assert.ok(worst <= tolerance, `${label} [${i}]: worst relative difference ${worst}`);
  });
}

describe('createAdam', () => {
  it('is tfjs Adam, bit for bit, on a backend without the fused kernel (cpu)', async () => {
    await initBackend('cpu');
    assert.equal(hasFusedAdamUpdate(tf), false);
    const ours = await train(createAdam(tf, 0.01), 5);
    const stock = await train(tf.train.adam(0.01), 5);
    assertClose(ours.values, stock.values, 0, 'variables');
    assert.deepEqual(
      ours.weights.map((w) => w.name),
      stock.weights.map((w) => w.name),
    );
  });

  it('matches tfjs Adam with the fused kernel on the accelerator, including the optimizer state', { skip: load.ok ? false : `native accelerator unavailable: ${load.ok ? '' : load.why}` }, async () => {
    await initBackend('wasm');
    assert.equal(hasFusedAdamUpdate(tf), true);
    const fused = await train(createAdam(tf, 0.01), 12);
    await initBackend('cpu');
    const stock = await train(tf.train.adam(0.01), 12);
    assertClose(fused.values, stock.values, 1e-5, 'variables');
    assert.deepEqual(
      fused.weights.map((w) => w.name),
      stock.weights.map((w) => w.name),
      'the same getWeights layout (checkpoints)',
    );
    assertClose(
      fused.weights.map((w) => w.values),
      stock.weights.map((w) => w.values),
      1e-5,
      'iterations and moments',
    );
  });

  it('leaks neither tensors nor wasm data over steps', async () => {
    await initBackend('wasm');
    const optimizer = createAdam(tf, 0.01);
    const w = tf.variable(tf.ones([4, 4]));
    assertNoLeaks(() => optimizer.minimize(() => tf.sum(tf.square(w)) as tf.Scalar), 5);
    optimizer.dispose();
    w.dispose();
  });
});
