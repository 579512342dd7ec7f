/**
 * Matched-pairs rank-biserial correlation (Kerby 2014, "simple difference formula"):
 * r = (W+ - W-) / (W+ + W-), in [-1, 1]. Positive means x tends to exceed y. Computed from the
 * same ranks as the Wilcoxon test, so it follows the test's zero method.
 */
import type { WilcoxonResult } from './wilcoxon';

export function rankBiserial(result: Pick<WilcoxonResult, 'wPlus' | 'wMinus'>): number {
  const total = result.wPlus + result.wMinus;
  return total === 0 ? 0 : (result.wPlus - result.wMinus) / total;
}
