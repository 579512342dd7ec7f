/**
 * The statistics the comparison view needs when the user picks a baseline other than the one the
 * ablation runner used. They are the engine's own implementations (pure, no Node APIs), so the
 * view's p-values equal the runner's for the same pairs; this module only adapts their inputs
 * (non-finite pairs dropped, null-tolerant formatting) for the view.
 */
import { formatP as formatPValue, significanceMark as markFor } from '../../engine/experiments/comparisonMarkdown';
import { median as engineMedian } from '../../engine/stats/descriptive';
import { holmAdjust } from '../../engine/stats/holm';
import { wilcoxonSignedRank as engineWilcoxon } from '../../engine/stats/wilcoxon';

export interface WilcoxonResult {
  /** Pairs with a non-zero difference. */
  n: number;
  /** Sum of the ranks of positive differences (x - y > 0). */
  wPlus: number;
  p: number;
  method: 'exact' | 'normal' | 'none';
}

/** Two-sided paired Wilcoxon signed-rank test of x against y; pairs with a non-finite value are left out. */
export function wilcoxonSignedRank(x: readonly number[], y: readonly number[]): WilcoxonResult {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (Number.isFinite(x[i]) && Number.isFinite(y[i])) {
      xs.push(x[i]);
      ys.push(y[i]);
    }
  }
  const r = engineWilcoxon(xs, ys);
  return r.n === 0 ? { n: 0, wPlus: 0, p: 1, method: 'none' } : { n: r.n, wPlus: r.wPlus, p: r.p, method: r.method };
}

/** Holm's step-down adjustment in input order; NaN stays NaN. */
export const holm = (pValues: readonly number[]): number[] => holmAdjust(pValues);

export function median(values: readonly number[]): number {
  const v = values.filter(Number.isFinite);
  return v.length === 0 ? NaN : engineMedian(v);
}

/** "***" p < 0.001, "**" p < 0.01, "*" p < 0.05, "" otherwise (or unknown), as comparison.md. */
export function significanceMark(p: number | null | undefined): string {
  return p === null || p === undefined || !Number.isFinite(p) ? '' : markFor(p);
}

/** p formatted as in comparison.md; "–" when unknown. */
export function formatP(p: number | null | undefined): string {
  return p === null || p === undefined || !Number.isFinite(p) ? '–' : formatPValue(p);
}
