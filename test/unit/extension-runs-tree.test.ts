import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { acquireRunLock } from '../../src/engine/runs/runLock';
import type { RunRecord } from '../../src/engine/types';
import { listRuns, readRun, toRunListing } from '../../src/extension/runs/runSummaries';
import { childrenOf, datasetNode, formatStartTime, runNode } from '../../src/extension/runs/runsTreeModel';
import { DEFAULT_TRAIN_SETTINGS, completeTrainConfig } from '../../src/extension/train/trainConfigDefaults';

function record(id: string, over: Partial<RunRecord> = {}): RunRecord {
  return {
    formatVersion: 1,
    id,
    name: 'mtl',
    status: 'finished',
    config: completeTrainConfig({ method: 'mtl', train: 'synthetic:site-a', external: ['synthetic:site-b', 'synthetic:site-c'], epochs: 5 }, DEFAULT_TRAIN_SETTINGS),
    versions: {},
    createdAt: '2026-01-02T10:00:00.000Z',
    updatedAt: '2026-01-02T10:05:00.000Z',
    epochsCompleted: 5,
    bestEpoch: 4,
    bestValDice: 0.8123,
    evaluated: ['synthetic-site-b'],
    ...over,
  };
}

const summary = (mean: number) => ({ n: 8, mean, median: mean, std: 0.1, ci95: [mean - 0.05, mean + 0.05] });

function makeRuns(): string {
  const runs = mkdtempSync(join(tmpdir(), 'bus-lab-runs-'));
  const a = join(runs, 'run-a');
  mkdirSync(join(a, 'eval', 'synthetic-site-b'), { recursive: true });
  writeFileSync(join(a, 'run.json'), JSON.stringify(record('run-a')));
  writeFileSync(
    join(a, 'eval', 'synthetic-site-b', 'summary.json'),
    JSON.stringify({ dataset: 'synthetic site-b', dice: summary(0.71), iou: summary(0.6), auc: { value: 0.83, ci95: [0.7, 0.95] }, checkpoint: { which: 'best', epoch: 4, weightsSha256: 'ab'.repeat(32) } }),
  );
  // Evaluated later by the CLI, not yet in run.json's list: still found.
  mkdirSync(join(a, 'eval', 'synthetic-site-c'), { recursive: true });
  writeFileSync(join(a, 'eval', 'synthetic-site-c', 'summary.json'), JSON.stringify({ metrics: { dice: summary(0.65) }, auc: 0.7 }));
  const b = join(runs, 'run-b');
  mkdirSync(b);
  writeFileSync(join(b, 'run.json'), JSON.stringify(record('run-b', { status: 'running', createdAt: '2026-01-03T10:00:00.000Z', epochsCompleted: 2, bestValDice: undefined, evaluated: [] })));
  mkdirSync(join(runs, 'in-progress')); // no run.json yet: skipped quietly
  mkdirSync(join(runs, 'broken'));
  writeFileSync(join(runs, 'broken', 'run.json'), '{ not json');
  return runs;
}

describe('run summaries', () => {
  it('lists runs newest first with their evaluations, and reports unreadable folders', async () => {
    const runsDir = makeRuns();
    const { runs, problems } = await listRuns(runsDir);
    assert.deepEqual(runs.map((r) => r.id), ['run-b', 'run-a']);
    assert.equal(problems.length, 1);
    assert.match(problems[0], /broken/);
    const a = runs[1];
    assert.equal(a.method, 'mtl');
    assert.equal(a.epochs, 5);
    assert.equal(a.bestValDice, 0.8123);
    assert.deepEqual(a.external.map((e) => [e.dataset, e.slug, e.dice?.mean, e.auc]), [
      ['synthetic site-b', 'synthetic-site-b', 0.71, 0.83],
      ['synthetic-site-c', 'synthetic-site-c', 0.65, 0.7],
    ]);
    assert.deepEqual(a.external[0].aucCi95, [0.7, 0.95]);
    assert.deepEqual(Object.keys(a.external[0].metrics).sort(), ['dice', 'iou']);
  });

  it('treats a missing runs folder as empty and a missing run.json as an error', async () => {
    assert.deepEqual(await listRuns(join(tmpdir(), 'bus-lab-does-not-exist-' + Date.now())), { runs: [], problems: [] });
    await assert.rejects(readRun(join(tmpdir(), 'nope-' + Date.now())), /not found/);
  });
});

