/**
 * Ablation-comparison view model on the engine's own comparisons (compareEvaluations on synthetic
 * per-image rows): the table shows the engine's labelled differences and Holm p-values as they
 * are, for the runner's baseline and for another one (the engine compared again); stars coloured
 * by the test's direction; strip points named by image; CSV/Markdown; the comparison.json reader
 * refuses layouts the engine never writes; the rebase / openImage messages validate.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { compareEvaluations } from '../../src/engine/experiments/compare';
import { parseComparison, runnerBaseline } from '../../src/engine/experiments/comparisonFile';
import type { Comparison } from '../../src/engine/experiments/comparisonTypes';
import { parseComparisonMessage, parseComparisonState } from '../../src/webviews/protocol';
import { barData, buildTable, cellText, comparisonToCsv, comparisonToMarkdown, DIFF_LABELS, formatP, significanceMark, stripData, stripPointLabel } from '../../src/webviews/comparison/viewModel';
import { parseCsv } from '../../src/engine/data/tabular/csv';

function rand(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Three single-run methods on two datasets of 30 lesion images: better (+0.08 Dice, sharper scores), baseline, worse (-0.08). */
function evaluations() {
  const r = rand(3);
  const ids = Array.from({ length: 30 }, (_, i) => `img (${i})`);
  const base = ids.map(() => 0.4 + 0.4 * r());
  const methods = [
    { id: 'run-single', name: 'U-Net', method: 'single', offset: 0, sharp: 0.15 },
    { id: 'run-birads', name: 'BI-RADS', method: 'birads', offset: 0.08, sharp: 0.35 },
    { id: 'run-mtl', name: 'MTL', method: 'mtl', offset: -0.08, sharp: 0.02 },
  ];
  return methods.map((m) => ({
    dir: `/runs/${m.id}`,
    record: { id: m.id, name: m.name, status: 'finished', config: { name: m.name, method: m.method, seed: 1 } },
    datasets: new Map(
      ['busi', 'busbra'].map((slug) => [
        slug,
        {
          slug,
          name: slug.toUpperCase(),
          rows: ids.map((id, i) => {
            const malignant = i % 2 === 0;
            const dice = Math.min(1, Math.max(0, base[i] + m.offset + 0.01 * (r() - 0.5)));
            const pMalignant = Math.min(1, Math.max(0, 0.5 + (malignant ? m.sharp : -m.sharp) + 0.3 * (r() - 0.5)));
            return { id, file: id, label: malignant ? 'malignant' : 'benign', patientId: id, width: 10, height: 10, dice, iou: dice, hd95: 1, truthArea: 10, predictedArea: 10, falsePositiveArea: 0, pMalignant, features: {} };
          }),
        },
      ]),
    ),
  }));
}

const compare = (baseline: string): Comparison => compareEvaluations(evaluations() as never, { baseline, seed: 1, resamples: 300 });
const runner = compare('run-single');
const rebased = compare('run-mtl');

