/**
 * Ablation-comparison view model: lays out the engine's comparison (comparison.json, as
 * `compareRuns` writes it) as table rows, bar (mean + CI) and strip (per-image) chart data, and
 * CSV / Markdown. It computes no statistics: every difference, CI and p-value is the engine's,
 * for the baseline the engine compared against (another baseline is another engine comparison,
 * asked of the host with a `rebase` message). Pure: no DOM, no Node, no vscode.
 */
import { toCsv, toMarkdownTable } from '../common/csv';
import type { Comparison, ComparisonCell } from '../protocol';
import { formatP as formatPText, significanceMark } from '../../shared/pValueText';

export type Interval = [number, number];
export type CompareMetric = 'dice' | 'auc';

/** Whether the engine's test says the method is better or worse than the baseline (only when significant). */
export type Direction = 'better' | 'worse' | null;

/** What each difference is, as the table and the exports label it. */
export const DIFF_LABELS = {
  /** Median of the per-image differences (method − baseline) on paired images, bootstrap CI. */
  diceMedian: 'median paired ΔDice',
  /** Mean of the per-image differences, CI from resampling seeds then images (patients). */
  diceMean: 'mean paired ΔDice',
  /** AUC(method) − AUC(baseline) on the images both classified, DeLong CI. */
  auc: 'ΔAUC',
} as const;

export const P_LABELS = {
  dice: 'Wilcoxon signed-rank p on paired per-image Dice, Holm-adjusted across datasets',
  auc: 'DeLong p, Holm-adjusted across datasets',
} as const;

export interface Difference {
  label: string;
  value: number;
  ci: Interval | null;
}

export interface TableCell {
  dataset: string;
  value: number | null;
  ci: Interval | null;
  n: number | null;
  /** The engine's differences to the baseline (none for the baseline itself). */
  diffs: Difference[];
  /** Holm-adjusted p, and the raw p it came from. */
  p: number | null;
  pRaw: number | null;
  mark: string;
  direction: Direction;
  /** Images paired with the baseline (Dice). */
  pairs: number | null;
}

export interface TableRow {
  methodId: string;
  name: string;
  trainMethod: string;
  /** Runs (seeds) of the method. */
  runs: number;
  isBaseline: boolean;
  cells: TableCell[];
}

export function getCell(c: Comparison, method: string, dataset: string): ComparisonCell | undefined {
  return c.cells.find((x) => x.method === method && x.dataset === dataset);
}

export { significanceMark };

/** p as comparison.md prints it; "–" when there is none. */
export const formatP = (p: number | null | undefined): string => formatPText(p) || '–';

const sign = (v: number | undefined): Direction => (v === undefined || v === 0 || !Number.isFinite(v) ? null : v > 0 ? 'better' : 'worse');

function diceCell(cell: ComparisonCell | undefined, dataset: string, isBaseline: boolean): TableCell {
  const out: TableCell = { dataset, value: cell?.dice?.mean ?? null, ci: cell?.dice?.ci95 ?? null, n: cell?.dice?.n ?? null, diffs: [], p: null, pRaw: null, mark: '', direction: null, pairs: null };
  if (!cell || isBaseline) return out;
  if (cell.diceDiff) out.diffs.push({ label: DIFF_LABELS.diceMedian, value: cell.diceDiff.estimate, ci: cell.diceDiff.ci95 });
  if (cell.diceDiffHierarchical) out.diffs.push({ label: DIFF_LABELS.diceMean, value: cell.diceDiffHierarchical.mean, ci: cell.diceDiffHierarchical.ci95 });
  out.p = cell.dicePHolm ?? null;
  out.pRaw = cell.diceP ?? null;
  out.pairs = cell.pairs ?? null;
  out.mark = significanceMark(out.p);
  // The direction of the test that gave the p: the rank-biserial correlation's sign (W+ vs W−),
  // not the median difference, which can be 0 while the ranks lean one way.
  if (out.mark) out.direction = sign(cell.rankBiserial ?? cell.diceDiffHierarchical?.mean ?? cell.diceDiff?.estimate);
  return out;
}