describe('runs tree model', () => {
  it('builds run → datasets → metrics nodes', async () => {
    const runsDir = makeRuns();
    // run-b is training: this process holds its lock (without one it would be interrupted, below).
    const lock = acquireRunLock(join(runsDir, 'run-b'), 'train');
    const { runs } = await listRuns(runsDir);
    lock.release();
    assert.equal((await readRun(join(runsDir, 'run-b'))).status, 'interrupted', 'a running run whose lock is gone');
    const roots = childrenOf(runs);
    assert.equal(roots.length, 2);
    const [running, finished] = roots;
    assert.equal(running.contextValue, 'run.running');
    assert.equal(running.icon?.id, 'sync~spin');
    assert.match(running.description!, /epoch 2\/5/);
    assert.equal(finished.contextValue, 'run.finished');
    assert.equal(finished.icon?.id, 'pass');
    // The name alone (the id is <time>-<name>), the best val Dice first so a narrow sidebar keeps it.
    assert.equal(finished.label, 'mtl');
    assert.equal(finished.description, `best val Dice 0.812 · ${formatStartTime('2026-01-02T10:00:00.000Z')}`);
    assert.match(finished.tooltip!, /^mtl\nId: run-a\n/);
    assert.match(finished.tooltip!, /Method: mtl\nSeed: \d+\nImage size: \d+ px\nBest epoch: 4 \(val Dice 0.812\)/);

    const children = childrenOf(runs, finished);
    assert.deepEqual(children.map((c) => [c.kind, c.label, c.description]), [
      ['info', 'Validation', 'best Dice 0.812 · 5/5 epochs'],
      ['dataset', 'synthetic site-b', 'Dice 0.710 · AUC 0.830 · epoch 4'],
      ['dataset', 'synthetic-site-c', 'Dice 0.650 · AUC 0.700'],
    ]);
    assert.equal(children[1].contextValue, 'externalDataset');
    assert.match(children[1].tooltip!, /Evaluated: the best weights, epoch 4/);
    assert.match(children[2].tooltip!, /Evaluated weights not recorded/);
    // Evaluate's "keep both" writes eval/<slug>@<time>: that row says when.
    const a = runs[1];
    const kept = datasetNode(a, { ...a.external[0], slug: 'synthetic-site-b@20261130-185512' });
    assert.equal(kept.label, 'synthetic site-b (evaluated 2026-11-30 18:55 UTC)');
    const metrics = childrenOf(runs, children[1]);
    assert.deepEqual(metrics.map((m) => m.label), ['dice', 'iou', 'auc']);
    assert.equal(metrics[0].description, '0.710 ± 0.100 (95% CI 0.660–0.760, n=8)');
    assert.equal(metrics[2].description, '0.830 (95% CI 0.700–0.950)');
    assert.deepEqual(childrenOf(runs, metrics[0]), []);

    const pending = childrenOf(runs, running);
    assert.deepEqual(pending.map((c) => c.label), ['Validation', 'External datasets']);
    assert.equal(pending[1].description, '2 pending');
  });

  it('shows failed and cancelled runs with their icons, error and a distinct context value', async () => {
    const { runs } = await listRuns(makeRuns());
    const failed = runNode({ ...runs[1], status: 'failed', error: 'Dataset folder not found' });
    assert.equal(failed.contextValue, 'run.failed');
    assert.equal(failed.icon?.id, 'error');
    assert.equal(childrenOf([], failed)[0].description, 'Dataset folder not found');
    const cancelled = runNode({ ...runs[1], status: 'cancelled' });
    assert.equal(cancelled.contextValue, 'run.cancelled');
    assert.notEqual(cancelled.key, undefined);
    const named = runNode({ ...runs[1], name: 'ablation-1' });
    assert.equal(named.label, 'ablation-1');
    assert.match(named.description!, /^best val Dice 0.812 · mtl · /, 'the method when the name does not say it');
  });

  it('a birads run\'s tooltip names lambda and phi\'s settings', () => {
    const cfg = completeTrainConfig({ method: 'birads', train: 'synthetic:site-a', external: [], epochs: 5, lambda: 0.25, phiInit: 'calibrated', phiSupervision: 0.5, maskGradient: false, seed: 7, imageSize: 64 }, DEFAULT_TRAIN_SETTINGS);
    const r = record('run-x', { name: 'birads', config: cfg, bestEpoch: 3, bestValDice: 0.7 });
    const node = runNode(toRunListing('/runs/run-x', r, []));
    assert.match(node.tooltip!, /Method: birads\nSeed: 7\nImage size: 64 px\nλ \(consistency weight\): 0.25\nφ: init calibrated, lr (the network's|[\d.e-]+), supervision 0.5, mask gradient off\nBest epoch: 3 \(val Dice 0.700\)/);
  });

  it('offers Resume (inline and in the context menu) for cancelled, failed and interrupted runs only', async () => {
    const { runs } = await listRuns(makeRuns());
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { contributes: { menus: Record<string, { command: string; when?: string }[]> } };
    const resumeMenus = manifest.contributes.menus['view/item/context'].filter((m) => m.command === 'busLab.resumeRun');
    assert.equal(resumeMenus.length, 2);
    for (const menu of resumeMenus) {
      const pattern = new RegExp(/viewItem =~ \/(.*)\/$/.exec(menu.when ?? '')![1]);
      const offered = (['running', 'finished', 'failed', 'cancelled', 'interrupted'] as const).filter((status) => pattern.test(runNode({ ...runs[1], status }).contextValue!));
      assert.deepEqual(offered, ['failed', 'cancelled', 'interrupted']);
    }
    const interrupted = runNode({ ...runs[1], status: 'interrupted', epochsCompleted: 2 });
    assert.equal(interrupted.icon?.id, 'debug-disconnect');
    assert.match(interrupted.description!, /interrupted at epoch 2\/5, resumable/);
    assert.match(interrupted.tooltip!, /process is gone .* Resume continues from its last checkpoint/);
  });
});
