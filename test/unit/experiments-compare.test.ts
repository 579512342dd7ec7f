/**
 * Run comparison on synthetic run folders written here: pairing by id (rows shuffled, an extra
 * image without a baseline counterpart), seed replicates grouped into one method, hand-checkable
 * Wilcoxon/Holm values, DeLong on the seed-averaged scores, and the written files.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { PerImageResult } from '../../src/engine/eval/evaluationTypes';
import { formatPerImageCsv } from '../../src/engine/runs/perImageCsv';
import { compareRuns, writeComparison } from '../../src/engine/experiments/compare';
import { delongTest } from '../../src/engine/stats/auc';
import { defaultTrainConfig } from '../../src/engine/train/config';
import type { RunRecord, TrainConfig } from '../../src/engine/types';

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'bus-compare-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

function writeRun(id: string, config: Partial<TrainConfig>, evals: Record<string, PerImageResult[]>, complete = true): string {
  const dir = join(root, id);
  const record: RunRecord = {
    formatVersion: 1,
    id,
    name: config.name ?? config.method ?? 'run',
    status: 'finished',
    config: { ...defaultTrainConfig(), ...config },
    versions: {},
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    epochsCompleted: 1,
    evaluated: Object.keys(evals),
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'run.json'), JSON.stringify(record));
  for (const [slug, rows] of Object.entries(evals)) {
    mkdirSync(join(dir, 'eval', slug), { recursive: true });
    writeFileSync(join(dir, 'eval', slug, 'per_image.csv'), formatPerImageCsv(rows));
    if (complete) writeFileSync(join(dir, 'eval', slug, 'summary.json'), JSON.stringify({ dataset: slug.toUpperCase(), slug }));
  }
  return dir;
}

/** n lesion images with base Dice 0.5 + 0.02 i and a Dice offset per image; p(malignant) given. */
function rows(n: number, diceOffset: (i: number) => number, score: (i: number) => number, extra: Partial<PerImageResult>[] = []): PerImageResult[] {
  const out: PerImageResult[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      id: `img (${i})`,
      file: `img_${i}`,
      label: i % 2 === 0 ? 'malignant' : 'benign',
      patientId: `p${i}`,
      width: 10,
      height: 10,
      dice: 0.5 + 0.02 * i + diceOffset(i),
      iou: 0.4,
      hd95: 3,
      truthArea: 20,
      predictedArea: 20,
      falsePositiveArea: 2,
      pMalignant: score(i),
      features: {},
    });
  }
  out.push({ id: 'normal (1)', file: 'normal_1', label: 'normal', patientId: 'pn', width: 10, height: 10, dice: 0, truthArea: 0, predictedArea: 5, falsePositiveArea: 5, pMalignant: 0.4, features: {} });
  return [...out, ...(extra as PerImageResult[])];
}

// Scores: the baseline ranks a few benign images above malignant ones; birads separates better.
const baseScore = (i: number) => (i % 2 === 0 ? 0.6 : 0.4) + (i % 3 === 0 ? -0.25 : 0.02 * i);
const biradsScore = (seed: number) => (i: number) => (i % 2 === 0 ? 0.7 : 0.3) + 0.01 * ((i * 7 + seed) % 5);

