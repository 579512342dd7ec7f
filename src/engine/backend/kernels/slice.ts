/**
 * Slice for the wasm backend. The stock kernel copies a non-contiguous slice in JavaScript, one
 * innermost row at a time; slicing channels off an NHWC activation (the gradient of every skip
 * concatenation in the U-Net) is then a loop of tens of thousands of 16-float copies. The backend's
 * C++ StridedSlice does the same copy in one call, and a slice is a strided slice with unit strides.
 * Contiguous slices, and dtypes the C++ kernel does not cover, keep the stock path.
 */
import { getKernel, KernelConfig, KernelFunc, Slice, slice_util, SliceAttrs, SliceInputs, TensorInfo, util } from '@tensorflow/tfjs-core';
import type { WasmBackend } from './wasm-kernel-calls';

type StridedSliceFn = (
  xId: number,
  xStrides: Uint8Array,
  xRank: number,
  begin: Uint8Array,
  end: Uint8Array,
  strides: Uint8Array,
  outShape: Uint8Array,
  outStrides: Uint8Array,
  outRank: number,
  outId: number,
) => void;

const stridedSliceByModule = new WeakMap<object, StridedSliceFn>();

function cppStridedSlice(backend: WasmBackend): StridedSliceFn {
  let fn = stridedSliceByModule.get(backend.wasm);
  if (!fn) {
    // The signature of the exported C++ function, as tfjs-backend-wasm's own StridedSlice wraps it.
    // cwrap is on the Emscripten module at run time; the package's type omits it.
    const module = backend.wasm as unknown as { cwrap(name: string, ret: null, args: string[]): unknown };
    fn = module.cwrap('StridedSlice', null, ['number', 'array', 'number', 'array', 'array', 'array', 'array', 'array', 'number', 'number']) as StridedSliceFn;
    stridedSliceByModule.set(backend.wasm, fn);
  }
  return fn;
}

const int32Bytes = (values: number[]) => new Uint8Array(new Int32Array(values).buffer);

let stockSlice: KernelFunc | undefined;

export function sliceWasm(args: { inputs: SliceInputs; backend: WasmBackend; attrs: SliceAttrs }): TensorInfo {
  const { backend, attrs } = args;
  const x = args.inputs.x as TensorInfo;
  const [begin, size] = slice_util.parseSliceParams(x as never, attrs.begin, attrs.size);
  if (x.dtype !== 'float32' || util.sizeFromShape(size) === 0 || slice_util.isSliceContinous(x.shape, begin, size)) {
    if (!stockSlice) throw new Error('the stock wasm Slice kernel was not found');
    return stockSlice(args as never) as TensorInfo;
  }
  const out = backend.makeOutput(size, 'float32');
  const end = begin.map((b, i) => b + size[i]!);
  cppStridedSlice(backend)(
    backend.dataIdMap.get(x.dataId)!.id,
    int32Bytes(util.computeStrides(x.shape)),
    x.shape.length,
    int32Bytes(begin),
    int32Bytes(end),
    int32Bytes(begin.map(() => 1)),
    int32Bytes(size),
    int32Bytes(util.computeStrides(size)),
    size.length,
    backend.dataIdMap.get(out.dataId)!.id,
  );
  return out;
}

export const sliceWasmConfig: KernelConfig = {
  kernelName: Slice,
  backendName: 'wasm',
  kernelFunc: sliceWasm as unknown as KernelFunc,
};

/** Remembers the stock kernel before it is replaced (the fast path falls back to it). */
export function captureStockSlice(): void {
  const current = getKernel(Slice, 'wasm');
  if (current && current.kernelFunc !== sliceWasmConfig.kernelFunc) stockSlice = current.kernelFunc;
}
