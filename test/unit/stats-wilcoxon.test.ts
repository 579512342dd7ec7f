/**
 * Wilcoxon signed-rank test against published reference values:
 *  - Hollander & Wolfe (1999, Nonparametric Statistical Methods, 2nd ed., p. 29), depression-scale
 *    data used in R's `?wilcox.test` example: V = 40, exact p = 0.03906 (R), = 20/512.
 *  - scipy.stats.wilcoxon docstring, Fisher's "Design of Experiments" Darwin data (differences
 *    d below): statistic = 24, exact two-sided p = 0.041259765625; alternative='greater'
 *    p = 0.0206298828125; method='approx' (no continuity correction) p = 0.04088813291185591.
 *  - Wikipedia, "Wilcoxon signed-rank test", 10-pair worked example (one zero difference, one
 *    tie): N_r = 9, signed-rank sum W = 9 (W+ = 27, W- = 18). Its normal p-values were computed
 *    by hand from the formulas (R's: z = (27 - 22.5 - 0.5)/sqrt(71.125) = 0.474295, p = 0.635289;
 *    Pratt: z = (32 - 27 - 0.5)/sqrt(95.875), p = 0.645819) with python's math.erfc.
 *  - Standard critical-value tables (e.g. Siegel 1956, Table G): n = 10, two-sided alpha 0.05,
 *    critical T = 8.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exactSignedRankP, exactSignedRankUpperTail, signedRankCounts, wilcoxonSignedRank } from '../../src/engine/stats/wilcoxon';
import { rankBiserial } from '../../src/engine/stats/effectSize';

const close = (actual: number, expected: number, tol: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected}`);

test('Hollander & Wolfe depression data: V = 40, exact p = 0.03906 (R wilcox.test)', () => {
  const x = [1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3];
  const y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];
  const r = wilcoxonSignedRank(x, y);
  assert.equal(r.method, 'exact');
  assert.equal(r.wPlus, 40);
  assert.equal(r.wMinus, 5);
  assert.equal(r.statistic, 5);
  close(r.p, 0.0390625, 1e-12, 'p');
  close(rankBiserial(r), (40 - 5) / 45, 1e-12, 'rank-biserial');
});

test('scipy docstring (Darwin data): T = 24, exact p = 0.041259765625, one-sided 0.0206298828125', () => {
  const d = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75];
  const r = wilcoxonSignedRank(d);
  assert.equal(r.statistic, 24);
  assert.equal(r.wPlus, 96);
  assert.equal(r.method, 'exact');
  close(r.p, 0.041259765625, 1e-15, 'two-sided p');
  close(exactSignedRankUpperTail(96, 15), 0.0206298828125, 1e-15, 'one-sided p');
  const approx = wilcoxonSignedRank(d, undefined, { exact: false, correction: false });
  assert.equal(approx.method, 'normal');
  close(approx.p, 0.04088813291185591, 1e-12, 'approx p');
  close(approx.z, 36 / Math.sqrt(310), 1e-12, 'z');
});

test('Wikipedia 10-pair example: zero dropped, tie mid-ranked, W = 9, normal approximation', () => {
  const x = [125, 115, 130, 140, 140, 115, 140, 125, 140, 135];
  const y = [110, 122, 125, 120, 140, 124, 123, 137, 135, 145];
  const r = wilcoxonSignedRank(x, y);
  assert.equal(r.n, 9);
  assert.equal(r.zeros, 1);
  assert.equal(r.wPlus - r.wMinus, 9);
  assert.equal(r.wPlus, 27);
  assert.equal(r.method, 'normal'); // zeros and ties rule out the exact distribution, as in R
  close(r.z, 0.4742953333830018, 1e-12, 'z');
  close(r.p, 0.6352893188352069, 1e-12, 'p');

  const pratt = wilcoxonSignedRank(x, y, { zeroMethod: 'pratt' });
  assert.equal(pratt.n, 10);
  assert.equal(pratt.wPlus, 32);
  assert.equal(pratt.wMinus, 22);
  close(pratt.z, 0.4595786290693487, 1e-12, 'Pratt z');
  close(pratt.p, 0.645818701677725, 1e-12, 'Pratt p');
});

test('exact null distribution: small-n counts and the n = 10 critical value', () => {
  assert.deepEqual(Array.from(signedRankCounts(3)), [1, 1, 1, 2, 1, 1, 1]);
  const c10 = signedRankCounts(10);
  assert.equal(c10.reduce((s, v) => s + v, 0), 1024);
  assert.ok(exactSignedRankP(8, 10) <= 0.05, 'T = 8 is significant at 0.05');
  assert.ok(exactSignedRankP(9, 10) > 0.05, 'T = 9 is not');
  close(exactSignedRankP(8, 10), 0.048828125, 1e-15, 'p(T<=8)');
  // symmetry: W+ = w and W+ = n(n+1)/2 - w give the same two-sided p
  close(exactSignedRankP(47, 10), exactSignedRankP(8, 10), 1e-15, 'symmetry');
});

test('degenerate inputs: all-zero differences give p = 1; mismatched pairs and NaN throw', () => {
  const r = wilcoxonSignedRank([0.8, 0.7, 0.6], [0.8, 0.7, 0.6]);
  assert.equal(r.p, 1);
  assert.equal(r.z, 0);
  assert.equal(rankBiserial(r), 0);
  assert.equal(wilcoxonSignedRank([1, 2], [1, 2], { zeroMethod: 'pratt' }).p, 1);
  assert.throws(() => wilcoxonSignedRank([1, 2], [1]), /pairs must match/);
  assert.throws(() => wilcoxonSignedRank([1, NaN]), /pair 1 is not a finite number/);
});

test('large n uses the normal approximation even without ties', () => {
  const d = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? -1 : 1) * (i + 1));
  const r = wilcoxonSignedRank(d);
  assert.equal(r.method, 'normal');
  assert.ok(r.p > 0 && r.p < 1);
});
