/**
 * Ablation-comparison view model: normalises comparison.json (defensively: the runner's format
 * may grow) into a ComparisonView, re-bases it on a chosen baseline, builds the table rows, the
 * bar (mean + CI) and strip (per-image) chart data, and exports CSV / Markdown.
 * Pure: no DOM, no Node, no vscode.
 */
import { toCsv, toMarkdownTable } from '../common/csv';
import { formatP, holm, median, significanceMark, wilcoxonSignedRank } from './stats';

export type Interval = [number, number];

export interface ValueWithCi {
  value: number;
  ci?: Interval;
}

export interface ComparisonCell {
  runId: string;
  dataset: string;
  dice?: ValueWithCi & { n?: number };
  /** Difference to the runner's baseline (mean of paired differences or difference of means). */
  diceDiff?: ValueWithCi;
  /** Holm-adjusted Wilcoxon signed-rank p against the runner's baseline. */
  diceP?: number;
  auc?: ValueWithCi;
  aucDiff?: ValueWithCi;
  /** Holm-adjusted p of the AUC difference (DeLong) against the runner's baseline. */
  aucP?: number;
  /** Per-image Dice, paired across runs by `ids` when present, else by position. */
  perImage?: { ids?: string[]; dice: number[] };
}

export interface ComparisonRun {
  id: string;
  name: string;
  method?: string;
}

export interface ComparisonView {
  /** Run id of the runner's baseline (the one its p-values refer to), when known. */
  baseline: string | null;
  runs: ComparisonRun[];
  datasets: { slug: string; name: string }[];
  cells: ComparisonCell[];
  createdAt?: string;
  /** The runner's notes, and problems met while reading (unknown shapes are skipped, not fatal). */
  warnings: string[];
}

// ----------------------------------------------------------------------------- normalising

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : typeof v === 'number' ? String(v) : undefined);

function first(o: Obj, keys: readonly string[]): unknown {
  for (const k of keys) if (o[k] !== undefined && o[k] !== null) return o[k];
  return undefined;
}

function readCi(o: Obj): Interval | undefined {
  const c = first(o, ['ci95', 'ci', 'CI', 'confidenceInterval']);
  if (Array.isArray(c) && c.length === 2 && isNum(c[0]) && isNum(c[1])) return [c[0], c[1]];
  if (isObj(c)) {
    const lo = first(c, ['lo', 'low', 'lower']);
    const hi = first(c, ['hi', 'high', 'upper']);
    if (isNum(lo) && isNum(hi)) return [lo, hi];
  }
  const lo = first(o, ['ciLow', 'ci_low', 'lower', 'ci95Low']);
  const hi = first(o, ['ciHigh', 'ci_high', 'upper', 'ci95High']);
  if (isNum(lo) && isNum(hi)) return [lo, hi];
  return undefined;
}

/** A number or an object {mean|value|auc|estimate, ci95|ci|...}. */
function readValue(v: unknown): (ValueWithCi & { n?: number }) | undefined {
  if (isNum(v)) return { value: v };
  if (!isObj(v)) return undefined;
  const value = first(v, ['mean', 'value', 'auc', 'estimate', 'diff', 'difference', 'delta']);
  if (!isNum(value)) return undefined;
  const out: ValueWithCi & { n?: number } = { value };
  const ci = readCi(v);
  if (ci) out.ci = ci;
  if (isNum(v.n)) out.n = v.n;
  return out;
}

function readP(o: Obj, keys: readonly string[]): number | undefined {
  const v = first(o, keys);
  if (isNum(v)) return v;
  if (isObj(v)) {
    const p = first(v, ['pHolm', 'pAdjusted', 'holm', 'adjusted', 'p']);
    if (isNum(p)) return p;
  }
  return undefined;
}

function readNumArray(v: unknown): number[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v.map((x) => (isNum(x) ? x : NaN));
}

