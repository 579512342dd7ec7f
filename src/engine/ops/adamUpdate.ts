/**
 * One Adam step for one variable as a single kernel, where the active backend has one (the native
 * accelerator on wasm). src/engine/train/adam.ts uses it and otherwise runs tfjs's own Adam.
 */
import type { TF } from '../tf';

/**
 * {value, m, v, gradient, accBeta1, accBeta2}, {learningRate, beta1, beta2, epsilon} -> [value, m, v],
 * with accBeta1 = beta1^t and accBeta2 = beta2^t before this step (one-element tensors).
 */
export const ADAM_UPDATE = 'BusLabAdamUpdate';

export function hasFusedAdamUpdate(tf: TF): boolean {
  return tf.getKernel(ADAM_UPDATE, tf.getBackend()) !== undefined;
}
