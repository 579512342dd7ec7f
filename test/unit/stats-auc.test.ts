/**
 * AUC, DeLong variance/CI and DeLong's paired test against R's pROC on pROC's own `aSAH` data
 * (Turck et al. 2010, Intensive Care Med 36:107-115; 113 patients, 41 with a poor outcome).
 * pROC's documentation shows auc(s100b) = 0.7314 with DeLong 95% CI 0.6301-0.8326, auc(wfns) =
 * 0.8237, auc(ndka) = 0.612, and roc.test(s100b, wfns): Z = -2.209, p = 0.02718. Full-precision
 * values (pROC 1.19.1, format(digits = 17)) as published in a public test suite that pins its own
 * DeLong implementation to pROC: AUC, var(method = "delong") and roc.test(method = "delong").
 * Plus a hand-computed 2 + 2 case and tie handling.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aucMannWhitney, aucWithCI, delongTest } from '../../src/engine/stats/auc';
import { metricsAtThreshold, youdenThreshold } from '../../src/engine/stats/classification';

const close = (actual: number, expected: number, tol: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected}`);

// pROC::aSAH columns in row order: outcome (1 = Poor), s100b, wfns (1-5), ndka.
const OUTCOME_POOR = '00001101001011001011101000000000100110110000000001100010001010011101101111000110100000010000000000001111110001000';
const S100B = [0.13, 0.14, 0.1, 0.04, 0.13, 0.1, 0.47, 0.16, 0.18, 0.1, 0.12, 0.1, 0.44, 0.71, 0.04, 0.08, 0.49, 0.04, 0.07, 0.33, 0.09, 0.09, 0.07, 0.11, 0.07, 0.17, 0.07, 0.11, 0.13, 0.19, 0.05, 0.16, 0.41, 0.14, 0.34, 0.35, 0.48, 0.09, 0.96, 0.25, 0.5, 0.46, 0.16, 0.07, 0.43, 0.45, 0.11, 0.08, 0.09, 0.86, 0.52, 0.08, 0.06, 0.13, 2.07, 0.1, 0.14, 0.15, 0.07, 0.06, 0.77, 0.05, 0.09, 0.3, 0.03, 0.09, 0.04, 0.23, 0.7, 0.09, 0.27, 0.71, 0.08, 0.26, 0.08, 0.16, 0.09, 0.13, 0.1, 0.08, 0.11, 0.33, 0.11, 0.28, 0.07, 0.1, 0.32, 0.22, 0.07, 0.05, 0.24, 0.38, 0.1, 0.15, 0.08, 0.14, 0.1, 0.07, 0.04, 0.19, 0.56, 0.14, 0.58, 0.32, 0.82, 0.74, 0.15, 0.47, 0.17, 0.44, 0.15, 0.5, 0.48];
const WFNS = '11113254125255125225211112121134214541425511241125521251222151125214524414121421232421451154221113125225552445111';
const NDKA = [3.01, 8.54, 8.09, 10.42, 17.4, 12.75, 6.0, 13.2, 15.54, 6.01, 15.96, 17.86, 5.18, 8.9, 13.41, 20.75, 11.6, 16.11, 32.37, 54.82, 32.41, 49.94, 40.34, 9.47, 6.29, 12.53, 6.54, 6.3, 80.3, 12.8, 9.8, 9.81, 9.85, 18.21, 5.03, 14.04, 21.93, 8.02, 7.42, 8.38, 6.59, 9.63, 13.12, 7.96, 14.34, 41.43, 7.63, 7.06, 12.59, 13.56, 3.87, 9.44, 7.66, 12.98, 419.19, 27.19, 22.27, 9.95, 21.22, 11.73, 10.4, 58.83, 6.39, 11.09, 12.22, 13.67, 17.21, 22.63, 12.9, 9.7, 21.57, 8.23, 72.57, 15.54, 10.51, 10.6, 14.57, 5.19, 9.63, 4.61, 21.48, 17.3, 12.71, 9.44, 11.07, 19.46, 10.83, 5.37, 11.97, 7.75, 9.83, 10.55, 28.49, 8.53, 12.57, 12.9, 46.83, 11.68, 12.67, 9.01, 9.57, 34.06, 11.72, 14.26, 47.61, 11.67, 24.58, 10.33, 13.87, 15.89, 22.43, 6.79, 13.45];
const poor = Array.from(OUTCOME_POOR, (c) => c === '1');
const wfns = Array.from(WFNS, Number);

test('aSAH: AUC and DeLong variance match pROC', () => {
  assert.equal(poor.length, 113);
  assert.equal(poor.filter(Boolean).length, 41);
  const expected: [number[], number, number][] = [
    [S100B, 0.73136856368563685, 0.0026686824571724378],
    [wfns, 0.82367886178861793, 0.0014699147088236264],
    [NDKA, 0.61195799457994582, 0.0031908105493913021],
  ];
  for (const [scores, auc, variance] of expected) {
    const r = aucWithCI(scores, poor);
    close(r.auc, auc, 1e-12, 'AUC');
    close(r.variance, variance, 1e-12 * variance, 'DeLong variance');
    close(aucMannWhitney(scores, poor), auc, 1e-12, 'Mann-Whitney AUC');
  }
  const s100b = aucWithCI(S100B, poor);
  assert.ok(s100b.ci);
  // pROC prints "95% CI: 0.6301-0.8326 (DeLong)"
  close(s100b.ci[0], 0.6301, 5e-5, 'CI low');
  close(s100b.ci[1], 0.8326, 5e-5, 'CI high');
});

test('aSAH: DeLong test of correlated AUCs matches pROC roc.test', () => {
  const sw = delongTest(S100B, wfns, poor);
  close(sw.z, -2.2089835914409077, 1e-9, 'Z s100b vs wfns');
  close(sw.p, 0.02717578222918815, 1e-9, 'p s100b vs wfns');
  close(sw.difference, 0.73136856368563685 - 0.82367886178861793, 1e-12, 'difference');
  const sn = delongTest(S100B, NDKA, poor);
  close(sn.z, 1.3907700257355771, 1e-9, 'Z s100b vs ndka');
  close(sn.p, 0.16429517522305448, 1e-9, 'p s100b vs ndka');
  // swapping the curves flips the sign and keeps p
  const ws = delongTest(wfns, S100B, poor);
  close(ws.z, -sw.z, 1e-12, 'antisymmetry');
  close(ws.p, sw.p, 1e-12, 'same p');
});

test('hand-computed case: y = (1,1,0,0), s = (.9,.4,.6,.1): AUC 0.75, variance 0.125', () => {
  // V10 = (1, 0.5) over positives, V01 = (0.5, 1) over negatives;
  // var = var(V10)/2 + var(V01)/2 = 0.125/2 + 0.125/2 (sample variances).
  const r = aucWithCI([0.9, 0.4, 0.6, 0.1], [true, true, false, false]);
  close(r.auc, 0.75, 1e-15, 'AUC');
  close(r.variance, 0.125, 1e-15, 'variance');
  const same = delongTest([0.9, 0.4, 0.6, 0.1], [0.9, 0.4, 0.6, 0.1], [true, true, false, false]);
  assert.equal(same.z, 0);
  assert.equal(same.p, 1);
});

test('ties count one half; a single class is a clear error', () => {
  close(aucMannWhitney([0.5, 0.5, 0.5, 0.5], [true, false, true, false]), 0.5, 1e-15, 'all tied');
  close(aucMannWhitney([1, 0.5, 0.5], [true, true, false]), 0.75, 1e-15, 'one tie');
  assert.throws(() => aucWithCI([0.1, 0.2], [true, true]), /at least one positive and one negative/);
  assert.throws(() => aucWithCI([0.1, NaN], [true, false]), /score 1 is not a finite number/);
  // one positive: the DeLong variance is undefined, no CI
  assert.equal(aucWithCI([0.9, 0.1, 0.2], [true, false, false]).ci, undefined);
});

test('threshold metrics and the Youden threshold on a hand-made case', () => {
  const scores = [0.1, 0.3, 0.35, 0.6, 0.8, 0.9];
  const positive = [false, false, true, false, true, true];
  const m = metricsAtThreshold(scores, positive, 0.5);
  assert.deepEqual([m.tp, m.fp, m.tn, m.fn], [2, 1, 2, 1]);
  close(m.accuracy as number, 4 / 6, 1e-15, 'accuracy');
  close(m.sensitivity as number, 2 / 3, 1e-15, 'sensitivity');
  close(m.specificity as number, 2 / 3, 1e-15, 'specificity');
  // Candidates are midpoints; J is 2/3 at 0.325 (sens 1, spec 2/3) and at 0.7 (sens 2/3, spec 1):
  // the lower threshold wins the tie.
  const y = youdenThreshold(scores, positive);
  close(y.threshold, 0.325, 1e-15, 'threshold');
  close(y.j, 2 / 3, 1e-12, 'J');
  assert.equal(metricsAtThreshold([], [], 0.5).accuracy, undefined);
});
