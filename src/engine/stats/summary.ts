/** The per-dataset summary of one metric: mean, median, std and a bootstrap CI of the mean. */
import type { MetricSummary } from '../types';
import { bootstrapMeanCI, BootstrapOptions } from './bootstrap';
import { mean, median, standardDeviation } from './descriptive';

/**
 * Summarises the defined values of one metric. Undefined and NaN entries (a Dice of a normal
 * image, an HD95 with an empty mask) are left out and do not count in `n`. Returns undefined
 * when no value is defined, so a summary never carries NaN into JSON.
 */
export function summarizeMetric(values: ReadonlyArray<number | undefined>, options: BootstrapOptions = {}): MetricSummary | undefined {
  const defined = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  if (defined.length === 0) return undefined;
  const ci = bootstrapMeanCI(defined, options).ci;
  return { n: defined.length, mean: mean(defined), median: median(defined), std: standardDeviation(defined), ci95: ci };
}
