/**
 * Conv2DBackpropFilter for the wasm backend, which ships without it (training any conv net on wasm
 * fails with "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'").
 *
 * The filter gradient is itself a convolution, computed with the backend's XNNPACK Conv2D:
 *   dW[i,j,ci,co] = sum over b,p,q of x[b, p*sh + i - padTop, q*sw + j - padLeft, ci] * dy[b,p,q,co]
 * Read x with batch and channel swapped, [Ci,H,W,B], as the image, and dy as [oh,ow,B,Co], as the
 * filter; a convolution with dilation = the original stride then yields [Ci,kh,kw,Co], which one
 * transpose turns into [kh,kw,Ci,Co]. Leading padding is the forward pass's; trailing padding is
 * whatever makes the output kh x kw, and where that is negative (rows of x the forward pass never
 * read) x is sliced instead.
 */
import { Conv2DBackpropFilter, Conv2DBackpropFilterAttrs, Conv2DBackpropFilterInputs, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { conv2dInfo, stride1ConvAttrs } from './conv-info';
import { Scratch, WasmBackend } from './wasm-kernel-calls';

export function conv2dBackpropFilterWasm(args: { inputs: Conv2DBackpropFilterInputs; backend: WasmBackend; attrs: Conv2DBackpropFilterAttrs }): TensorInfo {
  const { backend, attrs } = args;
  const x = args.inputs.x as TensorInfo;
  const dy = args.inputs.dy as TensorInfo;
  const { dataFormat, filterShape } = attrs;
  if (dataFormat !== 'NHWC') throw new Error(`wasm Conv2DBackpropFilter supports only NHWC, got ${dataFormat}`);
  const info = conv2dInfo(x.shape, filterShape, attrs);
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow } = info;
  const [, height, width] = x.shape;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  // Rows/columns the dilated "filter" spans past the last input row, beyond the leading padding.
  let bottom = kh + (oh - 1) * sh - height - top;
  let right = kw + (ow - 1) * sw - width - left;

  const scratch = new Scratch(backend);
  try {
    let image = x;
    if (bottom < 0 || right < 0) {
      const [b, , , c] = x.shape;
      image = scratch.call('Slice', { x }, { begin: [0, 0, 0, 0], size: [b, height + Math.min(bottom, 0), width + Math.min(right, 0), c] });
      bottom = Math.max(bottom, 0);
      right = Math.max(right, 0);
    }
    const imageT = scratch.call('Transpose', { x: image }, { perm: [3, 1, 2, 0] });
    const filterT = scratch.call('Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
    const convAttrs = stride1ConvAttrs(top, bottom, left, right, [sh, sw]);
    const grad = scratch.call('Conv2D', { x: imageT, filter: filterT }, convAttrs);
    return scratch.release(scratch.call('Transpose', { x: grad }, { perm: [1, 2, 0, 3] }));
  } finally {
    scratch.dispose();
  }
}

export const conv2dBackpropFilterWasmConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilterWasm as unknown as KernelConfig['kernelFunc'],
};
