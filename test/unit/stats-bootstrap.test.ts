/**
 * Seeded bootstrap. A percentile bootstrap has no single published value (it depends on the
 * generator), so it is checked against what is known exactly or asymptotically:
 *  - two points {0, 1}: the bootstrap mean is 0, 1/2, 1 with probabilities 1/4, 1/2, 1/4, so the
 *    95% percentile interval is [0, 1] and the 50% interval is [0.5, 0.5] (Efron & Tibshirani 1993);
 *  - for a large sample the percentile CI of the mean matches mean +- 1.96 * s/sqrt(n) (CLT);
 *  - a constant sample gives a zero-width interval; the same seed gives the same interval.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bootstrapMeanCI, bootstrapMedianCI, pairedDifferenceCI } from '../../src/engine/stats/bootstrap';
import { mean, median, quantile, standardDeviation } from '../../src/engine/stats/descriptive';
import { seededRandom } from '../../src/engine/stats/random';
import { summarizeMetric } from '../../src/engine/stats/summary';
import { normalCdf, normalQuantile, erfc } from '../../src/engine/stats/normal';

test('normal distribution to full precision (values from python math.erfc / R qnorm)', () => {
  assert.ok(Math.abs(normalCdf(1.96) - 0.9750021048517795) < 1e-15);
  assert.ok(Math.abs(normalQuantile(0.975) - 1.959963984540054) < 1e-12);
  assert.ok(Math.abs(erfc(3) / 2.2090496998585438e-5 - 1) < 1e-13);
  assert.ok(Math.abs(normalCdf(-5) / 2.866515718791946e-7 - 1) < 1e-13);
  assert.ok(Math.abs(normalCdf(0) - 0.5) < 1e-16);
});

test('descriptive statistics: type-7 quantiles as R/numpy', () => {
  assert.equal(median([3, 1, 2, 10]), 2.5);
  assert.equal(quantile([1, 2, 3, 4, 5], 0.95), 4.8); // numpy.percentile([1..5], 95)
  assert.ok(Math.abs(standardDeviation([2, 4, 4, 4, 5, 5, 7, 9]) - 2.138089935299395) < 1e-12);
  assert.throws(() => median([1, NaN]), /value 1 is not a finite number/);
});

test('two-point sample: exact bootstrap distribution of the mean', () => {
  const wide = bootstrapMeanCI([0, 1], { seed: 1, resamples: 4000 });
  assert.deepEqual(wide.ci, [0, 1]);
  const narrow = bootstrapMeanCI([0, 1], { seed: 1, resamples: 4000, level: 0.4 });
  assert.deepEqual(narrow.ci, [0.5, 0.5]);
});

test('large sample: percentile CI of the mean agrees with the normal-theory interval', () => {
  const random = seededRandom(42);
  const values = Array.from({ length: 400 }, () => random() * 2);
  const r = bootstrapMeanCI(values, { seed: 7, resamples: 4000 });
  const half = (1.96 * standardDeviation(values)) / Math.sqrt(values.length);
  assert.ok(Math.abs(r.estimate - mean(values)) < 1e-15);
  assert.ok(Math.abs(r.ci[0] - (r.estimate - half)) < 0.15 * half, `low ${r.ci[0]}`);
  assert.ok(Math.abs(r.ci[1] - (r.estimate + half)) < 0.15 * half, `high ${r.ci[1]}`);
});

test('seeded: same seed same interval, another seed another interval', () => {
  const values = [0.91, 0.85, 0.4, 0.77, 0.88, 0.93, 0.12, 0.81, 0.79, 0.9];
  assert.deepEqual(bootstrapMedianCI(values, { seed: 3 }), bootstrapMedianCI(values, { seed: 3 }));
  assert.notDeepEqual(bootstrapMeanCI(values, { seed: 3 }).ci, bootstrapMeanCI(values, { seed: 4 }).ci);
  const constant = bootstrapMeanCI([0.7, 0.7, 0.7]).ci;
  assert.ok(Math.abs(constant[0] - 0.7) < 1e-12 && Math.abs(constant[1] - 0.7) < 1e-12);
  assert.throws(() => bootstrapMeanCI([]), /no values/);
  assert.throws(() => bootstrapMeanCI([1], { resamples: 0 }), /resamples/);
});

test('paired difference: median of per-pair differences, CI brackets it', () => {
  const a = [0.8, 0.82, 0.9, 0.7, 0.95, 0.6, 0.85];
  const b = [0.75, 0.8, 0.85, 0.72, 0.9, 0.5, 0.8];
  const r = pairedDifferenceCI(a, b, { seed: 0 });
  assert.ok(Math.abs(r.estimate - 0.05) < 1e-12);
  assert.ok(r.ci[0] <= r.estimate && r.estimate <= r.ci[1]);
  assert.throws(() => pairedDifferenceCI([1], [1, 2]), /pairs must match/);
});

test('summarizeMetric skips undefined values and returns undefined for none', () => {
  const s = summarizeMetric([0.5, undefined, 0.7, NaN, 0.9], { seed: 0 });
  assert.ok(s);
  assert.equal(s.n, 3);
  assert.ok(Math.abs(s.mean - 0.7) < 1e-12);
  assert.equal(s.median, 0.7);
  assert.ok(Math.abs(s.std - 0.2) < 1e-12);
  assert.ok(s.ci95[0] >= 0.5 && s.ci95[1] <= 0.9);
  assert.equal(summarizeMetric([undefined]), undefined);
  assert.deepEqual(summarizeMetric([0.4]), { n: 1, mean: 0.4, median: 0.4, std: 0, ci95: [0.4, 0.4] });
});
