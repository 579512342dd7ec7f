/**
 * Helpers for the kernel tests that compare a backend's result with the cpu backend's: seeded
 * inputs, running a function on a named backend, and a relative-error check.
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';

export type Values = { shape: number[]; values: Float32Array };

export function seeded(shape: number[], seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, 'float32', seed);
}

/** Runs `f` on a backend and returns the values, leaving no tensor behind. */
export async function on(backend: string, f: () => tf.Tensor): Promise<Values> {
  await tf.setBackend(backend);
  const out = tf.tidy(f);
  const values = (await out.data()) as Float32Array;
  const shape = out.shape;
  out.dispose();
  return { shape, values };
}

/** Same shape, and every value within `tolerance` relative to max(1, |expected|). */
export function assertClose(actual: Values, expected: Values, label: string, tolerance = 1e-5): void {
  assert.deepEqual(actual.shape, expected.shape, `${label}: shape`);
  let worst = 0;
  for (let i = 0; i < expected.values.length; i++) {
    worst = Math.max(worst, Math.abs(actual.values[i]! - expected.values[i]!) / Math.max(1, Math.abs(expected.values[i]!)));
  }
  assert.ok(worst <= tolerance, `${label}: worst relative difference ${worst}`);
}

/**
 * Runs `step` once (warm-up: kernels may allocate lasting state on first use), then `repeats`
 * times more, and asserts that neither the engine's tensors nor the wasm backend's data ids grew.
 */
export function assertNoLeaks(step: () => void, repeats: number): void {
  const wasm = tf.engine().findBackend('wasm') as unknown as { numDataIds(): number };
  step();
  const tensors = tf.memory().numTensors;
  const dataIds = wasm.numDataIds();
  for (let i = 0; i < repeats; i++) step();
  assert.equal(tf.memory().numTensors, tensors, 'tensors alive');
  assert.equal(wasm.numDataIds(), dataIds, 'wasm data ids');
}

export type Pad = 'same' | 'valid' | number;
export interface ConvCase {
  x: number[];
  filter: number[];
  stride: number;
  pad: Pad;
}

/**
 * The geometries every convolution kernel is checked on: strides 1 and 2, 'same' and 'valid',
 * odd and non-square sizes, a non-square and a 1x1 filter, then explicit padding.
 */
export function convCases(): ConvCase[] {
  const cases: ConvCase[] = [];
  for (const stride of [1, 2]) {
    for (const pad of ['same', 'valid'] as const) {
      cases.push({ x: [2, 7, 9, 3], filter: [3, 3, 3, 4], stride, pad });
      cases.push({ x: [3, 8, 8, 2], filter: [3, 3, 2, 5], stride, pad });
      cases.push({ x: [1, 11, 6, 4], filter: [5, 2, 4, 3], stride, pad });
      cases.push({ x: [2, 6, 6, 3], filter: [1, 1, 3, 2], stride, pad });
    }
  }
  cases.push({ x: [2, 7, 7, 3], filter: [3, 3, 3, 2], stride: 1, pad: 1 });
  cases.push({ x: [2, 9, 9, 3], filter: [3, 3, 3, 2], stride: 2, pad: 2 });
  return cases;
}
