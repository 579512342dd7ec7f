/**
 * The ablation runner's grid and resume logic with an injected fake trainer: a first invocation
 * "crashes" in the middle of the grid, leaving a half-done run (status running, a checkpoint);
 * the second skips finished runs, resumes the half-done one and starts the rest, then compares.
 * Also: config parsing (paths resolved against the config's folder, errors naming the field).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { PerImageResult } from '../../src/engine/eval/evaluationTypes';
import { formatPerImageCsv } from '../../src/engine/runs/perImageCsv';
import { runAblation, TrainFunction } from '../../src/engine/experiments/ablation';
import { acquireRunLock, readRunLock } from '../../src/engine/runs/runLock';
import { AblationConfigFile, parseAblationConfig, readAblationConfig } from '../../src/engine/experiments/ablationConfig';
import type { RunRecord, TrainConfig } from '../../src/engine/types';

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'bus-ablate-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

const CONFIG: AblationConfigFile = {
  name: 'tiny',
  train: 'synthetic:site-a',
  external: ['synthetic:site-b', 'synthetic:site-c'],
  seeds: [1, 2],
  baseline: 'single',
  settings: { epochs: 1, imageSize: 32 },
  methods: ['single', 'mtl', { name: 'birads-no-margin', method: 'birads', features: ['shapeIrregularity', 'orientation', 'ellipseDeviation'] }],
};

function writeConfig(name: string, config: unknown): string {
  const file = join(root, name);
  writeFileSync(file, JSON.stringify(config));
  return file;
}

function record(id: string, config: TrainConfig, status: RunRecord['status']): RunRecord {
  return { formatVersion: 1, id, name: config.name ?? config.method, status, config, versions: {}, createdAt: '', updatedAt: '', epochsCompleted: 1, evaluated: [] };
}

/** A fake trainer writing a finished run with one evaluation per external set (Dice by method). */
function fakeTrainer(calls: { runId: string; resume: boolean }[], crashAt?: string): TrainFunction {
  return async (partial, options) => {
    const config = partial as TrainConfig;
    const runId = options.runId as string;
    calls.push({ runId, resume: Boolean(options.resume) });
    const dir = join(options.runsDir, runId);
    mkdirSync(join(dir, 'checkpoint'), { recursive: true });
    if (runId === crashAt) {
      // Killed half-way: run.json says running, the last checkpoint exists.
      writeFileSync(join(dir, 'run.json'), JSON.stringify(record(runId, config, 'running')));
      writeFileSync(join(dir, 'checkpoint', 'model.json'), '{}');
      throw new Error('simulated crash');
    }
    const bonus = config.method === 'single' ? 0 : config.method === 'mtl' ? 0.02 : 0.05;
    for (const spec of config.external) {
      const slug = spec.replace(/[^a-z0-9]+/g, '-');
      const rows: PerImageResult[] = Array.from({ length: 8 }, (_, i) => ({
        id: `img${i}`,
        file: `img${i}`,
        label: i % 2 ? 'benign' : 'malignant',
        patientId: `p${i}`,
        width: 8,
        height: 8,
        dice: 0.5 + 0.03 * i + bonus * (1 + 0.01 * i) + 0.001 * config.seed,
        truthArea: 10,
        predictedArea: 10,
        falsePositiveArea: 1,
        pMalignant: i % 2 ? 0.3 : 0.6,
        features: {},
      }));
      mkdirSync(join(dir, 'eval', slug), { recursive: true });
      writeFileSync(join(dir, 'eval', slug, 'per_image.csv'), formatPerImageCsv(rows));
      writeFileSync(join(dir, 'eval', slug, 'summary.json'), JSON.stringify({ dataset: spec }));
    }
    const rec = record(runId, config, 'finished');
    writeFileSync(join(dir, 'run.json'), JSON.stringify(rec));
    return rec;
  };
}

test('grid: variants x seeds with deterministic run ids and resolved configs', () => {
  const a = parseAblationConfig(CONFIG, join(root, 'tiny.json'));
  assert.deepEqual(
    a.entries.map((e) => e.runId),
    ['single-seed1', 'single-seed2', 'mtl-seed1', 'mtl-seed2', 'birads-no-margin-seed1', 'birads-no-margin-seed2'],
  );
  const e = a.entries[4];
  assert.equal(e.config.method, 'birads');
  assert.equal(e.config.name, 'birads-no-margin');
  assert.equal(e.config.seed, 1);
  assert.equal(e.config.epochs, 1);
  assert.equal(e.config.lambda, 0.1); // defaultTrainConfig fills the rest
  assert.deepEqual(e.config.external, ['synthetic:site-b', 'synthetic:site-c']);
});

