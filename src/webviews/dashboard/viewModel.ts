/**
 * Training-dashboard view model: metrics records (read by the host through engine/runs) as the
 * compact points the host sends, merging live records into a snapshot, thinning, loss-component
 * ordering, TensorBoard-style smoothing, and the chart series / CSV export. Pure: no DOM, no
 * Node, no vscode.
 */
import type { EpochInstruments, Label, MetricsRecord } from '../../engine/types';
import { toCsv } from '../common/csv';

export interface StepPoint {
  /** Global step (x axis of per-step charts). */
  step: number;
  epoch: number;
  losses: Record<string, number>;
  learningRate: number;
  imagesPerSecond: number;
}

/** An epoch line of metrics.jsonl as the dashboard keeps it: everything but its type and time. */
export type EpochPoint = Omit<Extract<MetricsRecord, { type: 'epoch' }>, 'type' | 'time'>;

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const numOr = (v: unknown, fallback: number): number => (isNum(v) ? v : fallback);

function numRecord(v: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (typeof v !== 'object' || v === null) return out;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (isNum(x) && k.length <= 100) out[k] = x;
  return out;
}

/** Converts one parsed JSON value into a step point, or undefined when it is not a step record. */
export function toStepPoint(r: unknown): StepPoint | undefined {
  if (typeof r !== 'object' || r === null) return undefined;
  const o = r as Record<string, unknown>;
  if (o.type !== 'step' || !isNum(o.globalStep)) return undefined;
  return {
    step: o.globalStep,
    epoch: numOr(o.epoch, 0),
    losses: numRecord(o.losses),
    learningRate: numOr(o.learningRate, NaN),
    imagesPerSecond: numOr(o.imagesPerSecond, NaN),
  };
}

const LABEL_SET = new Set(['benign', 'malignant', 'normal']);

/** The consistency method's per-epoch instruments, keeping only well-formed numbers. */
function toInstruments(v: unknown): EpochInstruments | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const out: EpochInstruments = {};
  for (const k of ['phiAucPredicted', 'phiAucTrue', 'maskGradientRatio'] as const) if (isNum(o[k])) out[k] = o[k] as number;
  if (typeof o.featureBias === 'object' && o.featureBias !== null) {
    const fb = o.featureBias as Record<string, unknown>;
    out.featureBias = {};
    if (fb.benign !== undefined) out.featureBias.benign = numRecord(fb.benign);
    if (fb.malignant !== undefined) out.featureBias.malignant = numRecord(fb.malignant);
  }
  return out;
}

export function toEpochPoint(r: unknown): EpochPoint | undefined {
  if (typeof r !== 'object' || r === null) return undefined;
  const o = r as Record<string, unknown>;
  if (o.type !== 'epoch' || !isNum(o.epoch)) return undefined;
  const val = (typeof o.val === 'object' && o.val !== null ? o.val : {}) as Record<string, unknown>;
  const p: EpochPoint = {
    epoch: o.epoch,
    losses: numRecord(o.losses),
    val: { dice: numOr(val.dice, NaN), iou: numOr(val.iou, NaN) },
    learningRate: numOr(o.learningRate, NaN),
    imagesPerSecond: numOr(o.imagesPerSecond, NaN),
    etaSeconds: numOr(o.etaSeconds, NaN),
    seconds: numOr(o.seconds, NaN),
  };
  if (isNum(val.loss)) p.val.loss = val.loss;
  if (isNum(val.auc)) p.val.auc = val.auc;
  if (Array.isArray(o.phiScatter)) {
    p.phiScatter = o.phiScatter
      .filter((s): s is { phi: number; pMalignant: number; label: Label } => {
        const q = s as Record<string, unknown>;
        return typeof s === 'object' && s !== null && isNum(q.phi) && isNum(q.pMalignant) && LABEL_SET.has(q.label as string);
      })
      .map((s) => ({ phi: s.phi, pMalignant: s.pMalignant, label: s.label }));
  }
  if (o.featureWeights !== undefined) p.featureWeights = numRecord(o.featureWeights);
  const instruments = toInstruments(o.instruments);
  if (instruments) p.instruments = instruments;
  return p;
}

