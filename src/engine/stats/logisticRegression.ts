/**
 * L2-regularised logistic regression by Newton's method (iteratively reweighted least squares).
 * Used to calibrate phi's starting weights on the training split's true-mask features: a handful
 * of features and a few hundred lesions, so an exact Newton solve is fast, needs no learning rate,
 * and is deterministic (no random start, no data order), which keeps runs reproducible.
 *
 * Minimises  sum_i BCE(sigmoid(w . x_i + b), y_i) + (l2 / 2) ||w||^2   (the bias is not penalised).
 */

export interface LogisticRegressionOptions {
  /** Ridge penalty on the weights (not the bias). Default 1. */
  l2?: number;
  maxIterations?: number;
  /** Stop when the largest Newton step is below this. */
  tolerance?: number;
}

export interface LogisticRegressionFit {
  weights: number[];
  bias: number;
  iterations: number;
  converged: boolean;
}

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** Solves A x = r for a small symmetric positive definite A (Gaussian elimination, partial pivoting). */
function solve(a: number[][], r: number[]): number[] {
  const n = r.length;
  const m = a.map((row, i) => [...row, r[i]]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let k = c + 1; k < n; k++) if (Math.abs(m[k][c]) > Math.abs(m[pivot][c])) pivot = k;
    [m[c], m[pivot]] = [m[pivot], m[c]];
    if (Math.abs(m[c][c]) < 1e-300) throw new Error('logistic regression: singular Hessian');
    for (let k = c + 1; k < n; k++) {
      const f = m[k][c] / m[c][c];
      for (let j = c; j <= n; j++) m[k][j] -= f * m[c][j];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let c = n - 1; c >= 0; c--) {
    let s = m[c][n];
    for (let j = c + 1; j < n; j++) s -= m[c][j] * x[j];
    x[c] = s / m[c][c];
  }
  return x;
}

/** Fits y (0/1) on the rows of x (n rows of k features). */
export function fitLogisticRegression(x: readonly (readonly number[])[], y: readonly number[], options: LogisticRegressionOptions = {}): LogisticRegressionFit {
  const n = x.length;
  if (n === 0 || n !== y.length) throw new Error(`logistic regression: ${n} rows and ${y.length} labels`);
  const k = x[0].length;
  if (x.some((row) => row.length !== k || row.some((v) => !Number.isFinite(v)))) throw new Error('logistic regression: rows must have equal length and finite values');
  if (y.some((v) => v !== 0 && v !== 1)) throw new Error('logistic regression: labels must be 0 or 1');
  const l2 = options.l2 ?? 1;
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-10;
  // Parameters theta = [w_1..w_k, b]; the bias column is the constant 1.
  const theta = new Array<number>(k + 1).fill(0);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    const grad = new Array<number>(k + 1).fill(0);
    const hess = Array.from({ length: k + 1 }, () => new Array<number>(k + 1).fill(0));
    for (let i = 0; i < n; i++) {
      const row = [...x[i], 1];
      let z = 0;
      for (let j = 0; j <= k; j++) z += theta[j] * row[j];
      const p = sigmoid(z);
      const weight = Math.max(p * (1 - p), 1e-12);
      for (let j = 0; j <= k; j++) {
        grad[j] += (p - y[i]) * row[j];
        for (let l = 0; l <= j; l++) hess[j][l] += weight * row[j] * row[l];
      }
    }
    for (let j = 0; j <= k; j++) for (let l = 0; l < j; l++) hess[l][j] = hess[j][l];
    for (let j = 0; j < k; j++) {
      grad[j] += l2 * theta[j];
      hess[j][j] += l2;
    }
    const step = solve(hess, grad);
    let largest = 0;
    for (let j = 0; j <= k; j++) {
      theta[j] -= step[j];
      largest = Math.max(largest, Math.abs(step[j]));
    }
    if (largest < tolerance) {
      converged = true;
      break;
    }
  }
  return { weights: theta.slice(0, k), bias: theta[k], iterations, converged };
}
