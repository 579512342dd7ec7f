/**
 * Seeded non-parametric bootstrap with percentile confidence intervals (Efron & Tibshirani 1993,
 * ch. 13). Resampling is with replacement over images (or over image pairs for paired
 * differences), so a CI reflects the variation of the dataset, not of the model's training.
 */
import { assertFinite, mean, median, quantileSorted } from './descriptive';
import { randomIndex, seededRandom } from './random';

export type BootstrapStatistic = 'mean' | 'median';

export interface BootstrapOptions {
  /** Number of resamples (default 2000). */
  resamples?: number;
  /** Seed of the resampling generator (default 0). */
  seed?: number;
  /** Confidence level (default 0.95). */
  level?: number;
}

export interface BootstrapInterval {
  estimate: number;
  ci: [number, number];
  level: number;
  resamples: number;
}

export const DEFAULT_RESAMPLES = 2000;

function statisticFunction(statistic: BootstrapStatistic): (values: Float64Array) => number {
  return statistic === 'mean' ? mean : median;
}

function checkOptions(options: BootstrapOptions): { resamples: number; seed: number; level: number } {
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const level = options.level ?? 0.95;
  if (!Number.isInteger(resamples) || resamples < 1) throw new Error(`bootstrap: resamples must be a positive integer (got ${resamples})`);
  if (!(level > 0 && level < 1)) throw new Error(`bootstrap: level must be in (0, 1) (got ${level})`);
  return { resamples, seed: options.seed ?? 0, level };
}

/** Percentile interval of the bootstrap distribution of `statistic` over `values`. */
export function bootstrapInterval(values: ArrayLike<number>, statistic: BootstrapStatistic, options: BootstrapOptions = {}): BootstrapInterval {
  const { resamples, seed, level } = checkOptions(options);
  assertFinite(values, 'bootstrap');
  const n = values.length;
  if (n === 0) throw new Error('bootstrap: no values');
  const compute = statisticFunction(statistic);
  const data = Float64Array.from(values);
  const estimate = compute(data);
  const random = seededRandom(seed);
  const sample = new Float64Array(n);
  const stats = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) sample[i] = data[randomIndex(random, n)];
    stats[r] = compute(sample);
  }
  stats.sort();
  const tail = (1 - level) / 2;
  return { estimate, ci: [quantileSorted(stats, tail), quantileSorted(stats, 1 - tail)], level, resamples };
}

export function bootstrapMeanCI(values: ArrayLike<number>, options: BootstrapOptions = {}): BootstrapInterval {
  return bootstrapInterval(values, 'mean', options);
}

export function bootstrapMedianCI(values: ArrayLike<number>, options: BootstrapOptions = {}): BootstrapInterval {
  return bootstrapInterval(values, 'median', options);
}

/**
 * Paired difference a - b: the statistic (default median) of the per-pair differences, with a
 * percentile CI from resampling pairs. `a[i]` and `b[i]` must be the same image.
 */
export function pairedDifferenceCI(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  options: BootstrapOptions & { statistic?: BootstrapStatistic } = {},
): BootstrapInterval {
  if (a.length !== b.length) throw new Error(`paired difference: ${a.length} values against ${b.length}; pairs must match`);
  const differences = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) differences[i] = a[i] - b[i];
  return bootstrapInterval(differences, options.statistic ?? 'median', options);
}
