/**
 * The little statistics the comparison view needs when the user picks a baseline other than the
 * one the ablation runner used: the paired Wilcoxon signed-rank test and Holm's adjustment.
 * Pure functions; the runner's own numbers (src/engine/stats) are preferred whenever they exist.
 */

/** Standard normal CDF (Abramowitz-Stegun 7.1.26 based erf, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

/** Average ranks (1-based) of the values, ties sharing their mean rank. */
export function rankWithTies(values: readonly number[]): { ranks: number[]; tieGroups: number[] } {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(values.length);
  const tieGroups: number[] = [];
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    const r = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) ranks[order[k][1]] = r;
    if (j > i) tieGroups.push(j - i + 1);
    i = j + 1;
  }
  return { ranks, tieGroups };
}

export interface WilcoxonResult {
  /** Pairs with a non-zero difference. */
  n: number;
  /** Sum of the ranks of positive differences (x - y > 0). */
  wPlus: number;
  p: number;
  method: 'exact' | 'normal' | 'none';
}

/**
 * Two-sided paired Wilcoxon signed-rank test of x against y. Zero differences are dropped
 * (Wilcoxon's convention); exact null distribution for n <= 25 without ties, otherwise the normal
 * approximation with tie and continuity corrections. Non-finite pairs are ignored.
 */
export function wilcoxonSignedRank(x: readonly number[], y: readonly number[]): WilcoxonResult {
  const d: number[] = [];
  const m = Math.min(x.length, y.length);
  for (let i = 0; i < m; i++) {
    const v = x[i] - y[i];
    if (Number.isFinite(v) && v !== 0) d.push(v);
  }
  const n = d.length;
  if (n === 0) return { n: 0, wPlus: 0, p: 1, method: 'none' };
  const { ranks, tieGroups } = rankWithTies(d.map(Math.abs));
  let wPlus = 0;
  d.forEach((v, i) => {
    if (v > 0) wPlus += ranks[i];
  });
  const total = (n * (n + 1)) / 2;
  if (n <= 25 && tieGroups.length === 0) {
    // counts[s] = number of sign assignments whose positive-rank sum is s.
    let counts = new Float64Array(total + 1);
    counts[0] = 1;
    for (let r = 1; r <= n; r++) {
      const next = new Float64Array(total + 1);
      for (let s = 0; s <= total; s++) {
        if (!counts[s]) continue;
        next[s] += counts[s];
        next[s + r] += counts[s];
      }
      counts = next;
    }
    const all = Math.pow(2, n);
    const w = Math.min(wPlus, total - wPlus);
    let tail = 0;
    for (let s = 0; s <= Math.floor(w + 1e-9); s++) tail += counts[s];
    return { n, wPlus, p: Math.min(1, (2 * tail) / all), method: 'exact' };
  }
  const mean = total / 2;
  const tieAdj = tieGroups.reduce((a, t) => a + (t * t * t - t), 0) / 48;
  const variance = (n * (n + 1) * (2 * n + 1)) / 24 - tieAdj;
  if (variance <= 0) return { n, wPlus, p: 1, method: 'normal' };
  const diff = wPlus - mean;
  const z = (Math.abs(diff) - 0.5) / Math.sqrt(variance);
  const p = z <= 0 ? 1 : 2 * (1 - normalCdf(z));
  return { n, wPlus, p: Math.min(1, Math.max(0, p)), method: 'normal' };
}

/** Holm's step-down adjustment; returns adjusted p-values in the input order. NaN stays NaN. */
export function holm(pValues: readonly number[]): number[] {
  const idx = pValues.map((p, i) => [p, i] as const).filter(([p]) => Number.isFinite(p));
  idx.sort((a, b) => a[0] - b[0]);
  const m = idx.length;
  const out = pValues.map(() => NaN);
  let running = 0;
  idx.forEach(([p, i], k) => {
    running = Math.max(running, Math.min(1, (m - k) * p));
    out[i] = running;
  });
  return out;
}

export function median(values: readonly number[]): number {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const h = v.length >> 1;
  return v.length % 2 ? v[h] : (v[h - 1] + v[h]) / 2;
}

/** "***" p < 0.001, "**" p < 0.01, "*" p < 0.05, "" otherwise (or unknown). */
export function significanceMark(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '';
  if (p < 0.001) return '***';
  if (p < 0.01) return '**';
  if (p < 0.05) return '*';
  return '';
}

export function formatP(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '–';
  if (p < 0.001) return '<0.001';
  return p < 0.1 ? p.toFixed(3) : p.toFixed(2);
}
