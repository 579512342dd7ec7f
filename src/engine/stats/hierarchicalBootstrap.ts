/**
 * Two-level bootstrap of a paired difference between two methods trained with several seeds each:
 * each replicate resamples the seeds of each method (independently: a seed number means nothing
 * across methods) and then the clusters of images (patients where the data has them, else
 * images), the same clusters for both methods, so the images stay paired. The CI therefore
 * carries both sources of variation a reader cares about, training randomness and the choice of
 * test images, where an image-only bootstrap of seed-averaged values carries the second alone.
 * (A nested bootstrap in the sense of Davison & Hinkley 1997, section 3.8; percentile intervals.)
 */
import { median, quantileSorted } from './descriptive';
import { DEFAULT_RESAMPLES } from './bootstrap';
import { randomIndex, seededRandom } from './random';

export interface HierarchicalDifferenceOptions {
  resamples?: number;
  seed?: number;
  level?: number;
  /** Cluster of an image (its patient); default: every image its own cluster. */
  clusterOf?: (imageId: string) => string;
}

export interface HierarchicalDifference {
  /** Mean over images of (method's seed mean - baseline's seed mean). */
  mean: number;
  /** Median of the same per-image differences. */
  median: number;
  /** Percentile CI of the mean difference under seed-then-cluster resampling. */
  ci95: [number, number];
  level: number;
  resamples: number;
  images: number;
  clusters: number;
  /** Runs (seeds) of the method and of the baseline. */
  seeds: [number, number];
}

/**
 * `method` and `baseline` hold one map per run (seed): image id -> value (Dice). Images count when
 * every run of both methods has a finite value for them.
 */
export function hierarchicalPairedDifference(
  method: readonly ReadonlyMap<string, number>[],
  baseline: readonly ReadonlyMap<string, number>[],
  options: HierarchicalDifferenceOptions = {},
): HierarchicalDifference {
  if (method.length === 0 || baseline.length === 0) throw new Error('hierarchical bootstrap: each method needs at least one run');
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const level = options.level ?? 0.95;
  if (!Number.isInteger(resamples) || resamples < 1) throw new Error(`hierarchical bootstrap: resamples must be a positive integer (got ${resamples})`);
  const all = [...method, ...baseline];
  const ids = [...method[0].keys()].filter((id) => all.every((run) => Number.isFinite(run.get(id))));
  if (ids.length === 0) throw new Error('hierarchical bootstrap: no image has a value in every run');
  const clusterOf = options.clusterOf ?? ((id: string) => id);
  const clusterIndex = new Map<string, number>();
  const imageCluster = ids.map((id) => {
    const key = clusterOf(id);
    if (!clusterIndex.has(key)) clusterIndex.set(key, clusterIndex.size);
    return clusterIndex.get(key)!;
  });
  const nClusters = clusterIndex.size;
  // Per run and cluster: the sum of the values of the cluster's images; and each cluster's size.
  const sums = (runs: readonly ReadonlyMap<string, number>[]) =>
    runs.map((run) => {
      const s = new Float64Array(nClusters);
      ids.forEach((id, i) => (s[imageCluster[i]] += run.get(id)!));
      return s;
    });
  const sumA = sums(method);
  const sumB = sums(baseline);
  const size = new Float64Array(nClusters);
  for (const c of imageCluster) size[c]++;

  const perImage = ids.map((id) => {
    const a = method.reduce((acc, run) => acc + run.get(id)!, 0) / method.length;
    const b = baseline.reduce((acc, run) => acc + run.get(id)!, 0) / baseline.length;
    return a - b;
  });
  const meanDiff = perImage.reduce((x, y) => x + y, 0) / perImage.length;

  const random = seededRandom(options.seed ?? 0);
  const stats = new Float64Array(resamples);
  const seedWeightsA = new Float64Array(method.length);
  const seedWeightsB = new Float64Array(baseline.length);
  for (let r = 0; r < resamples; r++) {
    seedWeightsA.fill(0);
    seedWeightsB.fill(0);
    for (let k = 0; k < method.length; k++) seedWeightsA[randomIndex(random, method.length)] += 1 / method.length;
    for (let k = 0; k < baseline.length; k++) seedWeightsB[randomIndex(random, baseline.length)] += 1 / baseline.length;
    let num = 0;
    let den = 0;
    for (let k = 0; k < nClusters; k++) {
      const c = randomIndex(random, nClusters);
      let a = 0;
      for (let s = 0; s < sumA.length; s++) a += seedWeightsA[s] * sumA[s][c];
      let b = 0;
      for (let s = 0; s < sumB.length; s++) b += seedWeightsB[s] * sumB[s][c];
      num += a - b;
      den += size[c];
    }
    stats[r] = num / den;
  }
  stats.sort();
  const tail = (1 - level) / 2;
  return {
    mean: meanDiff,
    median: median(Float64Array.from(perImage)),
    ci95: [quantileSorted(stats, tail), quantileSorted(stats, 1 - tail)],
    level,
    resamples,
    images: ids.length,
    clusters: nClusters,
    seeds: [method.length, baseline.length],
  };
}
