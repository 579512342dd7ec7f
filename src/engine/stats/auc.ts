/**
 * Area under the ROC curve as the Mann-Whitney probability P(score of a positive > score of a
 * negative), ties counted 1/2, with DeLong's variance (DeLong, DeLong & Clarke-Pearson 1988)
 * computed through mid-ranks (Sun & Xu 2014). Conventions follow R's pROC: higher score means
 * positive, CI = AUC +- z * SE clipped to [0, 1], paired test z = (A1 - A2) / SE(A1 - A2).
 */
import { mean, sampleVariance } from './descriptive';
import { normalQuantile, twoSidedNormalP } from './normal';
import { midRanks } from './ranks';

export interface AucResult {
  auc: number;
  /** DeLong variance of the AUC; NaN with fewer than two positives or two negatives. */
  variance: number;
  se: number;
  /** CI at `level` (default 95%); undefined when the variance is not defined. */
  ci?: [number, number];
  level: number;
  positives: number;
  negatives: number;
}

export interface DelongTestResult {
  aucA: number;
  aucB: number;
  /** aucA - aucB. */
  difference: number;
  se: number;
  /** CI of the difference at `level`. */
  ci?: [number, number];
  level: number;
  z: number;
  p: number;
  positives: number;
  negatives: number;
}

/** Per-case structural components of one score: V10 over positives, V01 over negatives. */
interface Components {
  auc: number;
  v10: Float64Array;
  v01: Float64Array;
}

function splitByClass(scores: ArrayLike<number>, positive: ArrayLike<boolean>, what: string): { pos: number[]; neg: number[] } {
  if (scores.length !== positive.length) throw new Error(`${what}: ${scores.length} scores against ${positive.length} labels`);
  const pos: number[] = [];
  const neg: number[] = [];
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i])) throw new Error(`${what}: score ${i} is not a finite number (${scores[i]})`);
    (positive[i] ? pos : neg).push(scores[i]);
  }
  if (pos.length === 0 || neg.length === 0) {
    throw new Error(`${what}: needs at least one positive and one negative case (got ${pos.length} and ${neg.length})`);
  }
  return { pos, neg };
}

function components(pos: number[], neg: number[]): Components {
  const m = pos.length;
  const n = neg.length;
  const allRanks = midRanks([...pos, ...neg]).ranks;
  const posRanks = midRanks(pos).ranks;
  const negRanks = midRanks(neg).ranks;
  // A positive's rank among all cases minus its rank among positives counts the negatives below
  // it (ties 1/2); likewise for negatives.
  const v10 = new Float64Array(m);
  for (let i = 0; i < m; i++) v10[i] = (allRanks[i] - posRanks[i]) / n;
  const v01 = new Float64Array(n);
  for (let j = 0; j < n; j++) v01[j] = 1 - (allRanks[m + j] - negRanks[j]) / m;
  return { auc: mean(v10), v10, v01 };
}

function covariance(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  if (n < 2) return NaN;
  const ma = mean(a);
  const mb = mean(b);
  let s = 0;
  for (let i = 0; i < n; i++) s += (a[i] - ma) * (b[i] - mb);
  return s / (n - 1);
}

function clip01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

/** Mann-Whitney AUC only (ties 1/2). */
export function aucMannWhitney(scores: ArrayLike<number>, positive: ArrayLike<boolean>): number {
  const { pos, neg } = splitByClass(scores, positive, 'AUC');
  return components(pos, neg).auc;
}

/** AUC with DeLong variance and a normal CI. */
export function aucWithCI(scores: ArrayLike<number>, positive: ArrayLike<boolean>, level = 0.95): AucResult {
  const { pos, neg } = splitByClass(scores, positive, 'AUC');
  const c = components(pos, neg);
  const variance = sampleVariance(c.v10) / pos.length + sampleVariance(c.v01) / neg.length;
  const se = Math.sqrt(variance);
  const z = normalQuantile(1 - (1 - level) / 2);
  const ci: [number, number] | undefined = Number.isFinite(se) ? [clip01(c.auc - z * se), clip01(c.auc + z * se)] : undefined;
  return { auc: c.auc, variance, se, ci, level, positives: pos.length, negatives: neg.length };
}

/** DeLong's test of two correlated AUCs: two scores on the same cases (two-sided). */
export function delongTest(scoresA: ArrayLike<number>, scoresB: ArrayLike<number>, positive: ArrayLike<boolean>, level = 0.95): DelongTestResult {
  if (scoresA.length !== scoresB.length) throw new Error(`DeLong test: ${scoresA.length} scores against ${scoresB.length}; cases must match`);
  const a = splitByClass(scoresA, positive, 'DeLong test (A)');
  const b = splitByClass(scoresB, positive, 'DeLong test (B)');
  const ca = components(a.pos, a.neg);
  const cb = components(b.pos, b.neg);
  const m = a.pos.length;
  const n = a.neg.length;
  const varA = sampleVariance(ca.v10) / m + sampleVariance(ca.v01) / n;
  const varB = sampleVariance(cb.v10) / m + sampleVariance(cb.v01) / n;
  const cov = covariance(ca.v10, cb.v10) / m + covariance(ca.v01, cb.v01) / n;
  const variance = Math.max(0, varA + varB - 2 * cov);
  const se = Math.sqrt(variance);
  const difference = ca.auc - cb.auc;
  // Identical scores give a zero difference with zero variance: no evidence of a difference.
  const z = se > 0 ? difference / se : difference === 0 ? 0 : Math.sign(difference) * Infinity;
  const q = normalQuantile(1 - (1 - level) / 2);
  const ci: [number, number] | undefined = Number.isFinite(se) ? [difference - q * se, difference + q * se] : undefined;
  return { aucA: ca.auc, aucB: cb.auc, difference, se, ci, level, z, p: Number.isNaN(z) ? NaN : twoSidedNormalP(z), positives: m, negatives: n };
}
