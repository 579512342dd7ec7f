/**
 * Run comparison: for every dataset x method, Dice / IoU / HD95 with bootstrap CIs and AUC with
 * DeLong CI; against the baseline, the median per-image Dice difference with a bootstrap CI, the
 * Wilcoxon signed-rank p and rank-biserial effect size on paired per-image Dice, Holm-adjusted
 * across datasets, and DeLong's test of the AUCs. Images are paired by id.
 */
import { join } from 'node:path';
import type { PerImageResult } from '../eval/evaluationTypes';
import type { MetricSummary } from '../types';
import { writeFileAtomic } from '../runs/atomicWrite';
import { aucMannWhitney, aucWithCI, delongTest } from '../stats/auc';
import { DEFAULT_RESAMPLES, pairedDifferenceCI } from '../stats/bootstrap';
import { rankBiserial } from '../stats/effectSize';
import { holmAdjust } from '../stats/holm';
import { hierarchicalPairedDifference } from '../stats/hierarchicalBootstrap';
import { summarizeMetric } from '../stats/summary';
import { wilcoxonSignedRank } from '../stats/wilcoxon';
import type { Comparison, ComparisonCell, ComparisonDataset, PerImageDice, RunCell } from './comparisonTypes';
import { formatComparisonMarkdown } from './comparisonMarkdown';
import { findBaseline, groupRunsByMethod, MethodGroup } from './methodGroups';
import { readRunEvaluations, RunEvaluations } from '../runs/evaluationFolder';

export interface CompareOptions {
  /** Run id or method name of the baseline (default: the first run's method). */
  baseline?: string;
  /** Seed of the bootstrap CIs (default 0). */
  seed?: number;
  resamples?: number;
}

/** A method's per-image values on one dataset, averaged over its runs (seeds). */
interface MethodImages {
  ids: string[];
  dice: Map<string, number>;
  iou: Map<string, number>;
  hd95: Map<string, number>;
  /** Seed-averaged p(malignant) of benign/malignant images. */
  score: Map<string, { p: number; malignant: boolean }>;
  /** Each run's (seed's) own lesion Dice, for the hierarchical bootstrap. */
  runDice: Map<string, number>[];
  /** Patient of each image. */
  patient: Map<string, string>;
}

/** Averages a per-image value over runs; an image counts only when every run defines it. */
function averaged(tables: PerImageResult[][], pick: (r: PerImageResult) => number | undefined): Map<string, number> {
  const out = new Map<string, number>();
  const lookups = tables.map((rows) => new Map(rows.map((r) => [r.id, r])));
  for (const row of tables[0]) {
    let sum = 0;
    let ok = true;
    for (const lookup of lookups) {
      const r = lookup.get(row.id);
      const v = r ? pick(r) : undefined;
      if (v === undefined || !Number.isFinite(v)) {
        ok = false;
        break;
      }
      sum += v;
    }
    if (ok) out.set(row.id, sum / tables.length);
  }
  return out;
}

function methodImages(tables: PerImageResult[][]): MethodImages {
  // Dice compares lesion segmentations only: normal images (no true lesion) are left out.
  const lesion = (r: PerImageResult) => r.truthArea > 0;
  const dice = averaged(tables, (r) => (lesion(r) ? r.dice : undefined));
  const p = averaged(tables, (r) => (r.label === 'normal' ? undefined : r.pMalignant));
  const labels = new Map(tables[0].map((r) => [r.id, r.label]));
  const score = new Map([...p].map(([id, v]) => [id, { p: v, malignant: labels.get(id) === 'malignant' }]));
  return {
    ids: tables[0].map((r) => r.id).filter((id) => dice.has(id)),
    dice,
    iou: averaged(tables, (r) => (lesion(r) ? r.iou : undefined)),
    hd95: averaged(tables, (r) => (lesion(r) ? r.hd95 : undefined)),
    score,
    runDice: tables.map((rows) => new Map(rows.filter((r) => lesion(r) && r.dice !== undefined && Number.isFinite(r.dice)).map((r) => [r.id, r.dice as number]))),
    patient: new Map(tables[0].map((r) => [r.id, r.patientId])),
  };
}

function perImageOf(images: MethodImages): PerImageDice {
  return { ids: images.ids, dice: images.ids.map((id) => images.dice.get(id) as number) };
}

