// Plugins are contained (issue 15): they may not end the process, hand back tensors the engine does
// not own, shadow built-in ids, or leak without a warning; feature providers are wrapped like losses.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createRegistries } from '../../src/engine/plugins/builtins';
import { GROWTH_STEPS, TensorGrowthWatch } from '../../src/engine/plugins/growthWatch';
import { loadPlugins } from '../../src/engine/plugins/pluginLoader';
import { toLossInstance } from '../../src/engine/plugins/providers';
import { runTraining } from '../../src/engine/train/trainer';
import type { Tensor, Tensor1D, Tensor4D } from '../../src/engine/tf';
import { engineTf } from '../helpers/tf';

const root = join(__dirname, '..', '..');
const hostile = join(root, 'test', 'fixtures', 'plugins', 'hostile-plugin.js');

async function hostileRegistries() {
  const tf = await engineTf();
  const r = createRegistries();
  loadPlugins(tf, [{ modulePath: hostile, source: 'cli' }], r);
  const mask = tf.ones([2, 4, 4, 1]) as Tensor4D;
  const batch = { image: mask, mask, label: tf.tensor1d([1, 0]) as Tensor1D, hasLabel: tf.tensor1d([1, 1]) as Tensor1D };
  const loss = (id: string) => toLossInstance(r.losses.get(id).create(tf, {})).compute(batch, { seg: mask }, { epoch: 3, step: 9, features: {} });
  const feature = (id: string) => r.features.get(id).create(tf, {})(mask, mask);
  return { tf, r, loss, feature };
}

test('process.exit inside a plugin is refused with an error naming the plugin, and process.exit is restored', async () => {
  const { loss, feature } = await hostileRegistries();
  const exit = process.exit;
  assert.throws(() => loss('hostile/exit'), /hostile-plugin\.js.*called process\.exit\(0\); plugins may not end the process/);
  assert.throws(() => loss('hostile/exitCaught'), /hostile-plugin\.js.*called process\.exit\(0\) \(and caught the refusal\)/);
  assert.throws(() => feature('hostile/exitFeature'), /hostile-plugin\.js.*called process\.exit\(3\)/);
  assert.equal(process.exit, exit, 'the real process.exit is back after the plugin call');
});

test('a plugin returning a non-tensor or a tensor the engine does not own is rejected, naming the plugin', async () => {
  const { loss } = await hostileRegistries();
  assert.throws(() => loss('hostile/number'), /hostile-plugin\.js.*'hostile\/number' at epoch 3, step 9 returned number, not a tensor/);
  assert.throws(() => loss('hostile/foreign'), /hostile-plugin\.js.*'hostile\/foreign'.*from another TensorFlow\.js instance/);
});

test('feature providers are wrapped like losses: errors and bad shapes name the plugin and the feature', async () => {
  const { feature } = await hostileRegistries();
  assert.throws(() => feature('hostile/throwingFeature'), /hostile-plugin\.js.*feature 'hostile\/throwingFeature' threw: feature boom/);
  const v = feature('hostile/nanFeature') as Tensor;
  assert.deepEqual(v.shape, [2], 'a well-shaped feature passes the wrapper (its NaN is the trainer\'s to report)');
});

test('plugin ids may not shadow methods or built-in providers, in any letter case', () => {
  const r = createRegistries();
  const create = () => () => undefined as never;
  for (const id of ['mtl', 'Single', 'BIRADS']) {
    assert.throws(() => r.losses.register({ id, label: 'x', create }), /would shadow the built-in method/, id);
    assert.throws(() => r.features.register({ id, label: 'x', create }), /would shadow the built-in method/, id);
  }
  assert.throws(() => r.losses.register({ id: 'Segmentation', label: 'x', create }), /'Segmentation' clashes with 'segmentation' \(by builtin\): ids may not differ only in letter case/);
  assert.throws(() => r.features.register({ id: 'ORIENTATION', label: 'x', create }), /clashes with 'orientation'/);
  r.losses.register({ id: 'mine/mtl', label: 'namespaced is fine', create });
});

