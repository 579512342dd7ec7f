/**
 * The comparison and the Runs tree show one Dice CI per run (issue #18, item 7). The tree shows
 * summary.json's (bootstrap seeded with the run's seed); the comparison used to bootstrap the same
 * values again with its own seed (0), so one run's CI read 0.575-0.621 in one view and
 * [0.576, 0.623] in the other. A single-run method now carries its evaluation's summary as is.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { PerImageResult } from '../../src/engine/eval/evaluationTypes';
import { summarizeEvaluation } from '../../src/engine/eval/summarize';
import { compareRuns } from '../../src/engine/experiments/compare';
import { formatPerImageCsv } from '../../src/engine/runs/perImageCsv';
import { summarizeMetric } from '../../src/engine/stats/summary';
import { defaultTrainConfig } from '../../src/engine/train/config';

const root = mkdtempSync(join(tmpdir(), 'bus-compare-summary-'));
after(() => rmSync(root, { recursive: true, force: true }));

function rows(n: number, offset: number): PerImageResult[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `img (${i})`,
    file: `img_${i}`,
    label: i % 2 ? 'benign' : 'malignant',
    patientId: `p${i}`,
    width: 10,
    height: 10,
    dice: 0.4 + ((i * 37) % 23) / 50 + offset,
    iou: 0.4,
    hd95: 3,
    truthArea: 20,
    predictedArea: 20,
    falsePositiveArea: 0,
    pMalignant: i % 2 ? 0.3 + 0.01 * i : 0.6 - 0.005 * i,
    features: {},
  }));
}

/** A run folder as evaluateRun leaves it: per_image.csv and the engine's summary.json, seeded with the run's seed. */
function writeRun(id: string, seed: number, offset: number, extraSeedRun = false): string {
  const dir = join(root, id);
  const config = { ...defaultTrainConfig(), method: 'single' as const, name: extraSeedRun ? 'single-seeds' : id, seed };
  mkdirSync(join(dir, 'eval', 'busi'), { recursive: true });
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ formatVersion: 1, id, name: id, status: 'finished', config, versions: {}, createdAt: 't', updatedAt: 't', epochsCompleted: 1, evaluated: ['busi'] }));
  const r = rows(40, offset);
  writeFileSync(join(dir, 'eval', 'busi', 'per_image.csv'), formatPerImageCsv(r));
  const summary = summarizeEvaluation({ name: 'BUSI', slug: 'busi', spec: 'busi:/x', kind: 'busi', skipped: [] } as never, r, { seed, threshold: 0.5, imageSize: 64 });
  writeFileSync(join(dir, 'eval', 'busi', 'summary.json'), JSON.stringify(summary));
  return dir;
}

test("a single run's Dice summary in the comparison is its summary.json's (one CI in the tree and the table)", async () => {
  const a = writeRun('run-a', 7, 0);
  const b = writeRun('run-b', 11, 0.02);
  const c = await compareRuns([a, b]);
  for (const [id, seed, offset] of [
    ['run-a', 7, 0],
    ['run-b', 11, 0.02],
  ] as const) {
    const fromSummary = summarizeEvaluation({ name: 'BUSI', slug: 'busi', spec: 'busi:/x', kind: 'busi', skipped: [] } as never, rows(40, offset), { seed, threshold: 0.5, imageSize: 64 }).metrics.dice!;
    const cell = c.cells.find((x) => x.method === id)!;
    assert.deepEqual(cell.dice, fromSummary, `${id}: the comparison's Dice summary is summary.json's`);
    assert.deepEqual(cell.runs[0].dice, fromSummary);
    // The comparison's own bootstrap (seed 0) gives another CI on the same values: the old mismatch.
    const reboot = summarizeMetric(cell.perImage.dice, { seed: c.seed, resamples: c.bootstrapResamples })!;
    assert.equal(reboot.mean, fromSummary.mean);
    assert.notDeepEqual(reboot.ci95, fromSummary.ci95);
  }
});

test('a method of several seeds keeps the seed-averaged bootstrap (no single summary.json applies)', async () => {
  const s1 = writeRun('seeds-1', 1, 0, true);
  const s2 = writeRun('seeds-2', 2, 0.01, true);
  const other = writeRun('other', 3, 0.03);
  const c = await compareRuns([s1, s2, other], { baseline: 'other' });
  const cell = c.cells.find((x) => x.method === 'single-seeds')!;
  assert.equal(cell.runs.length, 2);
  assert.deepEqual(cell.dice, summarizeMetric(cell.perImage.dice, { seed: c.seed, resamples: c.bootstrapResamples }));
});