function runCell(run: RunEvaluations, slug: string, seed: number, resamples: number): RunCell {
  const rows = run.datasets.get(slug)?.rows ?? [];
  const images = methodImages([rows]);
  const perImage = perImageOf(images);
  const cell: RunCell = { runId: run.record.id, seed: run.record.config.seed, perImage };
  const dice = evaluationDice(run, slug, perImage) ?? summarizeMetric(perImage.dice, { seed, resamples });
  if (dice) cell.dice = dice;
  const scored = [...images.score.values()];
  if (scored.some((s) => s.malignant) && scored.some((s) => !s.malignant)) {
    cell.auc = aucMannWhitney(
      scored.map((s) => s.p),
      scored.map((s) => s.malignant),
    );
  }
  return cell;
}

/**
 * A run's Dice summary as its evaluation wrote it (summary.json: the same lesion images, bootstrap
 * seeded with the run's seed), so the comparison and the Runs tree show one CI, not two bootstraps.
 */
function evaluationDice(run: RunEvaluations, slug: string, perImage: PerImageDice): MetricSummary | undefined {
  const dice = run.datasets.get(slug)?.dice;
  return dice && dice.n === perImage.dice.length ? dice : undefined;
}

function describeCell(group: MethodGroup, slug: string, images: MethodImages, seed: number, resamples: number): ComparisonCell {
  const perImage = perImageOf(images);
  const members = group.members.filter((m) => m.datasets.has(slug));
  const cell: ComparisonCell = {
    method: group.method.id,
    dataset: slug,
    perImage,
    runs: members.map((m) => runCell(m, slug, seed, resamples)),
  };
  // One run: its evaluation's own summary. Several seeds: the seed-averaged values, bootstrapped here.
  const dice = (members.length === 1 ? evaluationDice(members[0], slug, perImage) : undefined) ?? summarizeMetric(perImage.dice, { seed, resamples });
  const iou = summarizeMetric([...images.iou.values()], { seed, resamples });
  const hd95 = summarizeMetric([...images.hd95.values()], { seed, resamples });
  if (dice) cell.dice = dice;
  if (iou) cell.iou = iou;
  if (hd95) cell.hd95 = hd95;
  const scored = [...images.score.values()];
  const positives = scored.filter((s) => s.malignant).length;
  const negatives = scored.length - positives;
  if (positives > 0 && negatives > 0) {
    const a = aucWithCI(
      scored.map((s) => s.p),
      scored.map((s) => s.malignant),
    );
    cell.auc = { value: a.auc, ...(a.ci ? { ci95: a.ci } : {}), positives, negatives };
  }
  return cell;
}

/** Fills the fields that compare a cell with the baseline's cell on the same dataset. */
function compareWithBaseline(cell: ComparisonCell, images: MethodImages, base: MethodImages, seed: number, resamples: number): void {
  const paired = images.ids.filter((id) => base.dice.has(id));
  cell.pairs = paired.length;
  if (paired.length > 0) {
    const a = paired.map((id) => images.dice.get(id) as number);
    const b = paired.map((id) => base.dice.get(id) as number);
    const diff = pairedDifferenceCI(a, b, { statistic: 'median', seed, resamples });
    cell.diceDiff = { estimate: diff.estimate, ci95: diff.ci, statistic: 'median' };
    const w = wilcoxonSignedRank(a, b);
    cell.wilcoxon = { n: w.n, zeros: w.zeros, wPlus: w.wPlus, wMinus: w.wMinus, z: w.z, p: w.p, method: w.method };
    cell.diceP = w.p;
    cell.rankBiserial = rankBiserial(w);
    // Patients are the resampling unit where the data has them (fewer patients than images).
    const byPatient = new Set(paired.map((id) => base.patient.get(id) ?? id)).size < paired.length;
    const h = hierarchicalPairedDifference(images.runDice, base.runDice, { seed, resamples, clusterOf: byPatient ? (id) => base.patient.get(id) ?? id : undefined });
    cell.diceDiffHierarchical = { mean: h.mean, median: h.median, ci95: h.ci95, images: h.images, clusters: h.clusters, clusterUnit: byPatient ? 'patient' : 'image', seeds: h.seeds };
  }
  const both = [...images.score.keys()].filter((id) => base.score.has(id));
  const malignant = both.map((id) => (images.score.get(id) as { malignant: boolean }).malignant);
  const positives = malignant.filter(Boolean).length;
  if (positives > 0 && positives < both.length) {
    const t = delongTest(
      both.map((id) => (images.score.get(id) as { p: number }).p),
      both.map((id) => (base.score.get(id) as { p: number }).p),
      malignant,
    );
    cell.aucDiff = { estimate: t.difference, ...(t.ci ? { ci95: t.ci } : {}), z: t.z, positives, negatives: both.length - positives };
    cell.aucP = t.p;
  }
}

