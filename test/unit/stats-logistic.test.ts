import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitLogisticRegression } from '../../src/engine/stats/logisticRegression';
import { mulberry32 } from '../../src/engine/data/random';

/** n rows of k standard-normal features and labels drawn from a logistic model with weights w, bias b. */
function simulate(n: number, w: number[], b: number, seed: number): { x: number[][]; y: number[] } {
  const rand = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = w.map(() => normal());
    const z = row.reduce((acc, v, k) => acc + v * w[k], b);
    x.push(row);
    y.push(rand() < 1 / (1 + Math.exp(-z)) ? 1 : 0);
  }
  return { x, y };
}

test('the phi calibration fit recovers known weights and bias on synthetic features', () => {
  const truth = { w: [1.5, -0.8, 0, 0.4], b: -0.5 };
  const { x, y } = simulate(20000, truth.w, truth.b, 7);
  const fit = fitLogisticRegression(x, y, { l2: 1e-3 });
  assert.ok(fit.converged, 'Newton converged');
  fit.weights.forEach((w, k) => assert.ok(Math.abs(w - truth.w[k]) < 0.08, `w${k} ${w} vs ${truth.w[k]}`));
  assert.ok(Math.abs(fit.bias - truth.b) < 0.08, `bias ${fit.bias} vs ${truth.b}`);
});

test('the ridge penalty shrinks the weights, keeps a separable problem finite, and the fit is deterministic', () => {
  const { x, y } = simulate(300, [2, 1], 0, 3);
  const loose = fitLogisticRegression(x, y, { l2: 0.01 });
  const tight = fitLogisticRegression(x, y, { l2: 100 });
  assert.ok(Math.hypot(...tight.weights) < Math.hypot(...loose.weights) / 2);
  assert.deepEqual(fitLogisticRegression(x, y, { l2: 0.01 }), loose);
  // Perfectly separated by the first feature: without a penalty the weights would diverge.
  const sx = [[-2], [-1], [1], [2]];
  const sep = fitLogisticRegression(sx, [0, 0, 1, 1], { l2: 1 });
  assert.ok(sep.converged && Number.isFinite(sep.weights[0]) && sep.weights[0] > 0);
});

test('bad input is refused with the reason', () => {
  assert.throws(() => fitLogisticRegression([], []), /0 rows/);
  assert.throws(() => fitLogisticRegression([[1], [2, 3]], [0, 1]), /equal length/);
  assert.throws(() => fitLogisticRegression([[1], [2]], [0, 2]), /0 or 1/);
});