function aucCell(cell: ComparisonCell | undefined, dataset: string, isBaseline: boolean): TableCell {
  const out: TableCell = { dataset, value: cell?.auc?.value ?? null, ci: cell?.auc?.ci95 ?? null, n: cell?.auc ? cell.auc.positives + cell.auc.negatives : null, diffs: [], p: null, pRaw: null, mark: '', direction: null, pairs: null };
  if (!cell || isBaseline) return out;
  if (cell.aucDiff) out.diffs.push({ label: DIFF_LABELS.auc, value: cell.aucDiff.estimate, ci: cell.aucDiff.ci95 ?? null });
  out.p = cell.aucPHolm ?? null;
  out.pRaw = cell.aucP ?? null;
  out.mark = significanceMark(out.p);
  if (out.mark) out.direction = sign(cell.aucDiff?.estimate);
  return out;
}

/** The table of one metric against the comparison's own baseline: one row per method, one cell per dataset. */
export function buildTable(c: Comparison, metric: CompareMetric): TableRow[] {
  return c.methods.map((m) => {
    const isBaseline = m.id === c.baseline;
    return {
      methodId: m.id,
      name: m.name,
      trainMethod: m.trainMethod,
      runs: m.runs.length,
      isBaseline,
      cells: c.datasets.map((d) => (metric === 'dice' ? diceCell : aucCell)(getCell(c, m.id, d.slug), d.slug, isBaseline)),
    };
  });
}

// ----------------------------------------------------------------------------- chart data

export interface BarDatum {
  methodId: string;
  name: string;
  /** One value per dataset (comparison.datasets order), null when missing. */
  values: (number | null)[];
  ci: (Interval | null)[];
}

export function barData(c: Comparison, metric: CompareMetric): BarDatum[] {
  return c.methods.map((m) => {
    const cells = c.datasets.map((d) => getCell(c, m.id, d.slug));
    const vals = cells.map((x) => (metric === 'dice' ? (x?.dice ? { value: x.dice.mean, ci: x.dice.ci95 } : undefined) : x?.auc ? { value: x.auc.value, ci: x.auc.ci95 } : undefined));
    return { methodId: m.id, name: m.name, values: vals.map((v) => v?.value ?? null), ci: vals.map((v) => v?.ci ?? null) };
  });
}

export interface StripPoint {
  x: number;
  y: number;
  /** The image's id (per_image.csv `id`), which the gallery opens. */
  imageId: string;
}

export interface StripGroup {
  methodId: string;
  name: string;
  /** The run whose gallery a click opens: the method's first run (its per-image Dice is the seed mean). */
  galleryRunId: string;
  seeds: number;
  /** Category position (0..methods-1). */
  x: number;
  points: StripPoint[];
  median: number;
}

/** Deterministic jitter in [-w, w] from an index (stable between renders). */
export function jitter(i: number, w: number): number {
  const s = Math.sin(i * 12.9898 + 78.233) * 43758.5453;
  return (s - Math.floor(s) - 0.5) * 2 * w;
}