test('the growth watch warns once when tensor memory grows at every step, and not for a one-off allocation', async () => {
  const tf = await engineTf();
  const kept: Tensor[] = [];
  const watch = new TensorGrowthWatch(tf, ["'x/leak' from plugin cli (/p/leak.js)"]);
  const warnings: string[] = [];
  const step = (leak: number) => {
    for (let i = 0; i < leak; i++) kept.push(tf.zeros([10]));
    const w = watch.afterStep();
    if (w) warnings.push(w);
  };
  step(0);
  step(5); // one-off (e.g. optimizer moments)
  step(0);
  step(0);
  assert.deepEqual(warnings, []);
  for (let i = 0; i < GROWTH_STEPS; i++) step(2);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /grows at every step \(3 steps, about 2 tensors.*plugins in this run: 'x\/leak' from plugin cli \(\/p\/leak\.js\)/);
  for (let i = 0; i < 5; i++) step(2);
  assert.equal(warnings.length, 1, 'warned once, not at every step');
  tf.dispose(kept);
});

function cli(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(root, 'test/helpers/cli.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1', OMP_WAIT_POLICY: 'passive' },
  });
}

const tinyArgs = ['--train', 'synthetic:site-a?count=40', '--size', '32', '--width', '4', '--batch', '8', '--backend', 'wasm', '--no-cache', '--plugin', hostile];

function onlyRun(out: string) {
  const [id] = readdirSync(out);
  return JSON.parse(readFileSync(join(out, id, 'run.json'), 'utf8'));
}

test('CLI: process.exit(0) in a plugin loss fails the run with exit 1, and the run is marked failed', () => {
  const out = mkdtempSync(join(tmpdir(), 'bus-lab-exit-'));
  const r = cli(['train', '--out', out, '--epochs', '1', '--method', 'mtl', '--extra-loss', 'hostile/exit:1', ...tinyArgs]);
  assert.equal(r.status, 1, `exit ${r.status}; stderr ${r.stderr}`);
  assert.match(r.stderr, /called process\.exit\(0\)/);
  const record = onlyRun(out);
  assert.equal(record.status, 'failed');
});

test('CLI: a NaN feature from a plugin is blamed on the feature provider, not on the consistency loss', () => {
  const out = mkdtempSync(join(tmpdir(), 'bus-lab-nanfeature-'));
  const r = cli(['train', '--out', out, '--epochs', '1', '--method', 'birads', '--features', 'orientation,hostile/nanFeature', ...tinyArgs]);
  assert.equal(r.status, 1, `exit ${r.status}; stderr ${r.stderr}`);
  assert.match(r.stderr, /feature 'hostile\/nanFeature' \(plugin cli \(.*hostile-plugin\.js\)\) is NaN/);
  assert.doesNotMatch(r.stderr, /loss 'consistency'/);
});

test('a feature that turns NaN during training is blamed on its provider at the step, not on the consistency loss', async () => {
  const runsDir = mkdtempSync(join(tmpdir(), 'bus-lab-nanstep-'));
  const record = await runTraining(
    {
      method: 'birads',
      features: ['orientation', 'hostile/nanOnSoftMask'],
      plugins: [{ modulePath: hostile, source: 'cli' }],
      train: 'synthetic:site-a?count=40',
      imageSize: 32,
      baseWidth: 4,
      batchSize: 8,
      epochs: 1,
      backend: 'wasm',
    },
    { runsDir },
  );
  assert.equal(record.status, 'failed');
  assert.match(record.error ?? '', /^feature 'hostile\/nanOnSoftMask' is NaN at epoch 1, step 1 \(plugin cli \(.*hostile-plugin\.js\)\)/);
});

test('CLI: a plugin leaking tensors at every step gets one warning naming it', () => {
  const out = mkdtempSync(join(tmpdir(), 'bus-lab-leak-'));
  const r = cli(['train', '--out', out, '--epochs', '2', '--method', 'hostile/leak', ...tinyArgs]);
  assert.equal(r.status, 0, `exit ${r.status}; stderr ${r.stderr}`);
  const warnings = r.stderr.split('\n').filter((l) => /tensor memory grows/.test(l));
  assert.equal(warnings.length, 1, r.stderr);
  assert.match(warnings[0], /'hostile\/leak' from plugin cli \(.*hostile-plugin\.js\)/);
  const clean = cli(['train', '--out', out, '--epochs', '2', '--method', 'mtl', ...tinyArgs]);
  assert.equal(clean.status, 0, clean.stderr);
  assert.doesNotMatch(clean.stderr, /tensor memory grows/, 'no warning for the built-in losses');
});
