/**
 * Concat and SplitV as strided row copies on the accelerator's threads. The U-Net's skip
 * connections concatenate along channels, and the gradient splits them again; tfjs's wasm
 * kernels copy those row by row in JavaScript (about 10% of a training step at 128 x 128).
 */
import { backend_util, Concat, ConcatAttrs, KernelFunc, SplitV, SplitVAttrs, TensorInfo, util } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { ACCELERATOR_PARAMS } from './abi';
import { addon, fallback, filling, heapOf, KernelArgs, offsetOf } from './kernel-registry';

const copy = new Float64Array(ACCELERATOR_PARAMS.copyColumns);

function copyColumns(backend: BackendWasm, rows: number, width: number, src: number, srcStride: number, dst: number, dstStride: number): void {
  copy[0] = rows;
  copy[1] = width;
  copy[2] = src;
  copy[3] = srcStride;
  copy[4] = dst;
  copy[5] = dstStride;
  addon().copyColumns(heapOf(backend), copy);
}

function allFloat(tensors: TensorInfo[]): boolean {
  return tensors.every((t) => t.dtype === 'float32' && util.sizeFromShape(t.shape) > 0);
}

function concat(args: KernelArgs): TensorInfo | TensorInfo[] {
  const backend = args.backend as BackendWasm;
  const inputs = args.inputs as unknown as TensorInfo[];
  const { axis } = args.attrs as unknown as ConcatAttrs;
  if (inputs.length < 2 || !allFloat(inputs)) return fallback(Concat, args);
  const $axis = util.parseAxisParam(axis, inputs[0]!.shape)[0]!;
  const outShape = backend_util.computeOutShape(
    inputs.map((t) => t.shape),
    $axis,
  );
  // Row r of the output is the inputs' row r side by side, each input's row its trailing block.
  const rows = util.sizeFromShape(outShape.slice(0, $axis));
  const width = util.sizeFromShape(outShape.slice($axis));
  const out = backend.makeOutput(outShape, 'float32');
  return filling(backend, out, () => {
    const base = offsetOf(backend, out);
    let column = 0;
    for (const input of inputs) {
      const w = util.sizeFromShape(input.shape.slice($axis));
      copyColumns(backend, rows, w, offsetOf(backend, input), w, base + 4 * column, width);
      column += w;
    }
  });
}

function splitV(args: KernelArgs): TensorInfo | TensorInfo[] {
  const backend = args.backend as BackendWasm;
  const { x } = args.inputs as { x: TensorInfo };
  const { numOrSizeSplits, axis } = args.attrs as unknown as SplitVAttrs;
  if (!allFloat([x])) return fallback(SplitV, args);
  const $axis = util.parseAxisParam(axis, x.shape)[0]!;
  const sizes = backend_util.prepareSplitSize(x, numOrSizeSplits, $axis);
  if (sizes.some((s) => s <= 0)) return fallback(SplitV, args);
  const rows = util.sizeFromShape(x.shape.slice(0, $axis));
  const inner = util.sizeFromShape(x.shape.slice($axis + 1));
  const width = x.shape[$axis]! * inner;
  const outs = sizes.map((size) => {
    const shape = x.shape.slice();
    shape[$axis] = size;
    return backend.makeOutput(shape, 'float32');
  });
  return filling(backend, outs, () => {
    const base = offsetOf(backend, x);
    let column = 0;
    outs.forEach((out, i) => {
      const w = sizes[i]! * inner;
      copyColumns(backend, rows, w, base + 4 * column, width, offsetOf(backend, out), w);
      column += w;
    });
  });
}

export const LAYOUT_KERNELS: Record<string, KernelFunc> = {
  [Concat]: concat,
  [SplitV]: splitV,
};
