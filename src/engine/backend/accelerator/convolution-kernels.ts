/**
 * Convolution kernels on the accelerator's oneDNN: Conv2D, FusedConv2D (bias and ReLU fused),
 * Conv2DBackpropInput (also every transposed convolution) and Conv2DBackpropFilter. The tensors
 * stay in the wasm heap; the addon reads and writes them there. Whatever a kernel cannot take
 * (NCHW, another dtype, PReLU or another activation, a bias that is not one per channel) goes to
 * the kernel registered before.
 */
import {
  backend_util,
  Conv2D,
  Conv2DAttrs,
  Conv2DBackpropFilter,
  Conv2DBackpropFilterAttrs,
  Conv2DBackpropInput,
  Conv2DBackpropInputAttrs,
  FusedConv2D,
  FusedConv2DAttrs,
  KernelFunc,
  TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { ConvKind, ConvParam } from './addon';
import { conv2dInfo } from '../kernels/conv-info';
import { addon, fallback, filling, heapOf, KernelArgs, offsetOf } from './kernel-registry';

type Conv2DInfo = backend_util.Conv2DInfo;

const params = new Float64Array(ConvParam.Count);

/** Fills the shared parameter block from tfjs's convolution geometry (NHWC, hwio filter). */
function setGeometry(info: Conv2DInfo): void {
  params[ConvParam.N] = info.batchSize;
  params[ConvParam.H] = info.inHeight;
  params[ConvParam.W] = info.inWidth;
  params[ConvParam.Ci] = info.inChannels;
  params[ConvParam.OH] = info.outHeight;
  params[ConvParam.OW] = info.outWidth;
  params[ConvParam.Co] = info.outChannels;
  params[ConvParam.KH] = info.filterHeight;
  params[ConvParam.KW] = info.filterWidth;
  params[ConvParam.SH] = info.strideHeight;
  params[ConvParam.SW] = info.strideWidth;
  params[ConvParam.DH] = info.dilationHeight;
  params[ConvParam.DW] = info.dilationWidth;
  params[ConvParam.PT] = info.padInfo.top;
  params[ConvParam.PL] = info.padInfo.left;
  params[ConvParam.PB] = info.padInfo.bottom;
  params[ConvParam.PR] = info.padInfo.right;
}

/** oneDNN takes only geometry it can represent without a ragged edge; anything else falls back. */
function supported(info: Conv2DInfo, ...tensors: TensorInfo[]): boolean {
  if (info.dataFormat !== 'channelsLast' || info.inChannels * info.outChannels === 0) return false;
  if (tensors.some((t) => t.dtype !== 'float32' || util.sizeFromShape(t.shape) === 0)) return false;
  const fits = (size: number, k: number, d: number, s: number, before: number, after: number, out: number) =>
    before >= 0 && after >= 0 && Math.floor((size + before + after - ((k - 1) * d + 1)) / s) + 1 === out;
  return (
    fits(info.inHeight, info.filterHeight, info.dilationHeight, info.strideHeight, info.padInfo.top, info.padInfo.bottom, info.outHeight) &&
    fits(info.inWidth, info.filterWidth, info.dilationWidth, info.strideWidth, info.padInfo.left, info.padInfo.right, info.outWidth)
  );
}

interface ConvTensors {
  x: TensorInfo;
  filter: TensorInfo;
  y: TensorInfo;
  bias?: TensorInfo;
  relu?: boolean;
}

/** Runs one convolution of `kind`; `out` is whichever of x, filter or y that kind computes. */
function convolve(backend: BackendWasm, kind: ConvKind, info: Conv2DInfo, t: ConvTensors, out: TensorInfo): TensorInfo {
  setGeometry(info);
  params[ConvParam.XOff] = offsetOf(backend, t.x);
  params[ConvParam.WOff] = offsetOf(backend, t.filter);
  params[ConvParam.YOff] = offsetOf(backend, t.y);
  params[ConvParam.BOff] = t.bias ? offsetOf(backend, t.bias) : -1;
  params[ConvParam.Relu] = t.relu ? 1 : 0;
  return filling(backend, out, () => addon().conv(kind, heapOf(backend), params));
}

function conv2d(args: KernelArgs): TensorInfo | TensorInfo[] {
  const backend = args.backend as BackendWasm;
  const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
  const attrs = args.attrs as unknown as Conv2DAttrs;
  const info = conv2dInfo(x.shape, filter.shape, attrs);
  if (!supported(info, x, filter)) return fallback(Conv2D, args);
  const out = backend.makeOutput(info.outShape, 'float32');
  return convolve(backend, ConvKind.Forward, info, { x, filter, y: out }, out);
}

function fusedConv2d(args: KernelArgs): TensorInfo | TensorInfo[] {
  const backend = args.backend as BackendWasm;
  const { x, filter, bias, preluActivationWeights } = args.inputs as { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  const attrs = args.attrs as unknown as FusedConv2DAttrs;
  const { activation } = attrs;
  const info = conv2dInfo(x.shape, filter.shape, attrs);
  const simpleActivation = activation === undefined || activation === 'linear' || activation === 'relu';
  const perChannelBias = bias === undefined || (bias.dtype === 'float32' && util.sizeFromShape(bias.shape) === info.outChannels);
  if (preluActivationWeights || !simpleActivation || !perChannelBias || !supported(info, x, filter)) return fallback(FusedConv2D, args);
  const out = backend.makeOutput(info.outShape, 'float32');
  return convolve(backend, ConvKind.Forward, info, { x, filter, y: out, bias, relu: activation === 'relu' }, out);
}

function conv2dBackpropInput(args: KernelArgs): TensorInfo | TensorInfo[] {
  const backend = args.backend as BackendWasm;
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
  const { inputShape } = attrs;
  const info = conv2dInfo(inputShape, filter.shape, attrs);
  if (!supported(info, dy, filter) || !util.arraysEqual(dy.shape, info.outShape)) return fallback(Conv2DBackpropInput, args);
  const out = backend.makeOutput(inputShape, 'float32');
  return convolve(backend, ConvKind.BackwardData, info, { x: out, filter, y: dy }, out);
}

function conv2dBackpropFilter(args: KernelArgs): TensorInfo | TensorInfo[] {
  const backend = args.backend as BackendWasm;
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs;
  const { filterShape } = attrs;
  const info = conv2dInfo(x.shape, filterShape, attrs);
  if (!supported(info, x, dy) || !util.arraysEqual(dy.shape, info.outShape)) return fallback(Conv2DBackpropFilter, args);
  const out = backend.makeOutput(filterShape, 'float32');
  return convolve(backend, ConvKind.BackwardWeights, info, { x, filter: out, y: dy }, out);
}

export const CONVOLUTION_KERNELS: Record<string, KernelFunc> = {
  [Conv2D]: conv2d,
  [FusedConv2D]: fusedConv2d,
  [Conv2DBackpropInput]: conv2dBackpropInput,
  [Conv2DBackpropFilter]: conv2dBackpropFilter,
};