function readCell(o: Obj, runId: string, dataset: string): ComparisonCell {
  const cell: ComparisonCell = { runId, dataset };
  const diceSrc = first(o, ['dice', 'diceMean', 'meanDice']);
  const dice = readValue(diceSrc);
  if (dice) {
    if (!dice.ci) {
      const ci = readCi(o);
      if (ci) dice.ci = ci;
    }
    cell.dice = dice;
  }
  const diceObj = isObj(diceSrc) ? diceSrc : {};
  const diff = readValue(first(o, ['diceDiff', 'diffToBaseline', 'diff', 'delta', 'difference']) ?? first(diceObj, ['diff', 'diffToBaseline', 'delta']));
  if (diff) cell.diceDiff = diff;
  const p =
    readP(o, ['dicePHolm', 'pHolm', 'pAdjusted', 'holmP', 'p_holm', 'wilcoxonHolm', 'wilcoxon', 'dicePAdjusted']) ??
    readP(diceObj, ['pHolm', 'pAdjusted', 'holmP', 'wilcoxon', 'p']);
  if (p !== undefined) cell.diceP = p;

  const aucSrc = first(o, ['auc', 'AUC']);
  const auc = readValue(aucSrc);
  if (auc) cell.auc = auc;
  const aucObj = isObj(aucSrc) ? aucSrc : {};
  const aucDiff = readValue(first(o, ['aucDiff', 'aucDiffToBaseline', 'aucDelta']) ?? first(aucObj, ['diff', 'diffToBaseline', 'delta']));
  if (aucDiff) cell.aucDiff = aucDiff;
  const aucP = readP(o, ['aucPHolm', 'aucP', 'delongHolm', 'delong', 'aucPAdjusted']) ?? readP(aucObj, ['pHolm', 'pAdjusted', 'holmP', 'delong', 'p']);
  if (aucP !== undefined) cell.aucP = aucP;

  const per = first(o, ['perImage', 'perImageDice', 'diceValues', 'values']) ?? first(diceObj, ['values', 'perImage']);
  if (Array.isArray(per)) {
    const d = readNumArray(per);
    if (d) cell.perImage = { dice: d };
  } else if (isObj(per)) {
    const d = readNumArray(first(per, ['dice', 'values']));
    const ids = per.ids;
    if (d) {
      cell.perImage = { dice: d };
      if (Array.isArray(ids) && ids.length === d.length && ids.every((x) => typeof x === 'string')) cell.perImage.ids = ids as string[];
    }
  }
  const ids = o.imageIds ?? o.ids;
  if (cell.perImage && !cell.perImage.ids && Array.isArray(ids) && ids.length === cell.perImage.dice.length && ids.every((x) => typeof x === 'string')) {
    cell.perImage.ids = ids as string[];
  }
  return cell;
}

function readRun(v: unknown): ComparisonRun | undefined {
  if (typeof v === 'string') return { id: v, name: v };
  if (!isObj(v)) return undefined;
  const id = str(first(v, ['id', 'runId', 'run']));
  if (!id) return undefined;
  const name = str(first(v, ['name', 'label', 'trainMethod', 'method'])) ?? id;
  const method = str(v.trainMethod ?? v.method);
  return method ? { id, name, method } : { id, name };
}

function readDataset(v: unknown): { slug: string; name: string } | undefined {
  if (typeof v === 'string') return { slug: v, name: v };
  if (!isObj(v)) return undefined;
  const slug = str(first(v, ['slug', 'id', 'dataset']));
  if (!slug) return undefined;
  return { slug, name: str(first(v, ['name', 'label'])) ?? slug };
}

/**
 * Reads comparison.json contents. Understands three layouts:
 *  - `{ runs, datasets, cells: [{ run|runId, dataset|slug, dice, ... }] }` (flat),
 *  - `{ runs, datasets: [{ slug, name, runs|results: [{ runId, dice, ... }] }] }` (by dataset),
 *  - `{ results: { <dataset>: { <runId>: { dice, ... } } } }` (nested maps).
 * Metrics are a number or `{ mean|value, ci95: [lo, hi], n }`; p-values `pHolm`/`pAdjusted`/... .
 */
