/**
 * MaxPoolGrad on the accelerator for non-overlapping windows (the U-Net's 2x2, stride 2). The wasm
 * backend has no MaxPoolGrad of its own; the cpu kernel it borrows copies every tensor out of the
 * heap and back. Overlapping windows go to that borrowed kernel.
 */
import { backend_util, KernelFunc, MaxPoolGrad, MaxPoolGradAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { ACCELERATOR_PARAMS } from './abi';
import { addon, fallback, filling, heapOf, KernelArgs, offsetOf } from './kernel-registry';

const params = new Float64Array(ACCELERATOR_PARAMS.maxPoolGrad);

function maxPoolGrad(args: KernelArgs): TensorInfo | TensorInfo[] {
  const backend = args.backend as BackendWasm;
  // The pooled output (also an input of MaxPoolGrad) is not needed: the argmax is found again in x.
  const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as MaxPoolGradAttrs;
  const info = backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const overlapping = info.strideHeight < info.filterHeight || info.strideWidth < info.filterWidth;
  if (overlapping || [dy, input].some((t) => t.dtype !== 'float32') || input.shape.some((d) => d === 0)) return fallback(MaxPoolGrad, args);
  const out = backend.makeOutput(input.shape, 'float32');
  params.set([
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
    offsetOf(backend, input),
    offsetOf(backend, dy),
    offsetOf(backend, out),
  ]);
  return filling(backend, out, () => addon().maxPoolGrad(heapOf(backend), params));
}

export const POOLING_KERNELS: Record<string, KernelFunc> = {
  [MaxPoolGrad]: maxPoolGrad,
};
