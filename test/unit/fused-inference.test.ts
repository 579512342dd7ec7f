/**
 * The U-Net's whole-network native inference graph (native/accelerator/inference.cc,
 * src/engine/model/fusedInference.ts) against the network run op by op on the cpu backend (plain
 * JavaScript): masks and malignancy agree to float rounding for direct and Winograd convolutions,
 * several widths, sizes, batches, with and without a classifier, with non-trivial batch-norm
 * statistics (so the folding is exercised). Predictors use it when the accelerator is enabled.
 * Skipped, visibly, where the addon was not built.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/engine/backend';
import { enabledAccelerator } from '../../src/engine/backend/accelerator';
import { loadAcceleratorAddon } from '../../src/engine/backend/accelerator/addon';
import { createFusedInference, fusedInferenceTensors } from '../../src/engine/model/fusedInference';
import { predictorForNetwork } from '../../src/engine/model/predictor';
import { createUNet, type UNet } from '../../src/engine/model/unet';
import type { TF } from '../../src/engine/tf';

const load = loadAcceleratorAddon();
const skip = load.ok ? false : `native accelerator unavailable: ${load.why}`;
const T = tf as unknown as TF;

/** A network whose batch-norm statistics and biases are not the identity, so folding matters. */
function perturbedNet(width: number, withClassifier: boolean, seed: number): UNet {
  const net = createUNet(T, { baseWidth: width, depth: 4, withClassifier, seed });
  let s = seed;
  for (const [name, v] of net.variables) {
    if (name.endsWith('moving_mean')) v.assign(tf.randomNormal(v.shape, 0, 0.2, 'float32', s++));
    else if (name.endsWith('moving_variance')) v.assign(tf.randomUniform(v.shape, 0.3, 2, 'float32', s++));
    else if (name.endsWith('bn/gamma')) v.assign(tf.randomUniform(v.shape, 0.5, 1.5, 'float32', s++));
    else if (name.endsWith('bn/beta') || name.endsWith('/bias')) v.assign(tf.randomNormal(v.shape, 0, 0.2, 'float32', s++));
  }
  return net;
}

function images(n: number, size: number, seed: number): Float32Array {
  return Float32Array.from({ length: n * size * size }, (_, i) => (Math.sin(i * 0.37 + seed) + 1) / 2);
}

