/**
 * The project's wasm kernels against the cpu backend's, and without leaks: tensors (engine) and
 * data ids (wasm heap) are counted before and after repeated calls.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '../../src/engine/backend';
import { assertClose, assertNoLeaks, convCases, on, seeded } from './support/backend-compare';

function wasmDataIds(): number {
  return (tf.engine().findBackend('wasm') as BackendWasm).numDataIds();
}

describe('wasm Conv2DBackpropFilter', () => {
  before(async () => {
    await initBackend('wasm', { accelerator: 'off' });
  });

  const cases = [...convCases(), { x: [2, 8, 8, 4], filter: [2, 2, 4, 6], stride: 2, pad: 'valid' as const }];

  for (const c of cases) {
    it(`x ${c.x.join('x')}, filter ${c.filter.join('x')}, stride ${c.stride}, pad ${c.pad}`, async () => {
      const gradient = () => {
        const x = seeded(c.x, 1) as tf.Tensor4D;
        const w = seeded(c.filter, 2) as tf.Tensor4D;
        const probe = seeded(tf.conv2d(x, w, c.stride, c.pad).shape, 3);
        return tf.grad((f: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, f as tf.Tensor4D, c.stride, c.pad), probe)))(w);
      };
      assertClose(await on('wasm', gradient), await on('cpu', gradient), 'filter gradient');
    });
  }

  it('gives the filter gradient of a stride-2 transposed convolution', async () => {
    const gradient = () => {
      const x = seeded([2, 5, 5, 6], 4) as tf.Tensor4D;
      const w = seeded([2, 2, 3, 6], 5) as tf.Tensor4D;
      const probe = seeded([2, 10, 10, 3], 6);
      return tf.grad((f: tf.Tensor) => tf.sum(tf.mul(tf.conv2dTranspose(x, f as tf.Tensor4D, [2, 10, 10, 3], 2, 'same'), probe)))(w);
    };
    assertClose(await on('wasm', gradient), await on('cpu', gradient), 'transposed filter gradient');
  });

  it('leaks neither tensors nor wasm memory over repeated calls', async () => {
    await tf.setBackend('wasm');
    const x = seeded([2, 9, 9, 3], 1) as tf.Tensor4D;
    const w = seeded([3, 3, 3, 4], 2) as tf.Tensor4D;
    const step = () => tf.tidy(() => tf.grad((f: tf.Tensor) => tf.sum(tf.conv2d(x, f as tf.Tensor4D, 2, 'valid')))(w)).dispose();
    assertNoLeaks(step, 20);
    x.dispose();
    w.dispose();
  });
});

describe('wasm Conv2DBackpropInput (XNNPACK replacement)', () => {
  before(async () => {
    await initBackend('wasm', { accelerator: 'off' });
  });

  const cases = [...convCases(), { x: [2, 9, 9, 3], filter: [3, 3, 3, 2], stride: 3, pad: 'valid' as const }];

  for (const c of cases) {
    it(`x ${c.x.join('x')}, filter ${c.filter.join('x')}, stride ${c.stride}, pad ${c.pad}`, async () => {
      const gradient = () => {
        const x = seeded(c.x, 1) as tf.Tensor4D;
        const w = seeded(c.filter, 2) as tf.Tensor4D;
        const probe = seeded(tf.conv2d(x, w, c.stride, c.pad).shape, 3);
        return tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(t as tf.Tensor4D, w, c.stride, c.pad), probe)))(x);
      };
      assertClose(await on('wasm', gradient), await on('cpu', gradient), 'input gradient');
    });
  }

  for (const [size, kernel, stride, pad] of [
    [5, 2, 2, 'same'],
    [6, 2, 2, 'valid'],
    [5, 3, 2, 'same'],
    [4, 3, 1, 'same'],
  ] as const) {
    it(`runs a transposed convolution forward: ${size}x${size}, kernel ${kernel}, stride ${stride}, ${pad}`, async () => {
      const out = stride * size + (pad === 'valid' ? Math.max(kernel - stride, 0) : 0);
      const transposed = () => tf.conv2dTranspose(seeded([2, size, size, 6], 4) as tf.Tensor4D, seeded([kernel, kernel, 3, 6], 5) as tf.Tensor4D, [2, out, out, 3], stride, pad);
      assertClose(await on('wasm', transposed), await on('cpu', transposed), 'conv2dTranspose');
    });
  }

  it('leaks nothing in the tiled path of the up-sampling transposed convolution', async () => {
    await tf.setBackend('wasm');
    const x = seeded([2, 4, 4, 6], 1) as tf.Tensor4D;
    const w = seeded([2, 2, 3, 6], 2) as tf.Tensor4D;
    const step = () => tf.tidy(() => tf.conv2dTranspose(x, w, [2, 8, 8, 3], 2, 'same')).dispose();
    assertNoLeaks(step, 20);
    tf.dispose([x, w]);
  });

  it('leaks neither tensors nor wasm memory over repeated calls', async () => {
    await tf.setBackend('wasm');
    const x = seeded([2, 9, 9, 3], 1) as tf.Tensor4D;
    const w = seeded([3, 3, 3, 4], 2) as tf.Tensor4D;
    const step = () => tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.conv2d(t as tf.Tensor4D, w, 2, 'same')))(x)).dispose();
    assertNoLeaks(step, 20);
    x.dispose();
    w.dispose();
  });
});

describe('wasm kernels borrowed from the cpu backend', () => {
  before(async () => {
    await initBackend('wasm', { accelerator: 'off' });
  });

  it('gathers with a gradient (UnsortedSegmentSum) like cpu', async () => {
    const gradient = () => {
      const x = seeded([5, 4, 3], 7);
      const probe = seeded([5, 6, 3], 8);
      return tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, [0, 3, 3, 1, 0, 2], 1), probe)))(x);
    };
    assertClose(await on('wasm', gradient), await on('cpu', gradient), 'gather gradient');
  });

  it('computes depthwise convolution gradients like cpu', async () => {
    const gradients = () => {
      const x = seeded([2, 7, 7, 3], 9) as tf.Tensor4D;
      const w = seeded([3, 3, 3, 2], 10) as tf.Tensor4D;
      const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'))))([x, w]);
      return tf.concat([tf.reshape(dx!, [-1]), tf.reshape(dw!, [-1])]);
    };
    assertClose(await on('wasm', gradients), await on('cpu', gradients), 'depthwise gradients');
  });

  it('takes array inputs (Einsum) and leaks nothing', async () => {
    const product = () => tf.einsum('ij,jk->ik', seeded([3, 4], 11), seeded([4, 2], 12));
    assertClose(await on('wasm', product), await on('cpu', product), 'einsum');
    await tf.setBackend('wasm');
    const tensors = tf.memory().numTensors;
    const dataIds = wasmDataIds();
    const cpuIds = (tf.engine().findBackend('cpu') as unknown as { numDataIds(): number }).numDataIds();
    for (let i = 0; i < 10; i++) tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.gather(t, [1, 1], 0)))(tf.ones([3, 2]))).dispose();
    assert.equal(tf.memory().numTensors, tensors);
    assert.equal(wasmDataIds(), dataIds);
    assert.equal((tf.engine().findBackend('cpu') as unknown as { numDataIds(): number }).numDataIds(), cpuIds);
  });
});

describe('wasm Identity', () => {
  before(async () => {
    await initBackend('wasm', { accelerator: 'off' });
  });

  it('shares data with its input: no copy, and each survives the other being disposed', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const ids = wasmDataIds();
    const y = tf.clone(x);
    assert.equal(wasmDataIds(), ids, 'a clone allocates no wasm data');
    x.dispose();
    assert.deepEqual(Array.from(await y.data()), [1, 2, 3, 4]);
    y.dispose();
    assert.equal(wasmDataIds(), ids - 1, 'the shared data is freed with its last tensor');
  });

  it('keeps a variable and a clone taken before assign() apart', async () => {
    await tf.setBackend('wasm');
    const v = tf.variable(tf.tensor1d([1, 2, 3]));
    const before = tf.clone(v);
    v.assign(tf.tensor1d([7, 8, 9]));
    assert.deepEqual(Array.from(await before.data()), [1, 2, 3]);
    assert.deepEqual(Array.from(await v.data()), [7, 8, 9]);
    tf.dispose([v, before]);
  });
});
