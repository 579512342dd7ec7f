/** comparison.md: the comparison as one Markdown table (dataset x method) plus notes. */
import type { MetricSummary } from '../types';
import type { Comparison, ComparisonCell } from './comparisonTypes';
import { formatP, significanceMark } from '../../shared/pValueText';

const f3 = (v: number) => v.toFixed(3);
const signed = (v: number) => (v >= 0 ? '+' : '') + v.toFixed(3);

function withCi(s: { value: number; ci?: [number, number] } | undefined, fmt: (v: number) => string = f3): string {
  if (!s) return '–';
  return s.ci ? `${fmt(s.value)} [${fmt(s.ci[0])}, ${fmt(s.ci[1])}]` : fmt(s.value);
}

const summary = (m: MetricSummary | undefined) => (m ? { value: m.mean, ci: m.ci95 } : undefined);

/** The dataset's name, with its slug when another dataset has the same name (e.g. two synthetic sizes). */
function datasetLabel(slug: string, comparison: Comparison): string {
  const d = comparison.datasets.find((x) => x.slug === slug);
  if (!d) return slug;
  return comparison.datasets.filter((x) => x.name === d.name).length > 1 ? `${d.name} (${d.slug})` : d.name;
}

function row(c: ComparisonCell, comparison: Comparison): string[] {
  const method = comparison.methods.find((m) => m.id === c.method);
  const isBase = c.method === comparison.baseline;
  const seeds = method && method.runs.length > 1 ? ` (${method.runs.length} seeds)` : '';
  return [
    datasetLabel(c.dataset, comparison),
    `${method?.name ?? c.method}${seeds}${isBase ? ' (baseline)' : ''}`,
    String(c.dice?.n ?? 0),
    withCi(summary(c.dice)),
    isBase ? '–' : withCi(c.diceDiff ? { value: c.diceDiff.estimate, ci: c.diceDiff.ci95 } : undefined, signed),
    isBase ? '–' : withCi(c.diceDiffHierarchical ? { value: c.diceDiffHierarchical.mean, ci: c.diceDiffHierarchical.ci95 } : undefined, signed),
    isBase ? '–' : `${formatP(c.dicePHolm)} ${significanceMark(c.dicePHolm)}`.trim() || '–',
    isBase || c.rankBiserial === undefined ? '–' : signed(c.rankBiserial),
    c.iou ? f3(c.iou.mean) : '–',
    c.hd95 ? c.hd95.mean.toFixed(1) : '–',
    withCi(c.auc ? { value: c.auc.value, ci: c.auc.ci95 } : undefined),
    isBase ? '–' : withCi(c.aucDiff ? { value: c.aucDiff.estimate, ci: c.aucDiff.ci95 } : undefined, signed),
    isBase ? '–' : `${formatP(c.aucPHolm)} ${significanceMark(c.aucPHolm)}`.trim() || '–',
  ];
}

export function formatComparisonMarkdown(comparison: Comparison): string {
  const base = comparison.methods.find((m) => m.id === comparison.baseline);
  const header = ['Dataset', 'Method', 'n', 'Dice mean [95% CI]', 'ΔDice vs baseline, median [95% CI]', 'ΔDice mean [seed+image 95% CI]', 'p (Holm)', 'r', 'IoU', 'HD95 (px)', 'AUC [95% CI]', 'ΔAUC [95% CI]', 'p (Holm)'];
  const lines = [
    '# Comparison',
    '',
    `Baseline: **${base?.name ?? comparison.baseline}** (${comparison.baseline}). Created ${comparison.createdAt}.`,
    '',
    'Dice, IoU and HD95 over images with a lesion (mean; 95% percentile bootstrap CI of the mean, ' +
      `${comparison.bootstrapResamples} resamples, seed ${comparison.seed}). ΔDice: median of the per-image differences to the ` +
      'baseline on paired images, bootstrap CI. ΔDice mean: mean paired difference with a hierarchical bootstrap CI that ' +
      'resamples each method\'s seeds, then patients (images where the data has no patients). p: Wilcoxon signed-rank test on paired per-image Dice; r: rank-biserial ' +
      'correlation. AUC: benign vs malignant with DeLong 95% CI; ΔAUC p: DeLong test. p-values are Holm-adjusted across ' +
      'datasets for each method; * p < 0.05, ** p < 0.01, *** p < 0.001. Methods with several seeds use per-image values ' +
      'averaged over seeds. See docs/STATISTICS.md.',
    '',
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
  ];
  for (const ds of comparison.datasets) {
    const cells = comparison.cells.filter((c) => c.dataset === ds.slug);
    cells.sort((a, b) => (a.method === comparison.baseline ? -1 : b.method === comparison.baseline ? 1 : 0));
    for (const c of cells) lines.push(`| ${row(c, comparison).map((v) => v.replace(/\|/g, '\\|')).join(' | ')} |`);
  }
  const perSeed = comparison.cells.flatMap((c) => (c.runs.length > 1 ? c.runs.map((r) => ({ c, r })) : []));
  if (perSeed.length > 0) {
    lines.push('', '## Each seed', '', '| Dataset | Method | Seed | Run | Dice mean [95% CI] | AUC |', '|---|---|---|---|---|---|');
    for (const { c, r } of perSeed) {
      const method = comparison.methods.find((m) => m.id === c.method);
      lines.push(`| ${datasetLabel(c.dataset, comparison)} | ${method?.name ?? c.method} | ${r.seed} | ${r.runId} | ${withCi(summary(r.dice))} | ${r.auc === undefined ? '–' : f3(r.auc)} |`);
    }
  }
  if (comparison.notes.length > 0) lines.push('', '## Notes', '', ...comparison.notes.map((n) => `- ${n}`));
  return lines.join('\n') + '\n';
}