test('relative dataset and plugin paths resolve against the config file folder', () => {
  const a = parseAblationConfig(
    { ...CONFIG, baseline: undefined, train: 'busi:../data/BUSI', external: ['synthetic:site-b', 'busbra:/abs/BUSBRA'], methods: [{ name: 'p', method: 'birads', plugins: [{ modulePath: 'plugins/x.js' }] }] },
    '/configs/exp/a.json',
  );
  assert.equal(a.entries[0].config.train, 'busi:/configs/data/BUSI');
  assert.deepEqual(a.entries[0].config.external, ['synthetic:site-b', 'busbra:/abs/BUSBRA']);
  assert.equal(a.entries[0].config.plugins[0].modulePath, '/configs/exp/plugins/x.js');
});

test('the shipped experiment configs parse', async () => {
  // The pre-registered 128-px protocol (docs/RESULTS.md): 4 arms x 3 seeds, one validation split.
  const paper = await readAblationConfig(join(__dirname, '../../experiments/paper-protocol.json'));
  const arms = ['single', 'mtl', 'birads-cal-on', 'birads-cal-off'];
  assert.deepEqual(paper.entries.map((e) => e.runId), arms.flatMap((a) => [1, 2, 3].map((s) => `${a}-seed${s}`)));
  assert.equal(paper.baseline, 'mtl');
  for (const e of paper.entries) {
    assert.equal(e.config.imageSize, 128);
    assert.equal(e.config.splitSeed, 1);
  }
  const on = paper.entries.find((e) => e.variant === 'birads-cal-on')!.config;
  const off = paper.entries.find((e) => e.variant === 'birads-cal-off')!.config;
  assert.deepEqual([on.method, on.phiInit, on.maskGradient, off.maskGradient], ['birads', 'calibrated', true, false]);
  assert.deepEqual({ ...on, maskGradient: false, seed: 0, name: '' }, { ...off, seed: 0, name: '' }, 'the two birads arms differ only in the mask gradient');
  // ../../shared/datasets relative to experiments/ is <repo>/../shared/datasets
  assert.equal(paper.entries[0].config.train, `breast:${join(__dirname, '../../../shared/datasets/BrEaST-Lesions_USG')}`);
  // The earlier 64-px experiment stays reproducible.
  const earlier = await readAblationConfig(join(__dirname, '../../experiments/paper-protocol-64px.json'));
  assert.deepEqual(earlier.entries.map((e) => e.runId), ['single-seed1', 'single-seed2', 'mtl-seed1', 'mtl-seed2', 'birads-seed1', 'birads-seed2']);
  assert.equal(earlier.entries[0].config.imageSize, 64);
  const demo = await readAblationConfig(join(__dirname, '../../experiments/synthetic-demo.json'));
  assert.equal(demo.entries.length, 10);
  assert.equal(demo.entries[0].config.imageSize, 64);
  assert.deepEqual(demo.entries[0].config.external, ['synthetic:site-b?count=32', 'synthetic:site-c?count=32']);
});

test('config errors name the file and the field', () => {
  const f = 'x.json';
  assert.throws(() => parseAblationConfig({ ...CONFIG, epochs: 3 }, f), /x\.json: epochs: unknown field/);
  assert.throws(() => parseAblationConfig({ ...CONFIG, seeds: [] }, f), /x\.json: seeds: must be a non-empty list/);
  assert.throws(() => parseAblationConfig({ ...CONFIG, methods: ['single', 'single'] }, f), /methods\[1\]\.name: 'single' is used twice/);
  assert.throws(() => parseAblationConfig({ ...CONFIG, baseline: undefined, methods: [{ name: 'b', method: 'birads', lambda: -1 }] }, f), /methods\[0\] \(b\): lambda: must be a number >= 0/);
  assert.throws(() => parseAblationConfig({ ...CONFIG, baseline: 'nope' }, f), /baseline: 'nope' is not one of the methods/);
  assert.throws(() => parseAblationConfig({ ...CONFIG, settings: { seed: 3 } }, f), /settings\.seed: is set by the ablation itself/);
  assert.throws(() => parseAblationConfig({ ...CONFIG, baseline: undefined, methods: [{ name: 'b', train: 'busi:/x' }] }, f), /methods\[0\]\.train: is set by the ablation itself/);
});

