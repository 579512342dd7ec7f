import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { computePhi, biradsConsistencyLoss } from '../../src/engine/losses/biradsConsistency';
import { createRegistries } from '../../src/engine/plugins/builtins';
import { loadPlugins } from '../../src/engine/plugins/pluginLoader';
import { toLossInstance } from '../../src/engine/plugins/providers';
import type { Tensor, Tensor1D, Tensor4D } from '../../src/engine/tf';
import { resolveTrainConfig } from '../../src/engine/train/config';
import { methodIds, planMethod } from '../../src/engine/train/methods';
import { engineTf } from '../helpers/tf';

const fixtures = join(__dirname, '..', 'fixtures', 'plugins');

test('phi is the sigmoid of the weighted normalised features', async () => {
  const tf = await engineTf();
  const features = { a: tf.tensor1d([0.2, 0.8]) as Tensor1D, b: tf.tensor1d([0.5, 0.5]) as Tensor1D };
  const w = tf.tensor1d([2, -1]) as Tensor1D;
  const b = tf.tensor1d([0.5]) as Tensor1D;
  const phi = await computePhi(tf, features, ['a', 'b'], { a: { mean: 0.5, std: 0.1 }, b: { mean: 0, std: 1 } }, w, b).data();
  const expected = (x: number) => 1 / (1 + Math.exp(-x));
  assert.ok(Math.abs(phi[0] - expected(2 * -3 - 0.5 + 0.5)) < 1e-5);
  assert.ok(Math.abs(phi[1] - expected(2 * 3 - 0.5 + 0.5)) < 1e-5);
});

test('the consistency loss is MSE(p, phi) over labelled images, with gradients to w, b, the features and p', async () => {
  const tf = await engineTf();
  const inst = toLossInstance(biradsConsistencyLoss.create(tf, { featureIds: ['f'], normalisation: { f: { mean: 0, std: 1 } } }));
  assert.equal(inst.variables?.length, 2);
  const p = tf.tensor1d([0.9, 0.1, 0.5]) as Tensor1D;
  const f = tf.tensor1d([1, -1, 3]) as Tensor1D;
  const batch = {
    image: tf.zeros([3, 4, 4, 1]) as Tensor4D,
    mask: tf.zeros([3, 4, 4, 1]) as Tensor4D,
    label: tf.tensor1d([1, 0, 0]) as Tensor1D,
    hasLabel: tf.tensor1d([1, 1, 0]) as Tensor1D,
  };
  const compute = (pp: Tensor, ff: Tensor) => inst.compute(batch, { seg: batch.mask, pMalignant: pp as Tensor1D }, { epoch: 1, step: 1, features: { f: ff as Tensor1D } });
  const value = (await compute(p, f).data())[0];
  const s = (x: number) => 1 / (1 + Math.exp(-x));
  const expected = ((0.9 - s(1)) ** 2 + (0.1 - s(-1)) ** 2) / 2; // the normal image is left out
  assert.ok(Math.abs(value - expected) < 1e-5, `${value} vs ${expected}`);
  const { grads } = tf.variableGrads(() => compute(p, f) as import('../../src/engine/tf').Scalar, inst.variables);
  for (const g of Object.values(grads)) assert.ok((await g.data()).some((x) => x !== 0 && Number.isFinite(x)));
  const [gp, gf] = tf.grads((pp: Tensor, ff: Tensor) => compute(pp, ff))([p, f]);
  assert.ok((await gp.data()).slice(0, 2).every((x) => x !== 0));
  assert.equal(Math.abs((await gp.data())[2]), 0, 'normal images get no gradient');
  assert.ok((await gf.data()).slice(0, 2).every((x) => x !== 0));
  inst.dispose?.();
});

test('registries list built-ins and reject duplicate or malformed ids', async () => {
  const r = createRegistries();
  assert.deepEqual(r.losses.list().map((p) => p.id), ['segmentation', 'classification', 'biradsConsistency']);
  assert.equal(r.features.list().length, 4);
  const create = () => () => undefined as never;
  assert.throws(() => r.losses.register({ id: 'segmentation', label: 'x', create }), /already registered/);
  assert.throws(() => r.losses.register({ id: 'bad id!', label: 'x', create }), /invalid id/);
  assert.throws(() => r.losses.register({ id: 'ok', label: '', create }), /label/);
  const dispose = r.losses.register({ id: 'ext.pub/mine', label: 'Mine', create });
  assert.ok(r.losses.has('ext.pub/mine'));
  dispose();
  assert.ok(!r.losses.has('ext.pub/mine'));
  assert.throws(() => r.losses.get('nope'), /unknown loss provider 'nope'/);
});