export function normalizeComparison(raw: unknown): ComparisonView {
  const view: ComparisonView = { baseline: null, runs: [], datasets: [], cells: [], warnings: [] };
  if (!isObj(raw)) {
    view.warnings.push('comparison is not a JSON object');
    return view;
  }
  const runs = new Map<string, ComparisonRun>();
  const datasets = new Map<string, { slug: string; name: string }>();
  const addRun = (r: ComparisonRun | undefined) => {
    if (r && !runs.has(r.id)) runs.set(r.id, r);
  };
  const addDataset = (d: { slug: string; name: string } | undefined) => {
    if (d && !datasets.has(d.slug)) datasets.set(d.slug, d);
  };
  if (Array.isArray(raw.runs)) raw.runs.forEach((r) => addRun(readRun(r)));
  if (Array.isArray(raw.methods)) raw.methods.forEach((r) => addRun(readRun(r)));

  const baselineRaw = first(raw, ['baseline', 'baselineRunId', 'baselineRun']);
  const baseline = typeof baselineRaw === 'string' ? baselineRaw : readRun(baselineRaw)?.id;

  const cells: ComparisonCell[] = [];
  const pushCell = (o: unknown, runHint?: string, dsHint?: string) => {
    if (!isObj(o)) return;
    const runId = runHint ?? str(first(o, ['runId', 'run', 'id', 'method']));
    const ds = dsHint ?? str(first(o, ['dataset', 'slug', 'datasetSlug']));
    if (!runId || !ds) {
      view.warnings.push('skipped a cell without run or dataset');
      return;
    }
    addRun(runs.get(runId) ?? { id: runId, name: str(o.name) ?? runId });
    addDataset(datasets.get(ds) ?? { slug: ds, name: str(o.datasetName) ?? ds });
    cells.push(readCell(o, runId, ds));
  };

  if (Array.isArray(raw.datasets)) {
    for (const d of raw.datasets) {
      const ds = readDataset(d);
      addDataset(ds);
      if (ds && isObj(d)) {
        const rows = first(d, ['runs', 'results', 'rows', 'cells']);
        if (Array.isArray(rows)) rows.forEach((r) => pushCell(r, undefined, ds.slug));
        else if (isObj(rows)) for (const [rid, r] of Object.entries(rows)) pushCell(r, rid, ds.slug);
      }
    }
  }
  if (Array.isArray(raw.cells)) raw.cells.forEach((c) => pushCell(c));
  const results = raw.results;
  if (isObj(results)) {
    for (const [ds, byRun] of Object.entries(results)) {
      addDataset(datasets.get(ds) ?? { slug: ds, name: ds });
      if (isObj(byRun)) for (const [rid, r] of Object.entries(byRun)) pushCell(r, rid, ds);
      else if (Array.isArray(byRun)) byRun.forEach((r) => pushCell(r, undefined, ds));
    }
  } else if (Array.isArray(results)) results.forEach((c) => pushCell(c));

  view.runs = [...runs.values()];
  view.datasets = [...datasets.values()];
  // One cell per (run, dataset): the last one wins.
  const byKey = new Map<string, ComparisonCell>();
  for (const c of cells) byKey.set(`${c.runId}\u0000${c.dataset}`, c);
  view.cells = [...byKey.values()];
  view.baseline = baseline && runs.has(baseline) ? baseline : baseline ? (view.runs.find((r) => r.name === baseline)?.id ?? null) : null;
  if (typeof raw.createdAt === 'string') view.createdAt = raw.createdAt;
  if (Array.isArray(raw.notes)) for (const n of raw.notes) if (typeof n === 'string') view.warnings.push(n);
  if (view.runs.length === 0) view.warnings.push('no runs found in the comparison');
  return view;
}

export function getCell(view: ComparisonView, runId: string, dataset: string): ComparisonCell | undefined {
  return view.cells.find((c) => c.runId === runId && c.dataset === dataset);
}

// ----------------------------------------------------------------------------- the table

export type PSource = 'runner' | 'computed' | 'none';

export interface TableCell {
  dataset: string;
  value: number | null;
  ci: Interval | null;
  diff: number | null;
  diffCi: Interval | null;
  p: number | null;
  pSource: PSource;
  mark: string;
  n: number | null;
}

export interface TableRow {
  runId: string;
  name: string;
  method?: string;
  isBaseline: boolean;
  cells: TableCell[];
}

export type CompareMetric = 'dice' | 'auc';