/** The op-by-op forward pass on the cpu backend. */
async function reference(net: UNet, x: Float32Array, n: number, size: number): Promise<{ seg: Float32Array; p?: Float32Array }> {
  await tf.setBackend('cpu');
  try {
    const out = net.forward(tf.tensor4d(x, [n, size, size, 1]), false);
    return { seg: out.seg.dataSync() as Float32Array, p: out.pMalignant?.dataSync() as Float32Array | undefined };
  } finally {
    await tf.setBackend('wasm');
  }
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe('fused inference: the U-Net as one native oneDNN graph', { skip }, () => {
  before(async () => {
    await initBackend('wasm');
    assert.ok(enabledAccelerator(), 'the accelerator is enabled');
  });
  after(async () => {
    await tf.setBackend('wasm');
  });

  const cases = [
    { width: 16, size: 32, n: 3, classifier: true, winograd: true },
    { width: 16, size: 32, n: 3, classifier: true, winograd: false },
    // Batch 1 once gave a concatenation a plain layout and the next layer oneDNN's reference kernel.
    { width: 16, size: 64, n: 1, classifier: true, winograd: true },
    { width: 16, size: 64, n: 1, classifier: false, winograd: false },
    { width: 8, size: 48, n: 1, classifier: false, winograd: true },
    { width: 4, size: 16, n: 2, classifier: true, winograd: false },
  ];
  for (const c of cases) {
    it(`matches the op-by-op network on the cpu backend: width ${c.width}, ${c.size} px, batch ${c.n}, ${c.classifier ? 'classifier' : 'no classifier'}, ${c.winograd ? 'Winograd' : 'direct'}`, async () => {
      const net = perturbedNet(c.width, c.classifier, 11 + c.width);
      try {
        const x = images(c.n, c.size, c.width);
        const fused = createFusedInference(T, net, c.size, { winograd: c.winograd });
        assert.ok(fused, 'the graph is built');
        try {
          const got = fused.run(x, c.n, c.size);
          const want = await reference(net, x, c.n, c.size);
          assert.ok(maxDiff(got.seg, want.seg) < 1e-5, `mask: max difference ${maxDiff(got.seg, want.seg)}`);
          if (c.classifier) assert.ok(maxDiff(got.pMalignant, want.p!) < 1e-5, `malignancy: max difference ${maxDiff(got.pMalignant, want.p!)}`);
          else assert.ok(got.pMalignant.every(Number.isNaN), 'no classifier: malignancy is NaN');
          assert.equal(fused.implementations.length, 18, 'one kernel name per 3x3 convolution');
          // At the widths the engine trains (multiples of 16) every layer gets a JIT kernel; narrower
          // test networks may get oneDNN's slow reference kernel in a layer, which is still correct.
          if (c.width % 16 === 0) assert.ok(fused.implementations.every((name) => !name.startsWith('ref')), `no reference kernels: ${fused.implementations.join(', ')}`);
        } finally {
          fused.free();
        }
      } finally {
        net.dispose();
      }
    });
  }

  it('uses Winograd kernels where asked and direct ones otherwise', () => {
    const net = perturbedNet(16, true, 3);
    try {
      const x = images(1, 32, 0);
      for (const winograd of [true, false]) {
        const fused = createFusedInference(T, net, 32, { winograd })!;
        fused.run(x, 1, 32);
        assert.equal(fused.implementations.some((name) => name.includes('wino')), winograd, fused.implementations.join(', '));
        fused.free();
      }
    } finally {
      net.dispose();
    }
  });

  it('predictors use it, and give what the op-by-op path gives', async () => {
    const net = perturbedNet(8, true, 5);
    try {
      const x = images(5, 32, 1);
      // Batches of 2 leave a remainder of 1: both the plan for 2 and the plan for 1 run.
      const fast = await predictorForNetwork(T, net, 32, 2).predict(x, 5);
      process.env.BUS_LAB_FUSED_INFERENCE = 'off';
      const slow = await predictorForNetwork(T, net, 32, 2).predict(x, 5);
      delete process.env.BUS_LAB_FUSED_INFERENCE;
      assert.ok(maxDiff(fast.seg, slow.seg) < 1e-5, `mask: ${maxDiff(fast.seg, slow.seg)}`);
      assert.ok(maxDiff(fast.pMalignant, slow.pMalignant) < 1e-5, `malignancy: ${maxDiff(fast.pMalignant, slow.pMalignant)}`);
    } finally {
      delete process.env.BUS_LAB_FUSED_INFERENCE;
      net.dispose();
    }
  });

  it('is not built for a size the pooling cannot halve four times', () => {
    const net = perturbedNet(4, false, 9);
    try {
      assert.equal(createFusedInference(T, net, 40), undefined);
    } finally {
      net.dispose();
    }
  });

  it('refuses tensors of the wrong count or size, and a freed model, with one-line errors', () => {
    const addon = enabledAccelerator()!;
    const net = perturbedNet(4, true, 2);
    try {
      const tensors = fusedInferenceTensors(T, net);
      const spec = { baseWidth: 4, depth: 4, classifier: true, winograd: false };
      assert.throws(() => addon.inferenceModel(spec, tensors.slice(1)), /inference model: 48 tensors expected, got 47/);
      const wrong = [...tensors];
      wrong[0] = new Float32Array(3);
      assert.throws(() => addon.inferenceModel(spec, wrong), /inference model: tensor 0 has 3 values, expected 36/);
      const model = addon.inferenceModel(spec, tensors);
      const seg = new Float32Array(256);
      assert.throws(() => addon.inferenceRun(model, new Float32Array(10), 1, 16, seg, null), /buffers smaller than batch x size x size/);
      assert.throws(() => addon.inferenceRun(model, new Float32Array(400), 1, 20, new Float32Array(400), null), /size divisible by 16/);
      addon.inferenceFree(model);
      assert.throws(() => addon.inferenceRun(model, new Float32Array(256), 1, 16, seg, null), /the model was freed/);
    } finally {
      net.dispose();
    }
  });

  it('leaves no tensors behind', () => {
    const net = perturbedNet(4, true, 4);
    try {
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) createFusedInference(T, net, 16)!.free();
      assert.equal(tf.memory().numTensors, before);
    } finally {
      net.dispose();
    }
  });
});
