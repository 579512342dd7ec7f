/**
 * The fused training batch norm + ReLU op (src/engine/ops/batchNormRelu.ts) on the accelerator:
 * forward and backward, each two passes over the activation on the OpenMP threads, instead of
 * about 25 single-threaded wasm kernels per layer.
 */
import { KernelFunc, TensorInfo, util } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { BATCH_NORM_RELU, BATCH_NORM_RELU_GRAD } from '../../ops/batchNormRelu';
import { ACCELERATOR_PARAMS } from './abi';
import { addon, filling, heapOf, KernelArgs, offsetOf } from './kernel-registry';

const forwardParams = new Float64Array(ACCELERATOR_PARAMS.batchNormReluForward);
const backwardParams = new Float64Array(ACCELERATOR_PARAMS.batchNormReluBackward);

/** Rows and channels of an activation whose per-channel vectors are `gamma`; throws on a mismatch. */
function geometry(x: TensorInfo, gamma: TensorInfo, ...others: TensorInfo[]): { rows: number; channels: number } {
  const channels = x.shape[x.shape.length - 1] ?? 0;
  const rows = util.sizeFromShape(x.shape) / Math.max(channels, 1);
  const floats = [x, gamma, ...others].every((t) => t.dtype === 'float32');
  if (!floats || channels === 0 || rows === 0 || util.sizeFromShape(gamma.shape) !== channels) {
    throw new Error(`${BATCH_NORM_RELU}: expected float32 x [..., C] with C > 0 and per-channel gamma/beta, got x ${JSON.stringify(x.shape)}, gamma ${JSON.stringify(gamma.shape)}`);
  }
  return { rows, channels };
}

function batchNormRelu(args: KernelArgs): TensorInfo[] {
  const backend = args.backend as BackendWasm;
  const { x, gamma, beta } = args.inputs as { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
  const { epsilon } = args.attrs as { epsilon: number };
  const { rows, channels } = geometry(x, gamma, beta);
  const outs = [backend.makeOutput(x.shape, 'float32'), backend.makeOutput([channels], 'float32'), backend.makeOutput([channels], 'float32')];
  forwardParams.set([rows, channels, epsilon, offsetOf(backend, x), offsetOf(backend, gamma), offsetOf(backend, beta), ...outs.map((o) => offsetOf(backend, o))]);
  return filling(backend, outs, () => addon().batchNormReluForward(heapOf(backend), forwardParams));
}

function batchNormReluGrad(args: KernelArgs): TensorInfo[] {
  const backend = args.backend as BackendWasm;
  const { dy, x, gamma, out, mean, variance } = args.inputs as Record<'dy' | 'x' | 'gamma' | 'out' | 'mean' | 'variance', TensorInfo>;
  const { epsilon } = args.attrs as { epsilon: number };
  const { rows, channels } = geometry(x, gamma, dy, out, mean, variance);
  const grads = [backend.makeOutput(x.shape, 'float32'), backend.makeOutput([channels], 'float32'), backend.makeOutput([channels], 'float32')];
  backwardParams.set([
    rows,
    channels,
    epsilon,
    ...[dy, x, gamma, out, mean, variance].map((t) => offsetOf(backend, t!)),
    ...grads.map((g) => offsetOf(backend, g)),
  ]);
  return filling(backend, grads, () => addon().batchNormReluBackward(heapOf(backend), backwardParams));
}

export const BATCH_NORM_KERNELS: Record<string, KernelFunc> = {
  [BATCH_NORM_RELU]: batchNormRelu as KernelFunc,
  [BATCH_NORM_RELU_GRAD]: batchNormReluGrad as KernelFunc,
};