export interface ParsedMetrics {
  steps: StepPoint[];
  epochs: EpochPoint[];
  /** Lines that were not valid JSON records (a torn last line during a write is normal). */
  badLines: number;
}

/** Step and epoch points of parsed metrics records (the host reads them through engine/runs). */
export function parseMetricsRecords(values: readonly unknown[]): ParsedMetrics {
  const steps: StepPoint[] = [];
  const epochs: EpochPoint[] = [];
  let badLines = 0;
  for (const v of values) {
    const s = toStepPoint(v);
    if (s) {
      steps.push(s);
      continue;
    }
    const e = toEpochPoint(v);
    if (e) epochs.push(e);
    else badLines++;
  }
  return { steps: mergeSteps([], steps), epochs: mergeEpochs([], epochs), badLines };
}

function mergeBy<T>(existing: T[], incoming: readonly T[], key: (t: T) => number): T[] {
  if (incoming.length === 0) return existing;
  const out = existing;
  for (const p of incoming) {
    const k = key(p);
    const last = out.length ? key(out[out.length - 1]) : -Infinity;
    if (k > last) {
      out.push(p);
      continue;
    }
    // A resumed run writes steps again from its checkpoint: the newest record for a key wins.
    let lo = 0;
    let hi = out.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (key(out[mid]) < k) lo = mid + 1;
      else hi = mid;
    }
    if (lo < out.length && key(out[lo]) === k) out[lo] = p;
    else out.splice(lo, 0, p);
  }
  return out;
}

/** Merges step points into a sorted array (in place, returned), newest record per step winning. */
export function mergeSteps(existing: StepPoint[], incoming: readonly StepPoint[]): StepPoint[] {
  return mergeBy(existing, incoming, (p) => p.step);
}

export function mergeEpochs(existing: EpochPoint[], incoming: readonly EpochPoint[]): EpochPoint[] {
  return mergeBy(existing, incoming, (p) => p.epoch);
}

/**
 * Thins step points to at most `max` by keeping every k-th point plus the last one, so that a
 * snapshot of a long run stays small. Epoch points are never thinned.
 */
export function thinSteps(steps: readonly StepPoint[], max: number): StepPoint[] {
  if (steps.length <= max || max < 2) return steps.slice();
  const stride = Math.ceil(steps.length / (max - 1));
  const out: StepPoint[] = [];
  for (let i = 0; i < steps.length; i += stride) out.push(steps[i]);
  if (out[out.length - 1] !== steps[steps.length - 1]) out.push(steps[steps.length - 1]);
  return out;
}

/** Drops phi scatters except the last epoch's (the dashboard only shows the last one). */
export function keepLastScatter(epochs: readonly EpochPoint[]): EpochPoint[] {
  let lastWith = -1;
  epochs.forEach((e, i) => {
    if (e.phiScatter && e.phiScatter.length) lastWith = i;
  });
  return epochs.map((e, i) => {
    if (i === lastWith || !e.phiScatter) return e;
    const { phiScatter: _drop, ...rest } = e;
    return rest;
  });
}

const COMPONENT_ORDER = ['segmentation', 'classification', 'consistency'];

/** Every loss component seen, in a stable order: the built-in terms, plugin terms A-Z, `total` last. */
export function lossComponents(runs: readonly { steps: readonly StepPoint[]; epochs: readonly EpochPoint[] }[]): string[] {
  const seen = new Set<string>();
  for (const r of runs) {
    for (const s of r.steps) for (const k of Object.keys(s.losses)) seen.add(k);
    for (const e of r.epochs) for (const k of Object.keys(e.losses)) seen.add(k);
  }
  const known = COMPONENT_ORDER.filter((k) => seen.has(k));
  const others = [...seen].filter((k) => !COMPONENT_ORDER.includes(k) && k !== 'total').sort();
  return [...known, ...others, ...(seen.has('total') ? ['total'] : [])];
}