test('compareRuns pairs by id, groups seeds, and reproduces hand-checkable tests', async () => {
  const single = writeRun('single-a', { method: 'single', name: 'single', seed: 1 }, {
    busi: rows(12, () => 0, baseScore),
    busbra: rows(10, () => 0, baseScore),
  });
  const extra = [{ id: 'only-in-birads', file: 'x', label: 'benign' as const, patientId: 'x', width: 10, height: 10, dice: 0.9, truthArea: 5, predictedArea: 5, falsePositiveArea: 0, features: {} }];
  // Two seeds: per-image mean difference to the baseline is 0.01 (i + 1) + 0.001 > 0, all distinct.
  const b1 = writeRun('birads-seed1', { method: 'birads', name: 'birads', seed: 1 }, {
    busi: rows(12, (i) => 0.01 * (i + 1), biradsScore(1), extra).reverse(),
    busbra: rows(10, (i) => 0.01 * (i + 1), biradsScore(1)),
  });
  const b2 = writeRun('birads-seed2', { method: 'birads', name: 'birads', seed: 2 }, {
    busi: rows(12, (i) => 0.01 * (i + 1) + 0.002, biradsScore(2), extra),
    busbra: rows(10, (i) => 0.01 * (i + 1) + 0.002, biradsScore(2)),
  });
  // An interrupted evaluation (no summary.json) is ignored.
  writeRun('birads-seed2', { method: 'birads', name: 'birads', seed: 2 }, { udiat: rows(3, () => 0, baseScore) }, false);

  const c = await compareRuns([single, b1, b2], { baseline: 'single', seed: 3, resamples: 500 });
  assert.equal(c.baseline, 'single-a');
  assert.deepEqual(c.methods.map((m) => [m.id, m.runs.length]), [['single-a', 1], ['birads', 2]]);
  assert.deepEqual(c.datasets.map((d) => d.slug).sort(), ['busbra', 'busi']);

  const cell = (m: string, d: string) => c.cells.find((x) => x.method === m && x.dataset === d)!;
  const busi = cell('birads', 'busi');
  assert.equal(busi.pairs, 12); // 'only-in-birads' has no baseline counterpart; the normal image has no Dice
  assert.equal(busi.perImage.ids.length, 13);
  assert.equal(busi.runs.length, 2);
  assert.ok(c.notes.some((n) => n.includes('1 image(s) of birads have no baseline counterpart')));
  // Exact Wilcoxon: all 12 differences positive and distinct -> p = 2 / 2^12; busbra: 2 / 2^10.
  assert.equal(busi.wilcoxon?.method, 'exact');
  assert.ok(Math.abs((busi.diceP as number) - 2 / 4096) < 1e-12);
  const busbra = cell('birads', 'busbra');
  assert.ok(Math.abs((busbra.diceP as number) - 2 / 1024) < 1e-12);
  // Holm over the two datasets: min(1, 2 * 2/4096) = 0.000977, then max(that, 1 * 2/1024) = 0.001953.
  assert.ok(Math.abs((busi.dicePHolm as number) - 4 / 4096) < 1e-12);
  assert.ok(Math.abs((busbra.dicePHolm as number) - 2 / 1024) < 1e-12);
  assert.equal(busi.rankBiserial, 1);
  // Median of 0.01 (i + 1) + 0.001 over i = 0..11: (0.061 + 0.071) / 2.
  assert.ok(Math.abs((busi.diceDiff?.estimate as number) - 0.066) < 1e-9);
  assert.ok(busi.diceDiff!.ci95[0] > 0);
  // Baseline cell carries no comparison.
  const base = cell('single-a', 'busi');
  assert.equal(base.diceP, undefined);
  assert.equal(base.dice?.n, 12);
  assert.ok(Math.abs(base.dice!.mean - (0.5 + 0.02 * 5.5)) < 1e-9);

  // DeLong on seed-averaged scores equals a direct computation on the same vectors.
  const ids = Array.from({ length: 12 }, (_, i) => i);
  const avg = ids.map((i) => (biradsScore(1)(i) + biradsScore(2)(i)) / 2);
  const t = delongTest(avg, ids.map(baseScore), ids.map((i) => i % 2 === 0));
  assert.ok(Math.abs((busi.aucDiff?.estimate as number) - t.difference) < 1e-9);
  assert.ok(Math.abs((busi.aucP as number) - t.p) < 1e-9);
  assert.ok(busi.auc && busi.auc.value > base.auc!.value);

  const out = join(root, 'out');
  const files = await writeComparison(out, c);
  const json = JSON.parse(readFileSync(files.json, 'utf8'));
  assert.equal(json.cells.length, 4);
  const md = readFileSync(files.markdown, 'utf8');
  assert.match(md, /\| BUSI \| single \(baseline\) \| 12 \|/);
  assert.match(md, /\| BUSI \| birads \(2 seeds\) \| 13 \| .* \| \+0\.066 \[.*\] \| <0\.001 \*\*\* \| \+1\.000 \|/);
  assert.match(md, /\| BUSBRA \| birads \(2 seeds\) \| 10 \| .* \| 0\.0020 \*\* \|/);
});

test('baseline choice: run id, unknown name, ambiguous name', async () => {
  const a = writeRun('mtl-x', { method: 'mtl', lambda: 0.1 }, { s: rows(4, () => 0, baseScore) });
  const b = writeRun('mtl-y', { method: 'mtl', lambda: 0.9 }, { s: rows(4, () => 0.01, baseScore) });
  const byRun = await compareRuns([a, b], { baseline: 'mtl-y' });
  assert.equal(byRun.baseline, 'mtl-y');
  assert.equal(byRun.methods.length, 2, 'different lambdas are different methods');
  await assert.rejects(compareRuns([a, b], { baseline: 'nope' }), /baseline 'nope' matches no run id or method name/);
  await assert.rejects(compareRuns([a, b], { baseline: 'mtl' }), /baseline 'mtl' is ambiguous/);
  await assert.rejects(compareRuns([a, a]), /given twice/);
  await assert.rejects(compareRuns([join(root, 'missing')]), /run\.json: not found/);
});