/** Pairs two per-image arrays by id when both have ids, else by position (equal length only). */
export function pairPerImage(a: ComparisonCell['perImage'], b: ComparisonCell['perImage']): [number[], number[]] | undefined {
  if (!a || !b) return undefined;
  if (a.ids && b.ids) {
    const mb = new Map<string, number>();
    b.ids.forEach((id, i) => mb.set(id, b.dice[i]));
    const x: number[] = [];
    const y: number[] = [];
    a.ids.forEach((id, i) => {
      const v = mb.get(id);
      if (v !== undefined) {
        x.push(a.dice[i]);
        y.push(v);
      }
    });
    return x.length ? [x, y] : undefined;
  }
  return a.dice.length === b.dice.length && a.dice.length > 0 ? [a.dice, b.dice] : undefined;
}

/**
 * The table for one metric against `baseline`. When it is the runner's own baseline, the runner's
 * differences (median per-image difference for Dice, with its CI) and Holm-adjusted p-values are
 * shown as they are. For another baseline, where per-image Dice exists, the median paired
 * difference and the Wilcoxon signed-rank p are computed here and Holm-adjusted, like the runner
 * does, across the datasets of each run; without per-image values the difference of means is
 * shown, without a p. AUC p-values need the runner (DeLong) and are left out for another baseline.
 */
export function buildTable(view: ComparisonView, baseline: string | null, metric: CompareMetric): TableRow[] {
  const base = baseline && view.runs.some((r) => r.id === baseline) ? baseline : view.baseline;
  const runnersBaseline = base !== null && base === view.baseline;
  const rows: TableRow[] = view.runs.map((r) => ({
    runId: r.id,
    name: r.name,
    ...(r.method ? { method: r.method } : {}),
    isBaseline: r.id === base,
    cells: [],
  }));
  for (const row of rows) {
    const computed: { cell: TableCell; p: number }[] = [];
    for (const ds of view.datasets) {
      const baseCell = base ? getCell(view, base, ds.slug) : undefined;
      const baseVal = metric === 'dice' ? baseCell?.dice?.value : baseCell?.auc?.value;
      const c = getCell(view, row.runId, ds.slug);
      const v = metric === 'dice' ? c?.dice : c?.auc;
      const cell: TableCell = {
        dataset: ds.slug,
        value: v?.value ?? null,
        ci: v?.ci ?? null,
        diff: null,
        diffCi: null,
        p: null,
        pSource: 'none',
        mark: '',
        n: metric === 'dice' ? (c?.dice?.n ?? c?.perImage?.dice.length ?? null) : null,
      };
      row.cells.push(cell);
      if (row.isBaseline || !c || !base) continue;
      const given = metric === 'dice' ? c.diceDiff : c.aucDiff;
      const givenP = metric === 'dice' ? c.diceP : c.aucP;
      if (runnersBaseline) {
        if (given) {
          cell.diff = given.value;
          cell.diffCi = given.ci ?? null;
        } else if (v && baseVal !== undefined) cell.diff = v.value - baseVal;
        if (givenP !== undefined) {
          cell.p = givenP;
          cell.pSource = 'runner';
        }
        continue;
      }
      const pair = metric === 'dice' ? pairPerImage(c.perImage, baseCell?.perImage) : undefined;
      if (pair) {
        cell.diff = median(pair[0].map((x, i) => x - pair[1][i]));
        computed.push({ cell, p: wilcoxonSignedRank(pair[0], pair[1]).p });
      } else if (v && baseVal !== undefined) cell.diff = v.value - baseVal;
    }
    const adjusted = holm(computed.map((x) => x.p));
    computed.forEach((x, k) => {
      x.cell.p = adjusted[k];
      x.cell.pSource = 'computed';
    });
    for (const cell of row.cells) cell.mark = significanceMark(cell.p);
  }
  return rows;
}

// ----------------------------------------------------------------------------- chart data

export interface BarDatum {
  runId: string;
  name: string;
  /** One value per dataset (view.datasets order), null when missing. */
  values: (number | null)[];
  ci: (Interval | null)[];
}

export function barData(view: ComparisonView, metric: CompareMetric): BarDatum[] {
  return view.runs.map((r) => {
    const cells = view.datasets.map((d) => getCell(view, r.id, d.slug));
    const vals = cells.map((c) => (metric === 'dice' ? c?.dice : c?.auc));
    return { runId: r.id, name: r.name, values: vals.map((v) => v?.value ?? null), ci: vals.map((v) => v?.ci ?? null) };
  });
}