test('after a crash mid-grid, the next invocation skips finished runs and resumes the half-done one', async () => {
  const file = writeConfig('tiny.json', CONFIG);
  const ablation = await readAblationConfig(file);
  const outDir = join(root, 'out');

  const first: { runId: string; resume: boolean }[] = [];
  await assert.rejects(runAblation(ablation, { outDir, train: fakeTrainer(first, 'mtl-seed1') }), /mtl-seed1: simulated crash/);
  assert.deepEqual(first.map((c) => c.runId), ['single-seed1', 'single-seed2', 'mtl-seed1']);
  const state = JSON.parse(readFileSync(join(outDir, 'ablation.json'), 'utf8'));
  assert.deepEqual(state.runs.map((r: { status: string }) => r.status), ['finished', 'finished', 'failed', 'pending', 'pending', 'pending']);

  const second: { runId: string; resume: boolean }[] = [];
  const actions: string[] = [];
  const result = await runAblation(ablation, { outDir, train: fakeTrainer(second), onRun: (i) => actions.push(`${i.entry.runId}:${i.action}`) });
  assert.deepEqual(actions, ['single-seed1:skip', 'single-seed2:skip', 'mtl-seed1:resume', 'mtl-seed2:start', 'birads-no-margin-seed1:start', 'birads-no-margin-seed2:start']);
  assert.deepEqual(second, [
    { runId: 'mtl-seed1', resume: true },
    { runId: 'mtl-seed2', resume: false },
    { runId: 'birads-no-margin-seed1', resume: false },
    { runId: 'birads-no-margin-seed2', resume: false },
  ]);
  assert.equal(result.cancelled, false);
  assert.ok(result.runs.every((r) => r.status === 'finished'));

  // The comparison: three methods of two seeds each, two external sets, baseline single.
  const c = result.comparison!;
  assert.equal(c.baseline, 'single');
  assert.deepEqual(c.methods.map((m) => [m.id, m.runs.length]), [['single', 2], ['mtl', 2], ['birads-no-margin', 2]]);
  assert.equal(c.cells.length, 6);
  const birads = c.cells.find((x) => x.method === 'birads-no-margin' && x.dataset === 'synthetic-site-b')!;
  // per-image differences 0.05 (1 + 0.01 i), i = 0..7: median 0.05 * 1.035
  assert.ok(Math.abs(birads.diceDiff!.estimate - 0.05175) < 1e-9);
  assert.ok(Math.abs(birads.diceP! - 2 / 256) < 1e-12, `exact Wilcoxon p for 8 positive pairs: ${birads.diceP}`);
  assert.ok(existsSync(join(outDir, 'comparison.json')) && existsSync(join(outDir, 'comparison.md')));

  // A third invocation trains nothing.
  const third: { runId: string; resume: boolean }[] = [];
  await runAblation(ablation, { outDir, train: fakeTrainer(third) });
  assert.deepEqual(third, []);
});

test('a run killed before its first checkpoint is resumed in its folder (the trainer restarts it from epoch 1); a changed config is refused', async () => {
  const ablation = parseAblationConfig({ ...CONFIG, methods: ['single'], seeds: [1] }, join(root, 'one.json'));
  const outDir = join(root, 'out2');
  const dir = join(outDir, 'single-seed1');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'run.json'), JSON.stringify(record('single-seed1', ablation.entries[0].config, 'running')));
  const calls: { runId: string; resume: boolean }[] = [];
  await runAblation(ablation, { outDir, train: fakeTrainer(calls) });
  assert.deepEqual(calls, [{ runId: 'single-seed1', resume: true }]);

  const changed = parseAblationConfig({ ...CONFIG, methods: ['single'], seeds: [1], settings: { epochs: 5, imageSize: 32 } }, join(root, 'one.json'));
  await assert.rejects(runAblation(changed, { outDir, train: fakeTrainer([]) }), /existing run has epochs = 1 but the ablation config says 5/);
});

test('cancel: a cancelled run stops the grid without a comparison', async () => {
  const ablation = parseAblationConfig({ ...CONFIG, methods: ['single', 'mtl'], seeds: [1] }, join(root, 'c.json'));
  const controller = new AbortController();
  const train: TrainFunction = async (partial, options) => {
    controller.abort();
    return record(options.runId as string, partial as TrainConfig, 'cancelled');
  };
  const result = await runAblation(ablation, { outDir: join(root, 'out3'), train, signal: controller.signal });
  assert.equal(result.cancelled, true);
  assert.equal(result.comparison, undefined);
  assert.deepEqual(result.runs.map((r) => r.status), ['cancelled', 'pending']);
});

