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