export interface StripGroup {
  runId: string;
  name: string;
  /** Category position (0..runs-1). */
  x: number;
  points: { x: number; y: number }[];
  median: number;
}

/** Deterministic jitter in [-w, w] from an index (stable between renders). */
export function jitter(i: number, w: number): number {
  const s = Math.sin(i * 12.9898 + 78.233) * 43758.5453;
  return (s - Math.floor(s) - 0.5) * 2 * w;
}

/** Per-image Dice of one dataset as jittered strips, one per run that has per-image values. */
export function stripData(view: ComparisonView, dataset: string, width = 0.3): StripGroup[] {
  const out: StripGroup[] = [];
  view.runs.forEach((r, x) => {
    const c = getCell(view, r.id, dataset);
    const d = c?.perImage?.dice.filter(Number.isFinite);
    if (!d || d.length === 0) return;
    out.push({ runId: r.id, name: r.name, x, points: d.map((y, i) => ({ x: x + jitter(i, width), y })), median: median(d) });
  });
  return out;
}

// ----------------------------------------------------------------------------- export

const fmt = (v: number | null, digits = 3) => (v === null || !Number.isFinite(v) ? '' : v.toFixed(digits));
const fmtSigned = (v: number | null, digits = 3) => (v === null || !Number.isFinite(v) ? '' : (v >= 0 ? '+' : '') + v.toFixed(digits));

/** Long-format CSV of both metrics: one row per run x dataset x metric. */
export function comparisonToCsv(view: ComparisonView, baseline: string | null): string {
  const header = ['metric', 'run', 'name', 'dataset', 'value', 'ci_low', 'ci_high', 'diff_vs_baseline', 'diff_ci_low', 'diff_ci_high', 'p_holm', 'p_source', 'significance', 'n', 'baseline'];
  const rows: unknown[][] = [];
  for (const metric of ['dice', 'auc'] as const) {
    const table = buildTable(view, baseline, metric);
    const base = table.find((r) => r.isBaseline)?.runId ?? '';
    for (const row of table) {
      for (const c of row.cells) {
        rows.push([
          metric,
          row.runId,
          row.name,
          c.dataset,
          c.value ?? '',
          c.ci?.[0] ?? '',
          c.ci?.[1] ?? '',
          c.diff ?? '',
          c.diffCi?.[0] ?? '',
          c.diffCi?.[1] ?? '',
          c.p ?? '',
          c.pSource === 'none' ? '' : c.pSource,
          c.mark,
          c.n ?? '',
          base,
        ]);
      }
    }
  }
  return toCsv(header, rows);
}

/** Text of one table cell: "0.812 [0.790, 0.831] Δ +0.012 p=0.03 *". */
export function cellText(c: TableCell, isBaseline: boolean): string {
  if (c.value === null) return '–';
  let s = fmt(c.value);
  if (c.ci) s += ` [${fmt(c.ci[0])}, ${fmt(c.ci[1])}]`;
  if (!isBaseline && c.diff !== null) s += ` Δ ${fmtSigned(c.diff)}`;
  if (!isBaseline && c.p !== null) s += ` p=${formatP(c.p)}${c.mark ? ' ' + c.mark : ''}`;
  return s;
}

/** Markdown: one table per metric, runs as rows, datasets as columns. */
export function comparisonToMarkdown(view: ComparisonView, baseline: string | null): string {
  const parts: string[] = [];
  for (const metric of ['dice', 'auc'] as const) {
    const table = buildTable(view, baseline, metric);
    const base = table.find((r) => r.isBaseline);
    parts.push(`### ${metric === 'dice' ? 'Dice, mean [95% CI]' : 'AUC [95% CI]'}${base ? ` (baseline: ${base.name})` : ''}\n`);
    const header = ['Run', ...view.datasets.map((d) => d.name)];
    const rows = table.map((r) => [r.isBaseline ? `${r.name} (baseline)` : r.name, ...r.cells.map((c) => cellText(c, r.isBaseline))]);
    parts.push(toMarkdownTable(header, rows, ['l', ...view.datasets.map(() => 'r' as const)]));
  }
  parts.push('p: Holm-adjusted (Dice: Wilcoxon signed-rank; AUC: DeLong); * p<0.05, ** p<0.01, *** p<0.001.\n');
  return parts.join('\n');
}
