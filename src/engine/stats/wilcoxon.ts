/**
 * Wilcoxon signed-rank test for paired samples (Wilcoxon 1945), two-sided, with the conventions of
 * R's `wilcox.test(x, y, paired = TRUE)`:
 *   - zero differences are dropped (Wilcox's zero method) unless `zeroMethod: 'pratt'` (Pratt 1959:
 *     zeros are ranked with the rest, then their ranks are discarded);
 *   - tied |differences| get mid-ranks;
 *   - the exact null distribution is used when n < 50 and there are no ties and no zeros,
 *     otherwise the normal approximation with the tie-corrected variance and (by default) a
 *     continuity correction of 1/2 towards the mean.
 * See docs/STATISTICS.md for the formulas.
 */
import { twoSidedNormalP } from './normal';
import { midRanks } from './ranks';

export type ZeroMethod = 'wilcox' | 'pratt';

export interface WilcoxonOptions {
  /** How zero differences are handled (default 'wilcox', as R and scipy). */
  zeroMethod?: ZeroMethod;
  /** Continuity correction in the normal approximation (default true, as R). */
  correction?: boolean;
  /** 'auto' (default): exact when n < 50 with no ties or zeros; false forces the normal approximation. */
  exact?: 'auto' | boolean;
}

export interface WilcoxonResult {
  /** Number of pairs used in ranking: non-zero differences (wilcox) or all pairs (pratt). */
  n: number;
  /** Number of zero differences. */
  zeros: number;
  /** Sum of the ranks of positive differences x - y (R's V). */
  wPlus: number;
  /** Sum of the ranks of negative differences. */
  wMinus: number;
  /** min(W+, W-), the classical two-sided statistic T (scipy's `statistic`). */
  statistic: number;
  /** Standardised W+ under the normal approximation (with correction if enabled). */
  z: number;
  /** Two-sided p-value. */
  p: number;
  method: 'exact' | 'normal';
  zeroMethod: ZeroMethod;
}

/** Number of subsets of {1..n} with each rank sum: the exact null distribution of W+ times 2^n. */
export function signedRankCounts(n: number): Float64Array {
  const max = (n * (n + 1)) / 2;
  const counts = new Float64Array(max + 1);
  counts[0] = 1;
  for (let k = 1; k <= n; k++) {
    for (let s = (k * (k + 1)) / 2; s >= k; s--) counts[s] += counts[s - k];
  }
  return counts;
}

/** Exact two-sided p-value of W+ = w for n untied, non-zero differences (R's psignrank rule). */
export function exactSignedRankP(w: number, n: number): number {
  const counts = signedRankCounts(n);
  const total = 2 ** n;
  let tail = 0;
  if (w > (n * (n + 1)) / 4) {
    for (let s = Math.ceil(w); s < counts.length; s++) tail += counts[s];
  } else {
    for (let s = 0; s <= Math.floor(w); s++) tail += counts[s];
  }
  return Math.min(1, (2 * tail) / total);
}

function differencesOf(x: ArrayLike<number>, y: ArrayLike<number> | undefined): number[] {
  if (y && y.length !== x.length) throw new Error(`wilcoxon: ${x.length} values against ${y.length}; pairs must match`);
  const d: number[] = [];
  for (let i = 0; i < x.length; i++) {
    const v = y ? x[i] - y[i] : x[i];
    if (!Number.isFinite(v)) throw new Error(`wilcoxon: pair ${i} is not a finite number`);
    d.push(v);
  }
  return d;
}

/** Two-sided Wilcoxon signed-rank test of x - y (or of x alone when y is omitted) against 0. */
export function wilcoxonSignedRank(x: ArrayLike<number>, y?: ArrayLike<number>, options: WilcoxonOptions = {}): WilcoxonResult {
  const zeroMethod = options.zeroMethod ?? 'wilcox';
  const correction = options.correction ?? true;
  const all = differencesOf(x, y);
  const zeros = all.filter((v) => v === 0).length;
  const ranked = zeroMethod === 'wilcox' ? all.filter((v) => v !== 0) : all;
  const n = ranked.length;
  const { ranks } = midRanks(ranked.map(Math.abs));
  let wPlus = 0;
  let wMinus = 0;
  for (let i = 0; i < n; i++) {
    if (ranked[i] > 0) wPlus += ranks[i];
    else if (ranked[i] < 0) wMinus += ranks[i];
  }
  const base = { n, zeros, wPlus, wMinus, statistic: Math.min(wPlus, wMinus), zeroMethod };
  if (n - (zeroMethod === 'pratt' ? zeros : 0) === 0) return { ...base, z: 0, p: 1, method: 'normal' };

  // Normal approximation; zeros (Pratt) are removed from the mean and variance, ties among the
  // non-zero ranks reduce the variance by sum(t^3 - t)/48.
  const n0 = zeroMethod === 'pratt' ? zeros : 0;
  const meanW = (n * (n + 1) - n0 * (n0 + 1)) / 4;
  const nonZeroRanks: number[] = [];
  for (let i = 0; i < n; i++) if (ranked[i] !== 0) nonZeroRanks.push(ranks[i]);
  const tieTerm = midRanks(nonZeroRanks).tieSizes.reduce((s, t) => s + t ** 3 - t, 0);
  const variance = (n * (n + 1) * (2 * n + 1) - n0 * (n0 + 1) * (2 * n0 + 1)) / 24 - tieTerm / 48;
  const centred = wPlus - meanW;
  const shift = correction ? 0.5 * Math.sign(centred) : 0;
  const z = variance > 0 ? (centred - shift) / Math.sqrt(variance) : 0;

  const useExact = options.exact === false ? false : n < 50 || options.exact === true;
  if (useExact && tieTerm === 0 && zeros === 0) {
    return { ...base, z, p: exactSignedRankP(wPlus, n), method: 'exact' };
  }
  return { ...base, z, p: variance > 0 ? twoSidedNormalP(z) : 1, method: 'normal' };
}

/** One-sided exact probability P(W+ >= w), exposed for tests against published one-sided values. */
export function exactSignedRankUpperTail(w: number, n: number): number {
  const counts = signedRankCounts(n);
  let tail = 0;
  for (let s = Math.ceil(w); s < counts.length; s++) tail += counts[s];
  return tail / 2 ** n;
}
