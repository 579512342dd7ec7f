// The example plugin's Tversky loss module (examples/custom-loss-plugin/out/tversky.js) against
// the formula computed by hand, on the CPU backend, plus its manifest.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { readContributedProviders } from '../../src/extension/providers/providerSources';

const pluginDir = join(__dirname, '..', '..', 'examples', 'custom-loss-plugin');
const { createLoss } = require(join(pluginDir, 'out', 'tversky.js')) as {
  createLoss(tfArg: typeof tf, options: Record<string, unknown>): (batch: { mask: tf.Tensor }, outputs: { seg: tf.Tensor }) => tf.Scalar;
};

function tverskyByHand(p: number[][], g: number[][], alpha: number, beta: number, smooth: number): number {
  let sum = 0;
  for (let b = 0; b < p.length; b++) {
    let tp = 0, fp = 0, fn = 0;
    for (let i = 0; i < p[b].length; i++) {
      tp += p[b][i] * g[b][i];
      fp += p[b][i] * (1 - g[b][i]);
      fn += (1 - p[b][i]) * g[b][i];
    }
    sum += 1 - (tp + smooth) / (tp + alpha * fp + beta * fn + smooth);
  }
  return sum / p.length;
}

describe('example plugin: Tversky loss', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });
  const p = [
    [0.9, 0.8, 0.1, 0.6],
    [0.2, 0.7, 0.4, 0.0],
  ];
  const g = [
    [1, 1, 0, 0],
    [0, 1, 1, 1],
  ];
  const seg = tf.tensor4d(p.flat(), [2, 2, 2, 1]);
  const mask = tf.tensor4d(g.flat(), [2, 2, 2, 1]);

  it('computes 1 - Tversky index with alpha 0.3, beta 0.7 by default', () => {
    const loss = createLoss(tf, {})({ mask }, { seg });
    assert.equal(loss.rank, 0);
    assert.ok(Math.abs(loss.dataSync()[0] - tverskyByHand(p, g, 0.3, 0.7, 1)) < 1e-6);
  });

  it('takes alpha/beta from options, is 0 for a perfect mask, and is differentiable', () => {
    const loss = createLoss(tf, { alpha: 0.5, beta: 0.5, smooth: 0 })({ mask }, { seg });
    assert.ok(Math.abs(loss.dataSync()[0] - tverskyByHand(p, g, 0.5, 0.5, 0)) < 1e-6);
    const perfect = createLoss(tf, {})({ mask }, { seg: tf.cast(mask, 'float32') });
    assert.ok(Math.abs(perfect.dataSync()[0]) < 1e-6);
    const grad = tf.grad((s: tf.Tensor) => createLoss(tf, {})({ mask }, { seg: s }))(seg);
    assert.deepEqual(grad.shape, [2, 2, 2, 1]);
    // More predicted lesion where the truth has lesion lowers the loss: negative gradient there.
    assert.ok(grad.dataSync()[0] < 0);
    assert.ok(grad.dataSync()[2] > 0);
  });

  it('is a real extension that depends on BUS Lab and declares the provider', () => {
    const pkg = JSON.parse(readFileSync(join(pluginDir, 'package.json'), 'utf8'));
    assert.equal(`${pkg.publisher}.${pkg.name}`, 'bus-lab-examples.custom-loss-plugin');
    assert.deepEqual(pkg.extensionDependencies, ['bus-lab.bus-lab']);
    assert.equal(pkg.main, './out/extension.js');
    const { providers, problems } = readContributedProviders([{ id: 'bus-lab-examples.custom-loss-plugin', extensionPath: pluginDir, packageJSON: pkg }], { moduleExists: () => true });
    assert.deepEqual(problems, []);
    assert.equal(providers[0].id, 'bus-lab-examples.custom-loss-plugin/tversky');
    assert.equal(providers[0].modulePath, join(pluginDir, 'out', 'tversky.js'));
  });
});
