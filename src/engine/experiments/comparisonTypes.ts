/**
 * Contents of `comparison.json`, written by `compareRuns` (bus-lab compare, bus-lab ablate) and
 * rendered by the ablation webview. Plain JSON: no imports beyond types, no NaN (absent fields
 * instead). See docs/STATISTICS.md for what each number is.
 *
 * Runs whose configurations differ only in the seed are replicates of one *method*; a method's
 * per-image values are the mean over its runs (seeds) on the images all of them scored, and its
 * classification score is the seed-averaged p(malignant). With one run per method (the usual
 * `bus-lab compare A B`), a method is simply that run.
 */
import type { MetricSummary, RunStatus } from '../types';

export interface ComparisonRun {
  id: string;
  dir: string;
  seed: number;
  status: RunStatus;
}

export interface ComparisonMethod {
  /** Unique id: the run id for a single run, else the method's name (suffixed when ambiguous). */
  id: string;
  /** Name shown in tables (TrainConfig.name, else the training method). */
  name: string;
  /** TrainConfig.method: single, mtl, birads or a plugin method. */
  trainMethod: string;
  runs: ComparisonRun[];
}

export interface ComparisonDataset {
  slug: string;
  name: string;
}

/** Per-image Dice of images with a lesion, paired across runs and methods by `ids`. */
export interface PerImageDice {
  ids: string[];
  dice: number[];
}

export interface RunCell {
  runId: string;
  seed: number;
  dice?: MetricSummary;
  auc?: number;
  perImage: PerImageDice;
}

export interface DiceDifference {
  /** Median of the per-image differences (method - baseline). */
  estimate: number;
  ci95: [number, number];
  statistic: 'median';
}

export interface HierarchicalDiceDifference {
  /** Mean over images of (method's seed mean - baseline's seed mean). */
  mean: number;
  /** Median of those per-image differences. */
  median: number;
  /** Percentile CI of the mean, resampling each method's seeds, then clusters of images. */
  ci95: [number, number];
  images: number;
  clusters: number;
  clusterUnit: 'patient' | 'image';
  /** Runs (seeds) of the method and of the baseline. */
  seeds: [number, number];
}

export interface WilcoxonSummary {
  /** Pairs ranked (non-zero differences). */
  n: number;
  zeros: number;
  wPlus: number;
  wMinus: number;
  z: number;
  p: number;
  method: 'exact' | 'normal';
}

export interface AucDifference {
  /** AUC(method) - AUC(baseline) on the images both classified. */
  estimate: number;
  ci95?: [number, number];
  z: number;
  positives: number;
  negatives: number;
}

/** One method on one dataset. Comparison fields are absent for the baseline itself. */
export interface ComparisonCell {
  /** ComparisonMethod.id. */
  method: string;
  /** ComparisonDataset.slug. */
  dataset: string;
  dice?: MetricSummary;
  iou?: MetricSummary;
  hd95?: MetricSummary;
  /** Benign vs malignant AUC with DeLong 95% CI (seed-averaged scores). */
  auc?: { value: number; ci95?: [number, number]; positives: number; negatives: number };
  perImage: PerImageDice;
  /** Each run (seed) of the method on this dataset. */
  runs: RunCell[];
  /** Images paired with the baseline. */
  pairs?: number;
  diceDiff?: DiceDifference;
  /** Mean paired Dice difference with a seeds-then-clusters bootstrap CI (stats/hierarchicalBootstrap). */
  diceDiffHierarchical?: HierarchicalDiceDifference;
  wilcoxon?: WilcoxonSummary;
  /** Wilcoxon p on per-image Dice, and Holm-adjusted across the datasets of this method. */
  diceP?: number;
  dicePHolm?: number;
  /** Matched-pairs rank-biserial correlation, positive when the method beats the baseline. */
  rankBiserial?: number;
  aucDiff?: AucDifference;
  /** DeLong p, and Holm-adjusted across the datasets of this method. */
  aucP?: number;
  aucPHolm?: number;
}

export interface Comparison {
  formatVersion: 1;
  createdAt: string;
  /** ComparisonMethod.id of the baseline every difference and p-value refers to. */
  baseline: string;
  /** Seed of the bootstrap CIs. */
  seed: number;
  bootstrapResamples: number;
  methods: ComparisonMethod[];
  datasets: ComparisonDataset[];
  cells: ComparisonCell[];
  /** Things a reader should know (unpaired images, runs missing a dataset...). */
  notes: string[];
}
