/**
 * Ablation-comparison view model: reading comparison.json (the runner's format, checked against
 * its type, and looser layouts), the table against the runner's baseline (its numbers as they
 * are) and against another baseline (Wilcoxon + Holm computed here), chart data, CSV/Markdown.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Comparison } from '../../src/engine/experiments/comparisonTypes';
import { barData, buildTable, comparisonToCsv, comparisonToMarkdown, normalizeComparison, pairPerImage, stripData } from '../../src/webviews/comparison/viewModel';
import { parseCsv } from '../../src/webviews/common/csv';
import { formatP, holm, significanceMark, wilcoxonSignedRank } from '../../src/webviews/comparison/stats';

const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
const base = [0.5, 0.6, 0.7, 0.55, 0.65, 0.4, 0.8, 0.75];
const better = base.map((v, i) => v + 0.05 + i * 0.001);
const worse = base.map((v) => v - 0.1);
const summary = (mean: number) => ({ n: 8, mean, median: mean, std: 0.1, ci95: [mean - 0.05, mean + 0.05] as [number, number] });
const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;

const runner: Comparison = {
  formatVersion: 1,
  createdAt: '2026-01-01T00:00:00Z',
  baseline: 'single',
  seed: 1,
  bootstrapResamples: 1000,
  methods: [
    { id: 'single', name: 'U-Net', trainMethod: 'single', runs: [{ id: 'r1', dir: '/runs/r1', seed: 1, status: 'finished' }] },
    { id: 'birads', name: 'BI-RADS loss', trainMethod: 'birads', runs: [{ id: 'r2', dir: '/runs/r2', seed: 1, status: 'finished' }] },
    { id: 'mtl', name: 'MTL', trainMethod: 'mtl', runs: [{ id: 'r3', dir: '/runs/r3', seed: 1, status: 'finished' }] },
  ],
  datasets: [
    { slug: 'busi', name: 'BUSI' },
    { slug: 'udiat', name: 'UDIAT' },
  ],
  cells: [
    ...['busi', 'udiat'].flatMap((dataset) => [
      { method: 'single', dataset, dice: summary(mean(base)), auc: { value: 0.8, ci95: [0.7, 0.9] as [number, number], positives: 4, negatives: 4 }, perImage: { ids, dice: base }, runs: [] },
      {
        method: 'birads',
        dataset,
        dice: summary(mean(better)),
        auc: { value: 0.85, ci95: [0.75, 0.95] as [number, number], positives: 4, negatives: 4 },
        perImage: { ids, dice: better },
        runs: [],
        diceDiff: { estimate: 0.0535, ci95: [0.05, 0.057] as [number, number], statistic: 'median' as const },
        diceP: 0.0078,
        dicePHolm: 0.0156,
        aucDiff: { estimate: 0.05, ci95: [-0.02, 0.12] as [number, number], z: 1.2, positives: 4, negatives: 4 },
        aucP: 0.23,
        aucPHolm: 0.46,
      },
      {
        method: 'mtl',
        dataset,
        dice: summary(mean(worse)),
        perImage: { ids: [...ids].reverse(), dice: [...worse].reverse() },
        runs: [],
        diceDiff: { estimate: -0.1, ci95: [-0.1, -0.1] as [number, number], statistic: 'median' as const },
        diceP: 0.0078,
        dicePHolm: 0.0156,
      },
    ]),
  ],
  notes: ['UDIAT: 1 image(s) of mtl have no baseline counterpart'],
};

describe('stats used by the comparison view', () => {
  it('Wilcoxon signed-rank: exact small-sample p, normal approximation with ties, zeros dropped', () => {
    // All 8 differences positive and distinct: exact two-sided p = 2 / 2^8.
    const r = wilcoxonSignedRank(better, base);
    assert.equal(r.method, 'exact');
    assert.equal(r.n, 8);
    assert.ok(Math.abs(r.p - 2 / 256) < 1e-12);
    assert.equal(wilcoxonSignedRank([1, 2], [1, 2]).p, 1);
    const tied = wilcoxonSignedRank(
      Array.from({ length: 40 }, (_, i) => (i % 3) + 1),
      Array.from({ length: 40 }, () => 0),
    );
    assert.equal(tied.method, 'normal');
    assert.ok(tied.p < 1e-6);
    // Symmetric differences: no evidence.
    assert.ok(wilcoxonSignedRank([1, -1, 2, -2, 3, -3], [0, 0, 0, 0, 0, 0]).p > 0.9);
  });
  it('Holm step-down adjustment keeps order and monotonicity', () => {
    assert.deepEqual(holm([0.01, 0.04, 0.03]), [0.03, 0.06, 0.06]);
    const withNaN = holm([0.02, NaN]);
    assert.equal(withNaN[0], 0.02);
    assert.ok(Number.isNaN(withNaN[1]));
  });
  it('significance marks and p formatting', () => {
    assert.equal(significanceMark(0.0005), '***');
    assert.equal(significanceMark(0.005), '**');
    assert.equal(significanceMark(0.04), '*');
    assert.equal(significanceMark(0.2), '');
    assert.equal(significanceMark(null), '');
    assert.equal(formatP(0.0001), '<0.001');
    assert.equal(formatP(0.0123), '0.012');
    assert.equal(formatP(0.0042), '0.0042', 'as comparison.md prints it');
    assert.equal(formatP(0.23), '0.230');
  });
});

describe('reading comparison.json', () => {
  it("reads the runner's format (methods, cells, Holm p, DeLong p, per-image ids, notes)", () => {
    const v = normalizeComparison(JSON.parse(JSON.stringify(runner)));
    assert.equal(v.baseline, 'single');
    assert.deepEqual(
      v.runs.map((r) => [r.id, r.name, r.method]),
      [
        ['single', 'U-Net', 'single'],
        ['birads', 'BI-RADS loss', 'birads'],
        ['mtl', 'MTL', 'mtl'],
      ],
    );
    assert.deepEqual(
      v.datasets.map((d) => d.slug),
      ['busi', 'udiat'],
    );
    const c = v.cells.find((x) => x.runId === 'birads' && x.dataset === 'busi')!;
    assert.equal(c.diceP, 0.0156, 'Holm-adjusted, not the raw p');
    assert.equal(c.aucP, 0.46);
    assert.deepEqual(c.diceDiff, { value: 0.0535, ci: [0.05, 0.057] });
    assert.deepEqual(c.dice?.ci, [mean(better) - 0.05, mean(better) + 0.05]);
    assert.deepEqual(c.auc, { value: 0.85, ci: [0.75, 0.95] });
    assert.deepEqual(c.perImage?.ids, ids);
    assert.ok(v.warnings.some((w) => w.includes('no baseline counterpart')));
  });

  it('reads nested-map and by-dataset layouts, numbers or objects', () => {
    const nested = normalizeComparison({ baseline: 'A', results: { ds1: { A: { dice: 0.7 }, B: { dice: { mean: 0.75, ci: { lo: 0.7, hi: 0.8 } }, pHolm: 0.01 } } } });
    assert.deepEqual(
      nested.runs.map((r) => r.id),
      ['A', 'B'],
    );
    assert.equal(nested.cells.find((c) => c.runId === 'B')?.diceP, 0.01);
    assert.deepEqual(nested.cells.find((c) => c.runId === 'B')?.dice?.ci, [0.7, 0.8]);
    const byDs = normalizeComparison({ runs: [{ runId: 'x', name: 'X' }], datasets: [{ slug: 'd', runs: [{ runId: 'x', dice: 0.5, auc: 0.6 }] }] });
    assert.equal(byDs.cells[0].auc?.value, 0.6);
    assert.equal(byDs.runs[0].name, 'X');
  });

  it('survives junk without throwing', () => {
    for (const junk of [null, 3, 'x', [], { cells: [1, null, { dice: 1 }] }, { results: 'x' }]) {
      const v = normalizeComparison(junk);
      assert.ok(Array.isArray(v.cells));
      assert.ok(v.warnings.length > 0, JSON.stringify(junk));
    }
  });
});

describe('the table', () => {
  const v = normalizeComparison(runner);

  it("against the runner's baseline: its differences and Holm p as they are, with marks", () => {
    const t = buildTable(v, 'single', 'dice');
    assert.deepEqual(
      t.map((r) => [r.runId, r.isBaseline]),
      [
        ['single', true],
        ['birads', false],
        ['mtl', false],
      ],
    );
    const b = t[1].cells[0];
    assert.equal(b.p, 0.0156);
    assert.equal(b.pSource, 'runner');
    assert.equal(b.mark, '*');
    assert.equal(b.diff, 0.0535);
    assert.deepEqual(b.diffCi, [0.05, 0.057]);
    assert.equal(t[0].cells[0].p, null);
    const auc = buildTable(v, null, 'auc');
    assert.equal(auc[1].cells[0].p, 0.46);
    assert.equal(auc[1].cells[0].mark, '');
    assert.ok(Math.abs((auc[1].cells[0].diff ?? 0) - 0.05) < 1e-12);
    assert.equal(auc[2].cells[0].value, null, 'mtl has no AUC');
  });

  it('against another baseline: median paired difference, Wilcoxon p Holm-adjusted across datasets', () => {
    const t = buildTable(v, 'birads', 'dice');
    assert.equal(t.find((r) => r.isBaseline)?.runId, 'birads');
    const single = t.find((r) => r.runId === 'single')!;
    const mtl = t.find((r) => r.runId === 'mtl')!;
    // single - birads: every difference negative -> exact p 2/256 per dataset, Holm over 2 datasets.
    assert.equal(single.cells[0].pSource, 'computed');
    assert.ok(Math.abs((single.cells[0].p ?? 0) - (2 * 2) / 256) < 1e-12);
    assert.ok((single.cells[0].diff ?? 0) < 0);
    assert.equal(single.cells[0].diffCi, null);
    // mtl's per-image arrays are reversed: pairing is by id, so the differences are all -0.15-ish.
    assert.ok(Math.abs((mtl.cells[0].diff ?? 0) - -0.1535) < 0.002, String(mtl.cells[0].diff));
    assert.equal(mtl.cells[0].mark, '*');
    // AUC has no DeLong p for another baseline.
    const auc = buildTable(v, 'birads', 'auc');
    assert.equal(auc.find((r) => r.runId === 'single')!.cells[0].p, null);
    assert.ok(Math.abs((auc.find((r) => r.runId === 'single')!.cells[0].diff ?? 0) - -0.05) < 1e-12);
  });

  it('pairs per-image values by id, or by position when ids are absent', () => {
    assert.deepEqual(pairPerImage({ ids: ['x', 'y'], dice: [1, 2] }, { ids: ['y', 'z'], dice: [5, 6] }), [[2], [5]]);
    assert.deepEqual(pairPerImage({ dice: [1, 2] }, { dice: [3, 4] }), [
      [1, 2],
      [3, 4],
    ]);
    assert.equal(pairPerImage({ dice: [1] }, { dice: [3, 4] }), undefined);
  });
});

describe('chart data and export', () => {
  const v = normalizeComparison(runner);
  it('bar data: one series per run, values and CIs per dataset', () => {
    const b = barData(v, 'dice');
    assert.equal(b.length, 3);
    assert.equal(b[0].values.length, 2);
    assert.deepEqual(b[0].ci[0], [mean(base) - 0.05, mean(base) + 0.05]);
    assert.deepEqual(barData(v, 'auc')[2].values, [null, null]);
  });
  it('strip data: jittered around the run position, stable, with the median', () => {
    const s = stripData(v, 'busi');
    assert.equal(s.length, 3);
    assert.equal(s[1].x, 1);
    assert.ok(s[1].points.every((p) => Math.abs(p.x - 1) <= 0.3));
    assert.deepEqual(stripData(v, 'busi')[1].points, s[1].points);
    assert.ok(Math.abs(s[0].median - (0.6 + 0.65) / 2) < 1e-12);
  });
  it('CSV: one row per metric x run x dataset, parseable', () => {
    const csv = comparisonToCsv(v, 'single');
    const t = parseCsv(csv);
    assert.equal(t.header[0], 'metric');
    assert.equal(t.rows.length, 2 * 3 * 2);
    const row = t.rows.find((r) => r[0] === 'dice' && r[1] === 'birads' && r[3] === 'busi')!;
    assert.equal(row[t.header.indexOf('p_holm')], '0.0156');
    assert.equal(row[t.header.indexOf('significance')], '*');
    assert.equal(row[t.header.indexOf('baseline')], 'single');
  });
  it('Markdown: a table per metric with runs as rows and datasets as columns', () => {
    const md = comparisonToMarkdown(v, 'single');
    assert.match(md, /### Dice, mean \[95% CI\] \(baseline: U-Net\)/);
    assert.match(md, /\| Run \| BUSI \| UDIAT \|/);
    assert.match(md, /\| U-Net \(baseline\) \| 0\.\d{3} \[/);
    assert.match(md, /BI-RADS loss \| 0\.\d{3} \[0\.\d{3}, 0\.\d{3}\] Δ \+0\.05\d p=0\.016 \*/);
    assert.match(md, /### AUC/);
  });
});
