/** The fused Adam step (src/engine/ops/adamUpdate.ts) on the accelerator: one pass per variable. */
import { KernelFunc, TensorInfo, util } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { ADAM_UPDATE } from '../../ops/adamUpdate';
import { ACCELERATOR_PARAMS } from './abi';
import { addon, filling, heapOf, KernelArgs, offsetOf } from './kernel-registry';

const params = new Float64Array(ACCELERATOR_PARAMS.adamUpdate);

function adamUpdate(args: KernelArgs): TensorInfo[] {
  const backend = args.backend as BackendWasm;
  const { value, m, v, gradient, accBeta1, accBeta2 } = args.inputs as Record<'value' | 'm' | 'v' | 'gradient' | 'accBeta1' | 'accBeta2', TensorInfo>;
  const { learningRate, beta1, beta2, epsilon } = args.attrs as { learningRate: number; beta1: number; beta2: number; epsilon: number };
  const n = util.sizeFromShape(value.shape);
  const all = [value, m, v, gradient, accBeta1, accBeta2];
  if (all.some((t) => t.dtype !== 'float32') || [m, v, gradient].some((t) => util.sizeFromShape(t.shape) !== n) || util.sizeFromShape(accBeta1.shape) !== 1 || util.sizeFromShape(accBeta2.shape) !== 1) {
    throw new Error(`${ADAM_UPDATE}: expected float32 value, m, v and gradient of one size and one-element accBeta1/accBeta2`);
  }
  const outs = [backend.makeOutput(value.shape, 'float32'), backend.makeOutput(value.shape, 'float32'), backend.makeOutput(value.shape, 'float32')];
  params.set([n, ...all.map((t) => offsetOf(backend, t)), ...outs.map((o) => offsetOf(backend, o)), learningRate, beta1, beta2, epsilon]);
  return filling(backend, outs, () => addon().adamUpdate(heapOf(backend), params));
}

export const OPTIMIZER_KERNELS: Record<string, KernelFunc> = {
  [ADAM_UPDATE]: adamUpdate as KernelFunc,
};