describe('the table shows the engine comparison as it is', () => {
  it("against the runner's baseline: labelled differences, Holm p, raw p", () => {
    const t = buildTable(runner, 'dice');
    assert.deepEqual(
      t.map((r) => [r.methodId, r.isBaseline]),
      [
        ['run-single', true],
        ['run-birads', false],
        ['run-mtl', false],
      ],
    );
    const engine = runner.cells.find((c) => c.method === 'run-birads' && c.dataset === 'busi')!;
    const cell = t[1].cells[0];
    assert.equal(cell.value, engine.dice!.mean);
    assert.deepEqual(cell.ci, engine.dice!.ci95);
    assert.deepEqual(cell.diffs, [
      { label: DIFF_LABELS.diceMedian, value: engine.diceDiff!.estimate, ci: engine.diceDiff!.ci95 },
      { label: DIFF_LABELS.diceMean, value: engine.diceDiffHierarchical!.mean, ci: engine.diceDiffHierarchical!.ci95 },
    ]);
    assert.equal(cell.p, engine.dicePHolm);
    assert.equal(cell.pRaw, engine.diceP);
    assert.deepEqual(t[0].cells[0].diffs, [], 'the baseline has no differences');
    assert.equal(t[0].cells[0].p, null);
    const auc = buildTable(runner, 'auc')[1].cells[0];
    assert.deepEqual(auc.diffs, [{ label: 'ΔAUC', value: engine.aucDiff!.estimate, ci: engine.aucDiff!.ci95 ?? null }]);
    assert.equal(auc.p, engine.aucPHolm);
  });

  it('against another baseline (the engine compared again): every CI and DeLong p is kept', () => {
    assert.equal(rebased.baseline, 'run-mtl');
    for (const metric of ['dice', 'auc'] as const) {
      for (const row of buildTable(rebased, metric)) {
        for (const c of row.cells) {
          if (row.isBaseline) continue;
          assert.ok(c.p !== null && c.p >= 0 && c.p <= 1, `${metric} ${row.methodId} ${c.dataset}: p ${c.p}`);
          assert.ok(c.diffs.length > 0 && c.diffs.every((d) => d.ci !== null), `${metric} ${row.methodId} ${c.dataset}: a difference without a CI`);
        }
      }
    }
    // What does not depend on the baseline is the same number in both (same seed and resamples).
    const a = buildTable(runner, 'dice').find((r) => r.methodId === 'run-birads')!.cells[0];
    const b = buildTable(rebased, 'dice').find((r) => r.methodId === 'run-birads')!.cells[0];
    assert.deepEqual([a.value, a.ci], [b.value, b.ci]);
  });

  it('stars take the colour of the direction of the test, or none', () => {
    const t = buildTable(runner, 'dice');
    const better = t.find((r) => r.methodId === 'run-birads')!.cells[0];
    const worse = t.find((r) => r.methodId === 'run-mtl')!.cells[0];
    assert.equal(better.mark, '***');
    assert.equal(better.direction, 'better');
    assert.equal(worse.mark, '***');
    assert.equal(worse.direction, 'worse');
    const auc = buildTable(runner, 'auc').find((r) => r.methodId === 'run-mtl')!.cells[0];
    assert.equal(auc.direction, auc.mark ? 'worse' : null);
    assert.equal(significanceMark(0.2), '');
    assert.equal(formatP(0.0042), '0.0042', 'as comparison.md prints it');
    assert.equal(formatP(undefined), '–');
  });

  it('cell text names each difference, so means and paired differences do not read as a contradiction', () => {
    const c = buildTable(runner, 'dice').find((r) => r.methodId === 'run-mtl')!.cells[0];
    const text = cellText(c, false);
    assert.match(text, /^0\.\d{3} \[0\.\d{3}, 0\.\d{3}\]; median paired ΔDice -0\.0\d\d \[-0\.\d{3}, -0\.\d{3}\]; mean paired ΔDice -0\.0\d\d \[.*\]; p=<0\.001 \*\*\*$/);
  });
});