test('--shard: two shards split the grid without overlap, and a plain run afterwards trains nothing and compares', async () => {
  const outDir = join(root, 'sharded');
  const a = parseAblationConfig(CONFIG, join(root, 'tiny.json'));
  const first: { runId: string; resume: boolean }[] = [];
  const second: { runId: string; resume: boolean }[] = [];
  const r1 = await runAblation(a, { outDir, train: fakeTrainer(first), shard: { index: 1, count: 2 } });
  const r2 = await runAblation(a, { outDir, train: fakeTrainer(second), shard: { index: 2, count: 2 } });
  assert.deepEqual(first.map((c) => c.runId), ['single-seed1', 'mtl-seed1', 'birads-no-margin-seed1']);
  assert.deepEqual(second.map((c) => c.runId), ['single-seed2', 'mtl-seed2', 'birads-no-margin-seed2']);
  // A shard writes its own state file and no comparison.
  assert.equal(r1.comparison, undefined);
  assert.equal(r2.comparison, undefined);
  assert.ok(existsSync(join(outDir, 'ablation.shard-1-of-2.json')) && !existsSync(join(outDir, 'comparison.json')));
  const none: { runId: string; resume: boolean }[] = [];
  const all = await runAblation(a, { outDir, train: fakeTrainer(none) });
  assert.deepEqual(none, []);
  assert.ok(all.comparison && existsSync(join(outDir, 'comparison.json')));
  // Several seeds per method: the comparison carries the seed-and-image (hierarchical) CI.
  const cell = all.comparison.cells.find((c) => c.method !== all.comparison!.baseline && c.diceDiffHierarchical);
  assert.ok(cell?.diceDiffHierarchical && cell.diceDiffHierarchical.seeds[0] === 2);
  await assert.rejects(runAblation(a, { outDir, train: fakeTrainer([]), shard: { index: 3, count: 2 } }), /shard: expected K\/N/);
});

test('a run another process holds is skipped, named with its holder, and no comparison is written; the lock is held while a run trains', async () => {
  const ablation = parseAblationConfig({ ...CONFIG, methods: ['single'], seeds: [1, 2] }, join(root, 'held.json'));
  const outDir = join(root, 'held');
  const other = acquireRunLock(join(outDir, 'single-seed1'), 'train', { createFolder: true });
  const calls: { runId: string; resume: boolean }[] = [];
  const actions: string[] = [];
  const trainer = fakeTrainer(calls);
  const locked: (boolean | undefined)[] = [];
  const result = await runAblation(ablation, {
    outDir,
    train: async (partial, options) => {
      locked.push(readRunLock(join(outDir, options.runId!))?.live);
      assert.equal(options.callerHoldsLock, true);
      return trainer(partial, options);
    },
    onRun: (i) => actions.push(`${i.entry.runId}:${i.action}${i.holder ? `:${i.holder.purpose}:${i.holder.pid}` : ''}`),
  });
  assert.deepEqual(actions, [`single-seed1:held:train:${process.pid}`, 'single-seed2:start']);
  assert.deepEqual(calls.map((c) => c.runId), ['single-seed2']);
  assert.deepEqual(locked, [true]);
  assert.equal(readRunLock(join(outDir, 'single-seed2')), undefined, 'released after training');
  assert.deepEqual(result.held.map((h) => h.runId), ['single-seed1']);
  assert.equal(result.comparison, undefined);
  other.release();
});

test('a held run that its holder finished before the end counts as finished: the last invocation compares', async () => {
  const ablation = parseAblationConfig({ ...CONFIG, methods: ['single'], seeds: [1, 2] }, join(root, 'held2.json'));
  const outDir = join(root, 'held2');
  const other = acquireRunLock(join(outDir, 'single-seed1'), 'ablate', { createFolder: true });
  const trainer = fakeTrainer([]);
  const result = await runAblation(ablation, {
    outDir,
    train: async (partial, options) => {
      // The other process finishes single-seed1 while this one trains single-seed2.
      await trainer(ablation.entries[0].config, { ...options, runId: 'single-seed1' });
      other.release();
      return trainer(partial, options);
    },
  });
  assert.deepEqual(result.held, []);
  assert.deepEqual(result.runs.map((r) => r.status), ['finished', 'finished']);
  assert.ok(result.comparison);
});