/**
 * Exponential moving average with debiasing, as TensorBoard's scalar smoothing: for weight w in
 * [0, 1), last = w*last + (1-w)*v; the value shown is last / (1 - w^n), n counting finite values.
 * Non-finite inputs stay in place as NaN and do not disturb the average.
 */
export function emaSmooth(values: readonly number[], weight: number): number[] {
  const w = Math.min(Math.max(weight, 0), 0.999);
  if (w === 0) return values.map((v) => (Number.isFinite(v) ? v : NaN));
  let last = 0;
  let n = 0;
  return values.map((v) => {
    if (!Number.isFinite(v)) return NaN;
    last = last * w + (1 - w) * v;
    n++;
    return last / (1 - Math.pow(w, n));
  });
}

export interface XY {
  x: number;
  y: number;
}

export interface ChartSeries {
  /** Legend label, e.g. "run-1 · segmentation". */
  label: string;
  runId: string;
  /** What the series shows ("segmentation", "val dice", "learning rate", ...). */
  key: string;
  points: XY[];
  /** A raw (unsmoothed) companion drawn faintly behind a smoothed series. */
  raw?: boolean;
}

/** Builds {x,y} points, skipping non-finite y values. */
export function xy<T>(items: readonly T[], x: (t: T) => number, y: (t: T) => number | undefined): XY[] {
  const out: XY[] = [];
  for (const it of items) {
    const yy = y(it);
    const xx = x(it);
    if (yy !== undefined && Number.isFinite(yy) && Number.isFinite(xx)) out.push({ x: xx, y: yy });
  }
  return out;
}

/** Applies smoothing to a series' y values; returns the smoothed series (and keeps x). */
export function smoothPoints(points: readonly XY[], weight: number): XY[] {
  const ys = emaSmooth(
    points.map((p) => p.y),
    weight,
  );
  return points.map((p, i) => ({ x: p.x, y: ys[i] }));
}

/** Long-format CSV of chart series: one row per point. */
export function seriesToCsv(series: readonly ChartSeries[], xName: string, yName: string): string {
  const rows: (string | number)[][] = [];
  for (const s of series) for (const p of s.points) rows.push([s.runId, s.key, s.raw ? 'raw' : 'shown', p.x, p.y]);
  return toCsv(['run', 'series', 'kind', xName, yName], rows);
}

/**
 * Formats seconds as "1 h 02 min", "4 min 05 s" or "12 s"; `compact` (status bar, notifications)
 * as "1h 02m", "4m 05s" or "12s". Not a finite, non-negative number: "–".
 */
export function formatDuration(seconds: number | undefined, style: 'long' | 'compact' = 'long'): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  const [hu, mu, su] = style === 'compact' ? ['h', 'm', 's'] : [' h', ' min', ' s'];
  if (h > 0) return `${h}${hu} ${String(m).padStart(2, '0')}${mu}`;
  if (m > 0) return `${m}${mu} ${String(r).padStart(2, '0')}${su}`;
  return `${r}${su}`;
}

/**
 * The status line's val Dice, labelled: the best epoch's (the Runs tree's, the weights in model/;
 * the first of equal ones, as the trainer keeps) and the last epoch's when that is another.
 */
export function valDiceText(epochs: readonly EpochPoint[]): string {
  let best: EpochPoint | undefined;
  for (const e of epochs) if (Number.isFinite(e.val.dice) && (!best || e.val.dice > best.val.dice)) best = e;
  const last = [...epochs].reverse().find((e) => Number.isFinite(e.val.dice));
  if (!best || !last) return '';
  const text = `best val Dice ${best.val.dice.toFixed(3)} (epoch ${best.epoch})`;
  return last.epoch === best.epoch ? text : `${text} · last ${last.val.dice.toFixed(3)} (epoch ${last.epoch})`;
}