describe('chart data and export', () => {
  it('bar data: one series per method, values and CIs per dataset', () => {
    const b = barData(runner, 'auc');
    assert.equal(b.length, 3);
    assert.deepEqual(b[0].ci[0], runner.cells.find((c) => c.method === 'run-single' && c.dataset === 'busi')!.auc!.ci95);
  });
  it('strip data: points named by image, the gallery run, a tooltip without coordinates', () => {
    const s = stripData(runner, 'busi');
    assert.equal(s.length, 3);
    assert.equal(s[2].galleryRunId, 'run-mtl');
    assert.equal(s[1].points[0].imageId, 'img (0)');
    assert.ok(s[1].points.every((p) => Math.abs(p.x - 1) <= 0.3));
    const label = stripPointLabel(s[1], s[1].points[0]);
    assert.equal(label[0], 'img (0)');
    assert.match(label[1], /^BI-RADS: Dice 0\.\d{3}$/);
    assert.ok(!label.join(' ').includes(String(s[1].points[0].x)), 'no jitter coordinates');
  });
  it('CSV: one row per metric x method x dataset x difference, with the difference named', () => {
    const [header, ...body] = parseCsv(comparisonToCsv(runner));
    const t = { header, rows: body };
    const rows = t.rows.filter((r) => r[0] === 'dice' && r[1] === 'run-birads' && r[4] === 'busi');
    assert.deepEqual(
      rows.map((r) => r[t.header.indexOf('difference')]),
      [DIFF_LABELS.diceMedian, DIFF_LABELS.diceMean],
    );
    assert.equal(rows[0][t.header.indexOf('direction')], 'better');
    assert.equal(rows[0][t.header.indexOf('baseline')], 'run-single');
  });
  it('Markdown: a table per metric with the test named', () => {
    const md = comparisonToMarkdown(runner);
    assert.match(md, /### Dice, mean \[95% CI\] \(baseline: U-Net\)/);
    assert.match(md, /\| BI-RADS \| 0\.\d{3} \[0\.\d{3}, 0\.\d{3}\]; median paired ΔDice \+0\.0/);
    assert.match(md, /p: Wilcoxon signed-rank p on paired per-image Dice, Holm-adjusted across datasets/);
    assert.match(md, /ΔAUC/);
  });
});

describe('reading comparison.json', () => {
  it("accepts the engine's format and refuses layouts it never writes, naming the field", () => {
    assert.equal(parseComparison(JSON.parse(JSON.stringify(runner)), 'c.json').baseline, 'run-single');
    assert.throws(() => parseComparison({ baseline: 'A', results: { ds1: { A: { dice: 0.7 } } } }, '/x/comparison.json'), /^Error: \/x\/comparison\.json: "formatVersion" is undefined, expected 1/);
    assert.throws(() => parseComparison({ ...runner, cells: [{ method: 'run-single', dataset: 'busi', dice: 0.5 }] }, 'c.json'), /c\.json: "cells\[0\]\.perImage" needs ids and dice/);
    assert.throws(() => parseComparison({ ...runner, baseline: 'nope' }, 'c.json'), /"baseline" 'nope' is not one of the methods/);
    assert.throws(() => parseComparison([], 'c.json'), /c\.json: the file is not a JSON object/);
  });
});

describe("Compare Runs' baseline suggestion", () => {
  it("offers the baseline of an ablation runner's comparison of these runs, else of its grid state", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bus-runner-baseline-'));
    try {
      mkdirSync(join(dir, 'grid'));
      writeFileSync(join(dir, 'grid', 'comparison.json'), JSON.stringify(runner));
      writeFileSync(join(dir, 'comparison.json'), '{"not": "a comparison"}');
      assert.deepEqual(await runnerBaseline(dir, ['run-mtl', 'run-single']), { runId: 'run-single', file: 'grid/comparison.json' });
      assert.equal(await runnerBaseline(dir, ['run-mtl', 'run-other']), undefined, 'the baseline is not among the runs');
      assert.equal(await runnerBaseline(dir, ['run-single', 'run-other']), undefined, 'the other runs are not in that comparison');
      // A grid without a comparison yet: its ablation.json names the baseline variant.
      writeFileSync(join(dir, 'ablation.json'), JSON.stringify({ formatVersion: 1, baseline: 'mtl', runs: [{ runId: 'g-single-s1', variant: 'single' }, { runId: 'g-mtl-s1', variant: 'mtl' }] }));
      assert.deepEqual(await runnerBaseline(dir, ['g-single-s1', 'g-mtl-s1']), { runId: 'g-mtl-s1', file: 'ablation.json' });
      assert.equal(await runnerBaseline(dir, ['g-mtl-s1', 'elsewhere']), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('comparison messages (host side validation)', () => {
  it('rebase: a method id round-trips; junk is dropped', () => {
    const msg = JSON.parse(JSON.stringify({ type: 'rebase', baseline: 'birads#2' }));
    assert.deepEqual(parseComparisonMessage(msg), { type: 'rebase', baseline: 'birads#2' });
    for (const baseline of [undefined, '', 3, 'a\nb', 'x'.repeat(201)]) assert.equal(parseComparisonMessage({ type: 'rebase', baseline }), undefined, String(baseline));
  });
  it('compare with a baseline, openImage, and the saved baseline', () => {
    assert.deepEqual(parseComparisonMessage({ type: 'compare', runIds: ['a', 'b'], baseline: 'b' }), { type: 'compare', runIds: ['a', 'b'], baseline: 'b' });
    assert.equal(parseComparisonMessage({ type: 'compare', runIds: ['a'], baseline: 7 }), undefined);
    assert.deepEqual(parseComparisonMessage({ type: 'openImage', runId: 'run-b', dataset: 'busi', imageId: 'benign (12)' }), { type: 'openImage', runId: 'run-b', dataset: 'busi', imageId: 'benign (12)' });
    assert.equal(parseComparisonMessage({ type: 'openImage', runId: '../x', dataset: 'busi', imageId: 'a' }), undefined);
    assert.equal(parseComparisonMessage({ type: 'openImage', runId: 'run-b', dataset: 'busi', imageId: '' }), undefined);
    assert.deepEqual(parseComparisonState({ runIds: ['a'], baseline: 'mtl' }), { runIds: ['a'], baseline: 'mtl' });
  });
});