function medianOf(values: readonly number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** Per-image Dice of one dataset as jittered strips, one per method, each point named by its image. */
export function stripData(c: Comparison, dataset: string, width = 0.3): StripGroup[] {
  const out: StripGroup[] = [];
  c.methods.forEach((m, x) => {
    const cell = getCell(c, m.id, dataset);
    if (!cell || cell.perImage.dice.length === 0 || m.runs.length === 0) return;
    const points = cell.perImage.dice.map((y: number, i: number) => ({ x: x + jitter(i, width), y, imageId: cell.perImage.ids[i] }));
    // The median line is a picture of the points, not a reported statistic.
    out.push({ methodId: m.id, name: m.name, galleryRunId: m.runs[0].id, seeds: m.runs.length, x, points, median: medianOf(cell.perImage.dice) });
  });
  return out;
}

/** Tooltip text of one strip point: the image, its Dice, and where a click leads. */
export function stripPointLabel(g: StripGroup, p: StripPoint): string[] {
  const lines = [`${p.imageId}`, `${g.name}: Dice ${p.y.toFixed(3)}${g.seeds > 1 ? ` (mean of ${g.seeds} seeds)` : ''}`];
  lines.push(g.seeds > 1 ? `Click to open it in the Mask Gallery (run ${g.galleryRunId})` : 'Click to open it in the Mask Gallery');
  return lines;
}

// ----------------------------------------------------------------------------- export

const fmt = (v: number | null | undefined, digits = 3) => (v === null || v === undefined || !Number.isFinite(v) ? '' : v.toFixed(digits));
const fmtSigned = (v: number, digits = 3) => (v >= 0 ? '+' : '') + v.toFixed(digits);
const fmtCi = (ci: Interval | null) => (ci ? ` [${fmt(ci[0])}, ${fmt(ci[1])}]` : '');

/** One labelled difference: "median paired ΔDice −0.003 [−0.009, 0.000]". */
export function differenceText(d: Difference): string {
  return `${d.label} ${fmtSigned(d.value)}${d.ci ? ` [${fmtSigned(d.ci[0])}, ${fmtSigned(d.ci[1])}]` : ''}`;
}

/** Text of one table cell: "0.812 [0.790, 0.831]; median paired ΔDice +0.012 [...]; p=0.03 *". */
export function cellText(c: TableCell, isBaseline: boolean): string {
  if (c.value === null) return '–';
  const parts = [`${fmt(c.value)}${fmtCi(c.ci)}`];
  if (!isBaseline) {
    for (const d of c.diffs) parts.push(differenceText(d));
    if (c.p !== null) parts.push(`p=${formatP(c.p)}${c.mark ? ' ' + c.mark : ''}`);
  }
  return parts.join('; ');
}

/** Long-format CSV of both metrics: one row per metric x method x dataset x difference. */
export function comparisonToCsv(c: Comparison): string {
  const header = ['metric', 'method', 'name', 'seeds', 'dataset', 'value', 'ci_low', 'ci_high', 'n', 'difference', 'diff', 'diff_ci_low', 'diff_ci_high', 'p_holm', 'p_raw', 'significance', 'direction', 'baseline'];
  const rows: unknown[][] = [];
  for (const metric of ['dice', 'auc'] as const) {
    for (const row of buildTable(c, metric)) {
      for (const cell of row.cells) {
        const diffs: (Difference | null)[] = cell.diffs.length ? cell.diffs : [null];
        for (const d of diffs) {
          rows.push([
            metric,
            row.methodId,
            row.name,
            row.runs,
            cell.dataset,
            cell.value ?? '',
            cell.ci?.[0] ?? '',
            cell.ci?.[1] ?? '',
            cell.n ?? '',
            d?.label ?? '',
            d?.value ?? '',
            d?.ci?.[0] ?? '',
            d?.ci?.[1] ?? '',
            cell.p ?? '',
            cell.pRaw ?? '',
            cell.mark,
            cell.direction ?? '',
            c.baseline,
          ]);
        }
      }
    }
  }
  return toCsv(header, rows);
}

/** Markdown: one table per metric, methods as rows, datasets as columns. */
export function comparisonToMarkdown(c: Comparison): string {
  const parts: string[] = [];
  const base = c.methods.find((m) => m.id === c.baseline);
  for (const metric of ['dice', 'auc'] as const) {
    const table = buildTable(c, metric);
    parts.push(`### ${metric === 'dice' ? 'Dice, mean [95% CI]' : 'AUC [95% CI]'} (baseline: ${base?.name ?? c.baseline})\n`);
    const header = ['Method', ...c.datasets.map((d) => d.name)];
    const rows = table.map((r) => [r.isBaseline ? `${r.name} (baseline)` : r.name, ...r.cells.map((x) => cellText(x, r.isBaseline))]);
    parts.push(toMarkdownTable(header, rows, ['l', ...c.datasets.map(() => 'r' as const)]));
    parts.push(`p: ${P_LABELS[metric]}.\n`);
  }
  parts.push('* p<0.05, ** p<0.01, *** p<0.001.\n');
  return parts.join('\n');
}