/** Holm across the datasets of each method, separately for Dice and AUC p-values. */
function applyHolm(cells: ComparisonCell[]): void {
  const byMethod = new Map<string, ComparisonCell[]>();
  for (const c of cells) byMethod.set(c.method, [...(byMethod.get(c.method) ?? []), c]);
  for (const group of byMethod.values()) {
    for (const [raw, adjusted] of [
      ['diceP', 'dicePHolm'],
      ['aucP', 'aucPHolm'],
    ] as const) {
      const withP = group.filter((c) => c[raw] !== undefined);
      const adj = holmAdjust(withP.map((c) => c[raw] as number));
      withP.forEach((c, i) => (c[adjusted] = adj[i]));
    }
  }
}

/** Compares already-read runs (used by compareRuns and by tests). */
export function compareEvaluations(runs: readonly RunEvaluations[], options: CompareOptions = {}): Comparison {
  const seed = options.seed ?? 0;
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const groups = groupRunsByMethod(runs);
  const baseline = findBaseline(groups, options.baseline);
  const notes: string[] = [];
  const datasets: ComparisonDataset[] = [];
  for (const r of runs) {
    for (const d of r.datasets.values()) if (!datasets.some((x) => x.slug === d.slug)) datasets.push({ slug: d.slug, name: d.name });
  }
  const cells: ComparisonCell[] = [];
  for (const ds of datasets) {
    const imagesOf = new Map<MethodGroup, MethodImages>();
    for (const g of groups) {
      const tables = g.members.filter((m) => m.datasets.has(ds.slug)).map((m) => (m.datasets.get(ds.slug) as { rows: PerImageResult[] }).rows);
      if (tables.length === 0) {
        notes.push(`${g.method.name} (${g.method.id}) has no evaluation on ${ds.name}`);
        continue;
      }
      if (tables.length < g.members.length) notes.push(`${ds.name}: ${g.method.id} uses ${tables.length} of its ${g.members.length} runs (the others have no evaluation)`);
      imagesOf.set(g, methodImages(tables));
    }
    const base = imagesOf.get(baseline);
    for (const [g, images] of imagesOf) {
      const cell = describeCell(g, ds.slug, images, seed, resamples);
      if (g !== baseline && base) {
        compareWithBaseline(cell, images, base, seed, resamples);
        const unpaired = images.ids.length - (cell.pairs ?? 0);
        if (unpaired > 0) notes.push(`${ds.name}: ${unpaired} image(s) of ${g.method.id} have no baseline counterpart and are left out of the paired tests`);
      }
      cells.push(cell);
    }
  }
  applyHolm(cells);
  return {
    formatVersion: 1,
    createdAt: new Date().toISOString(),
    baseline: baseline.method.id,
    seed,
    bootstrapResamples: resamples,
    methods: groups.map((g) => g.method),
    datasets,
    cells,
    notes,
  };
}

export async function compareRuns(runDirs: string[], options: CompareOptions = {}): Promise<Comparison> {
  if (runDirs.length === 0) throw new Error('comparison: no run folders given');
  const runs: RunEvaluations[] = [];
  for (const dir of runDirs) runs.push(await readRunEvaluations(dir));
  const ids = new Set<string>();
  for (const r of runs) {
    if (ids.has(r.record.id)) throw new Error(`${r.dir}: run id '${r.record.id}' is given twice`);
    ids.add(r.record.id);
  }
  return compareEvaluations(runs, options);
}

/** Writes comparison.json and comparison.md into outDir (atomically). */
export async function writeComparison(outDir: string, comparison: Comparison): Promise<{ json: string; markdown: string }> {
  const json = join(outDir, 'comparison.json');
  const markdown = join(outDir, 'comparison.md');
  await writeFileAtomic(json, JSON.stringify(comparison, null, 1) + '\n');
  await writeFileAtomic(markdown, formatComparisonMarkdown(comparison));
  return { json, markdown };
}