test('a plugin module loaded from a path registers a usable loss; its method plan adds the term', async () => {
  const tf = await engineTf();
  const r = createRegistries();
  const added = loadPlugins(tf, [{ modulePath: join(fixtures, 'tversky-plugin.js'), source: 'cli' }], r);
  assert.deepEqual(added.losses, ['test/tversky']);
  assert.ok(methodIds(r.losses).includes('test/tversky'));
  const plan = planMethod(resolveTrainConfig({ method: 'test/tversky' }), r.losses);
  assert.deepEqual(plan.terms.map((t) => t.name), ['segmentation', 'classification', 'test/tversky']);
  const p = r.losses.get('test/tversky');
  const inst = toLossInstance(p.create(tf, p.defaultOptions ?? {}));
  const mask = tf.ones([1, 4, 4, 1]) as Tensor4D;
  const v = await inst.compute({ image: mask, mask, label: tf.tensor1d([1]) as Tensor1D, hasLabel: tf.tensor1d([1]) as Tensor1D }, { seg: mask }, { epoch: 1, step: 1, features: {} }).data();
  assert.ok(Math.abs(v[0]) < 0.1, `perfect prediction gives ~0, got ${v[0]}`);
});

test('a misbehaving plugin loss fails with an error naming the plugin and the step', async () => {
  const tf = await engineTf();
  const r = createRegistries();
  loadPlugins(tf, [{ modulePath: join(fixtures, 'bad-plugin.js'), source: 'cli' }], r);
  const mask = tf.ones([1, 4, 4, 1]) as Tensor4D;
  const batch = { image: mask, mask, label: tf.tensor1d([1]) as Tensor1D, hasLabel: tf.tensor1d([1]) as Tensor1D };
  const run = (id: string) => toLossInstance(r.losses.get(id).create(tf, {})).compute(batch, { seg: mask }, { epoch: 2, step: 7, features: {} });
  assert.throws(() => run('bad/vector'), /bad-plugin\.js.*'bad\/vector'.*epoch 2, step 7.*not a scalar/);
  assert.throws(() => run('bad/throws'), /bad-plugin\.js.*'bad\/throws' threw at epoch 2, step 7: boom/);
  assert.throws(() => loadPlugins(tf, [{ modulePath: join(fixtures, 'missing.js') }], createRegistries()), /missing\.js.*module not found/);
  assert.throws(() => loadPlugins(tf, [{ modulePath: 'relative.js' }], createRegistries()), /must be absolute/);
});

test('configuration errors name the field', () => {
  assert.throws(() => resolveTrainConfig({ epochs: -1 }), /^ConfigError: epochs: must be a positive integer/);
  assert.throws(() => resolveTrainConfig({ method: 'nope' }, ['single', 'mtl', 'birads']), /method: unknown method 'nope'/);
  assert.throws(() => resolveTrainConfig({ imageSize: 100 }), /imageSize: must be a multiple of 16/);
  assert.throws(() => resolveTrainConfig({ train: 'nowhere' }), /train: 'nowhere' is not a dataset spec/);
  assert.throws(() => resolveTrainConfig({ colour: 'red' } as never), /colour: unknown field/);
  const c = resolveTrainConfig({ method: 'mtl', epochs: 3 });
  assert.equal(c.epochs, 3);
  assert.equal(c.lambda, 0.1);
  assert.equal(c.phiInit, 'calibrated');
  assert.throws(() => resolveTrainConfig({ phiInit: 'learned' } as never), /phiInit: must be one of unit, calibrated/);
  assert.throws(() => resolveTrainConfig({ phiLearningRate: 0 }), /phiLearningRate: must be a positive number/);
  assert.throws(() => resolveTrainConfig({ phiSupervision: -1 }), /phiSupervision: must be a number >= 0/);
  assert.throws(() => resolveTrainConfig({ maskGradient: 'off' } as never), /maskGradient: must be true or false/);
  assert.throws(() => resolveTrainConfig({ splitSeed: 1.5 }), /splitSeed: must be an integer/);
});

test('the consistency warm-up ramps the feature losses from 0 to full weight', async () => {
  const { featureLossRamp } = await import('../../src/engine/train/trainer');
  assert.deepEqual([0, 1, 2, 3, 4, 9].map((e) => featureLossRamp(e, 4)), [0, 0.25, 0.5, 0.75, 1, 1]);
  assert.equal(featureLossRamp(0, 0), 1, 'no warm-up: full weight from the first epoch');
  assert.throws(() => resolveTrainConfig({ consistencyWarmupEpochs: -1 }), /consistencyWarmupEpochs: must be an integer >= 0/);
});
