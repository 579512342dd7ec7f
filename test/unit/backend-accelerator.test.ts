/**
 * The oneDNN accelerator's convolutions on the wasm backend against the cpu backend: forward
 * (plain and fused with bias and ReLU), input gradient (and transposed convolutions), filter
 * gradient, over strides, paddings, dilations and odd sizes; no leaks; fallbacks for what it
 * does not take. Skipped, visibly, where the addon was not built (no libdnnl-dev).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/engine/backend';
import { ConvKind, ConvParam, loadAcceleratorAddon } from '../../src/engine/backend/accelerator/addon';
import { acceleratorEnabled } from '../../src/engine/backend/accelerator';
import { assertClose, assertNoLeaks, ConvCase, convCases, on, seeded } from './support/backend-compare';

const load = loadAcceleratorAddon();
const skip = load.ok ? false : `native accelerator unavailable: ${load.why}`;

async function assertSameOnBothBackends(f: () => tf.Tensor, label: string): Promise<void> {
  assertClose(await on('wasm', f), await on('cpu', f), label, 1e-4);
}

describe('native accelerator: oneDNN convolutions on the wasm backend', { skip }, () => {
  before(async () => {
    const selection = await initBackend('wasm');
    assert.match(selection.reason, /native accelerator \(oneDNN \d+\.\d+\.\d+, \d+ threads?(, fewer while other processes hold cores)?\)/);
  });
  after(async () => {
    await tf.setBackend('wasm');
  });

  it('is enabled by initBackend', () => {
    assert.equal(acceleratorEnabled(), true);
  });

  const cases: (ConvCase & { dilation?: number })[] = convCases();
  // Channel counts where oneDNN takes its vectorised paths, at every stride and padding.
  for (const stride of [1, 2]) for (const pad of ['same', 'valid'] as const) cases.push({ x: [3, 8, 8, 16], filter: [3, 3, 16, 32], stride, pad });
  cases.push({ x: [2, 10, 10, 4], filter: [3, 3, 4, 5], stride: 1, pad: 'same', dilation: 2 });
  cases.push({ x: [4, 32, 32, 1], filter: [3, 3, 1, 16], stride: 1, pad: 'same' });

  for (const c of cases) {
    const label = `x ${c.x.join('x')}, filter ${c.filter.join('x')}, stride ${c.stride}, pad ${c.pad}${c.dilation ? `, dilation ${c.dilation}` : ''}`;
    it(`forward, input and filter gradients: ${label}`, async () => {
      const dilation = c.dilation ?? 1;
      const x = () => seeded(c.x, 1) as tf.Tensor4D;
      const w = () => seeded(c.filter, 2) as tf.Tensor4D;
      const conv = (xs: tf.Tensor4D, ws: tf.Tensor4D) => tf.conv2d(xs, ws, c.stride, c.pad, 'NHWC', dilation);
      await assertSameOnBothBackends(() => conv(x(), w()), 'forward');
      // tfjs has no gradient for dilated convolutions.
      if (dilation > 1) return;
      const probe = () => seeded(conv(x(), w()).shape, 3);
      await assertSameOnBothBackends(() => tf.grad((xs: tf.Tensor) => tf.sum(tf.mul(conv(xs as tf.Tensor4D, w()), probe())))(x()), 'input gradient');
      await assertSameOnBothBackends(() => tf.grad((ws: tf.Tensor) => tf.sum(tf.mul(conv(x(), ws as tf.Tensor4D), probe())))(w()), 'filter gradient');
    });
  }

  for (const activation of ['linear', 'relu'] as const) {
    it(`fused convolution with a per-channel bias and ${activation}`, async () => {
      const f = () =>
        tf.fused.conv2d({ x: seeded([2, 12, 12, 8], 4) as tf.Tensor4D, filter: seeded([3, 3, 8, 16], 5) as tf.Tensor4D, strides: 1, pad: 'same', bias: seeded([16], 6), activation });
      await assertSameOnBothBackends(f, `fused ${activation}`);
    });
  }

  it('falls back for what oneDNN kernels do not take (elu, prelu)', async () => {
    const x = () => seeded([1, 6, 6, 3], 7) as tf.Tensor4D;
    const w = () => seeded([3, 3, 3, 4], 8) as tf.Tensor4D;
    await assertSameOnBothBackends(() => tf.fused.conv2d({ x: x(), filter: w(), strides: 1, pad: 'same', activation: 'elu' }), 'elu');
    await assertSameOnBothBackends(
      () => tf.fused.conv2d({ x: x(), filter: w(), strides: 1, pad: 'same', activation: 'prelu', preluActivationWeights: tf.fill([4], 0.1) }),
      'prelu',
    );
  });

  it("runs the U-Net's 2x2 stride-2 transposed convolution and its filter gradient", async () => {
    const x = () => seeded([2, 8, 8, 32], 9) as tf.Tensor4D;
    const w = () => seeded([2, 2, 16, 32], 10) as tf.Tensor4D;
    const up = (xs: tf.Tensor4D, ws: tf.Tensor4D) => tf.conv2dTranspose(xs, ws, [2, 16, 16, 16], 2, 'same');
    await assertSameOnBothBackends(() => up(x(), w()), 'transposed forward');
    const probe = () => seeded([2, 16, 16, 16], 11);
    await assertSameOnBothBackends(() => tf.grad((ws: tf.Tensor) => tf.sum(tf.mul(up(x(), ws as tf.Tensor4D), probe())))(w()), 'transposed filter gradient');
    await assertSameOnBothBackends(() => tf.grad((xs: tf.Tensor) => tf.sum(tf.mul(up(xs as tf.Tensor4D, w()), probe())))(x()), 'transposed input gradient');
  });

  it('leaks neither tensors nor wasm data over repeated training steps', async () => {
    await tf.setBackend('wasm');
    const x = seeded([2, 16, 16, 8], 12) as tf.Tensor4D;
    const w = seeded([3, 3, 8, 8], 13) as tf.Tensor4D;
    const step = () => tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.relu(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'))))([x, w]).map((g) => g.sum()));
    assertNoLeaks(() => tf.dispose(step()), 5);
    tf.dispose([x, w]);
  });

  it("picks an optimised (not reference) oneDNN implementation for the U-Net's layer shapes", () => {
    assert.ok(load.ok);
    const shapes = [
      [128, 1, 16],
      [128, 16, 16],
      [64, 16, 32],
      [32, 64, 64],
      [8, 256, 256],
      [16, 256, 128],
    ] as const;
    const params = new Float64Array(ConvParam.Count);
    for (const [size, ci, co] of shapes) {
      params.set([4, size, size, ci, size, size, co, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, -1, 0, 0]);
      for (const kind of [ConvKind.Forward, ConvKind.BackwardData, ConvKind.BackwardWeights]) {
        const impl = load.addon.implementation(kind, params);
        assert.doesNotMatch(impl, /^ref/, `${size}px ${ci}->${co} kind ${kind}: ${impl}`);
      }
    }
  });
});

describe('native accelerator: layout, pooling and batch-norm kernels on the wasm backend', { skip }, () => {
  before(async () => {
    await initBackend('wasm');
  });

  it('concatenates along the last axis and other axes, and splits again (the gradient)', async () => {
    for (const axis of [3, 1, 0]) {
      const parts = () => [seeded([2, 5, 6, 3], 20), seeded([2, 5, 6, 4], 21).slice([0, 0, 0, 0], [2, 5, 6, 3]), seeded([2, 5, 6, 3], 22)];
      await assertSameOnBothBackends(() => tf.concat(parts(), axis), `concat axis ${axis}`);
      const probe = () => seeded(tf.concat(parts(), axis).shape, 23);
      await assertSameOnBothBackends(() => tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.concat([a, ...parts().slice(1)], axis), probe())))(parts()[0]!), `concat gradient axis ${axis}`);
    }
    await assertSameOnBothBackends(() => tf.concat(tf.split(seeded([3, 4, 10], 24), [3, 7], 2).reverse(), 2), 'split [3, 7] and swap');
  });

  it('gives the max-pool gradient with ties resolved as the cpu backend does', async () => {
    for (const [shape, size, stride, pad] of [
      [[2, 8, 8, 3], 2, 2, 'valid'],
      [[1, 7, 9, 2], 2, 2, 'same'],
      [[2, 9, 9, 4], 3, 3, 'valid'],
      [[1, 9, 7, 2], 3, 3, 'same'],
    ] as const) {
      // ReLU leaves many zeros, so windows with ties are common, as in the U-Net.
      const x = () => tf.relu(seeded([...shape], 25));
      const probe = () => seeded(tf.maxPool(x() as tf.Tensor4D, size, stride, pad).shape, 26);
      await assertSameOnBothBackends(
        () => tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, size, stride, pad), probe())))(x()),
        `max-pool gradient ${shape.join('x')} window ${size} stride ${stride} ${pad}`,
      );
    }
  });

  it('fused batch norm + ReLU matches the composite op: outputs, statistics and gradients', async () => {
    const { batchNormRelu, hasFusedBatchNormRelu } = await import('../../src/engine/ops/batchNormRelu');
    const x = () => tf.add(tf.mul(seeded([4, 9, 7, 12], 27), 3), 1.5);
    const gamma = () => tf.add(seeded([12], 28), 1);
    const beta = () => seeded([12], 29);
    const probe = () => seeded([4, 9, 7, 12], 30);
    const parts = (which: 'out' | 'mean' | 'variance') => () => batchNormRelu(tf, x(), gamma(), beta(), 1e-3)[which];
    const grads = (i: number) => () => tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(batchNormRelu(tf, a, g, b, 1e-3).out, probe())))([x(), gamma(), beta()])[i]!;
    await tf.setBackend('wasm');
    assert.equal(hasFusedBatchNormRelu(tf), true);
    await tf.setBackend('cpu');
    assert.equal(hasFusedBatchNormRelu(tf), false, 'the cpu backend runs the composite op');
    for (const which of ['out', 'mean', 'variance'] as const) await assertSameOnBothBackends(parts(which), which);
    for (const [i, name] of ['dx', 'dgamma', 'dbeta'].entries()) await assertSameOnBothBackends(grads(i), name);
  });

  it('leaks neither tensors nor wasm data in a training step of the fused ops', async () => {
    await tf.setBackend('wasm');
    const { batchNormRelu } = await import('../../src/engine/ops/batchNormRelu');
    const x = seeded([2, 8, 8, 6], 31) as tf.Tensor4D;
    const gamma = tf.ones([6]);
    const beta = tf.zeros([6]);
    const step = () =>
      tf.tidy(() =>
        tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
          const { out } = batchNormRelu(tf, a, g, b, 1e-3);
          const pooled = tf.maxPool(out as tf.Tensor4D, 2, 2, 'valid');
          return tf.sum(tf.concat([pooled, pooled], 3));
        })([x, gamma, beta]).map((t) => t.sum()),
      );
    assertNoLeaks(() => tf.dispose(step()), 5);
    tf.dispose([x, gamma, beta]);
  });

  it('rejects an offset outside the heap with an error instead of writing there', async () => {
    assert.ok(load.ok);
    await tf.setBackend('wasm');
    const heap = new ArrayBuffer(64);
    assert.throws(() => load.addon.copyColumns(heap, new Float64Array([4, 4, 0, 4, 48, 4])), /outside the heap/);
  });
});

describe('native accelerator: background priority', { skip }, () => {
  it("lowers the calling thread's and its OpenMP threads' priority, and only theirs", async () => {
    assert.ok(load.ok);
    const { Worker } = await import('node:worker_threads');
    const { readdirSync, readFileSync } = await import('node:fs');
    const { getPriority } = await import('node:os');
    const niceOf = (tid: string) => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
    const before = getPriority();
    // In a worker, as in the extension: the worker and its OpenMP team are reniced, the process is not.
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       const addon = require(${JSON.stringify(load.path)});
       const lowered = addon.lowerThreadPriority(7);
       parentPort.postMessage({ lowered, own: require('node:os').getPriority() });
       parentPort.once('message', () => process.exit(0));`,
      { eval: true },
    );
    const reply = await new Promise<{ lowered: number; own: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    try {
      assert.ok(reply.lowered >= 1, `threads lowered: ${reply.lowered}`);
      assert.equal(reply.own, 7, "the worker thread's own nice value");
      const niceValues = readdirSync('/proc/self/task').map(niceOf);
      assert.equal(niceValues.filter((n) => n === 7).length, reply.lowered, `nice values of the process's threads: ${niceValues.join(' ')}`);
      assert.equal(getPriority(), before, "the test's main thread keeps its priority");
    } finally {
      worker.postMessage('done');
      await new Promise((resolve) => worker.once('exit', resolve));
    }
  });
});

describe('native accelerator: worker threads', { skip }, () => {
  it('survives worker threads that used it exiting one after another (the addon stays mapped)', async () => {
    assert.ok(load.ok);
    const { spawnSync } = await import('node:child_process');
    // Each worker runs an OpenMP parallel region, then exits; Node would unload the addon with the
    // last worker that loaded it while libgomp's pool threads still live, unless it is never unmapped.
    const script = `
      const { Worker } = require('node:worker_threads');
      const code = 'const a = require(' + JSON.stringify(${JSON.stringify(load.path)}) + ');' +
        'a.copyColumns(new ArrayBuffer(800000), new Float64Array([1000, 100, 0, 100, 400000, 100]));' +
        'require("node:worker_threads").parentPort.postMessage(1);';
      (async () => {
        for (let i = 0; i < 3; i++) {
          const w = new Worker(code, { eval: true });
          // Both listeners first: the exit can follow the message within one turn of the loop.
          const exited = new Promise((r) => w.once('exit', r));
          await new Promise((r) => w.once('message', r));
          await exited;
        }
        console.log('three workers done');
      })();`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.signal, null, `the process died with ${r.signal}`);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /three workers done/);
  });
});
