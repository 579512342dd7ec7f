/**
 * Conv2DBackpropInput for the wasm backend on XNNPACK. The stock kernel is a scalar C++ loop that
 * took about 60% of a U-Net training step (it computes every convolution's input gradient, and
 * the forward pass of each transposed convolution).
 *
 * The input gradient is a stride-1 convolution of dy, zero-dilated by the stride, with the filter
 * rotated by 180 degrees and its channel axes swapped:
 *   dx[n] = sum over i of D[n + (kh - 1 - padTop) - i'] ...  i.e. conv(D, rot180(W)^T)
 * with leading padding kh - 1 - padTop and whatever trailing padding makes the output H x W (rows
 * of D past that are never read and are sliced off when the padding would be negative).
 * Zero-dilation is a reshape to [B, oh, 1, ow, 1, C], a pad to [B, oh, sh, ow, sw, C] and a
 * reshape back, all by the backend's own kernels.
 */
import { backend_util, Conv2DBackpropInput, Conv2DBackpropInputAttrs, Conv2DBackpropInputInputs, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { conv2dInfo, stride1ConvAttrs } from './conv-info';
import { Scratch, WasmBackend } from './wasm-kernel-calls';

/** Leading/trailing padding of the gradient convolution along one axis; negative means "cut". */
export function gradientPadding(inSize: number, filterSize: number, padBefore: number, dilatedLength: number): [number, number] {
  const before = filterSize - 1 - padBefore;
  const after = inSize + filterSize - 1 - dilatedLength - before;
  return [before, after];
}

export function conv2dBackpropInputWasm(args: { inputs: Conv2DBackpropInputInputs; backend: WasmBackend; attrs: Conv2DBackpropInputAttrs }): TensorInfo {
  const { backend, attrs } = args;
  const dy = args.inputs.dy as TensorInfo;
  const filter = args.inputs.filter as TensorInfo;
  const { dataFormat, inputShape } = attrs;
  if (dataFormat !== 'NHWC') throw new Error(`wasm Conv2DBackpropInput supports only NHWC, got ${dataFormat}`);
  const info = conv2dInfo(inputShape, filter.shape, attrs);
  const { batchSize, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow, outChannels: co, inHeight, inWidth } = info;

  const scratch = new Scratch(backend);
  try {
    const { top: padTop, bottom: padBottom, left: padLeft, right: padRight } = info.padInfo;
    const tiles = kh === sh && kw === sw && padTop + padBottom + padLeft + padRight === 0 && inHeight === oh * sh && inWidth === ow * sw;
    if (tiles && (sh > 1 || sw > 1)) return scratch.release(nonOverlappingTransposedConv(scratch, dy, filter, info));
    let image = dy;
    if (sh > 1 || sw > 1) {
      const split = scratch.call('Reshape', { x: dy }, { shape: [batchSize, oh, 1, ow, 1, co] });
      const padded = scratch.call('PadV2', { x: split }, {
        paddings: [
          [0, 0],
          [0, 0],
          [0, sh - 1],
          [0, 0],
          [0, sw - 1],
          [0, 0],
        ],
        constantValue: 0,
      });
      image = scratch.call('Reshape', { x: padded }, { shape: [batchSize, oh * sh, ow * sw, co] });
    }
    let [top, bottom] = gradientPadding(inHeight, kh, info.padInfo.top, image.shape[1]!);
    let [left, right] = gradientPadding(inWidth, kw, info.padInfo.left, image.shape[2]!);
    if (top < 0 || bottom < 0 || left < 0 || right < 0) {
      const begin = [0, Math.max(-top, 0), Math.max(-left, 0), 0];
      const size = [batchSize, image.shape[1]! - begin[1]! + Math.min(bottom, 0), image.shape[2]! - begin[2]! + Math.min(right, 0), co];
      image = scratch.call('Slice', { x: image }, { begin, size });
      [top, bottom, left, right] = [top, bottom, left, right].map((p) => Math.max(p, 0)) as [number, number, number, number];
    }
    const flipped = scratch.call('Reverse', { x: filter }, { dims: [0, 1] });
    const kernel = scratch.call('Transpose', { x: flipped }, { perm: [0, 1, 3, 2] });
    const convAttrs = stride1ConvAttrs(top, bottom, left, right);
    return scratch.release(scratch.call('Conv2D', { x: image, filter: kernel }, convAttrs));
  } finally {
    scratch.dispose();
  }
}

/**
 * The transposed convolution of the U-Net's up-sampling (2x2 kernel, stride 2, no padding) writes
 * each input pixel to its own kh x kw output tile. That is a 1x1 convolution producing
 * kh*kw*C channels per pixel, then a reshape/transpose that lays the tiles out: a quarter of the
 * arithmetic of the zero-dilated route, which multiplies three of every four inputs by zero.
 */
function nonOverlappingTransposedConv(scratch: Scratch, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { batchSize, filterHeight: kh, filterWidth: kw, outHeight: oh, outWidth: ow, inChannels: cx, outChannels: cy } = info;
  // filter [kh, kw, cx, cy] -> [1, 1, cy, kh*kw*cx], output channel order (i, j, c).
  const moved = scratch.call('Transpose', { x: filter }, { perm: [3, 0, 1, 2] });
  const pointwise = scratch.call('Reshape', { x: moved }, { shape: [1, 1, cy, kh * kw * cx] });
  const perPixel = scratch.call('Conv2D', { x: dy, filter: pointwise }, { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1] });
  const split = scratch.call('Reshape', { x: perPixel }, { shape: [batchSize, oh, ow, kh, kw, cx] });
  const laidOut = scratch.call('Transpose', { x: split }, { perm: [0, 1, 3, 2, 4, 5] });
  return scratch.call('Reshape', { x: laidOut }, { shape: [batchSize, oh * kh, ow * kw, cx] });
}

/** Replaces the stock kernel (registration order in ./index makes this one win). */
export const conv2dBackpropInputWasmConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropInputWasm as unknown as KernelConfig['kernelFunc'],
};
