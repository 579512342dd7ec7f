/**
 * Kernels the cpu backend has and the wasm backend lacks (UnsortedSegmentSum, the gradient of
 * gather; the depthwise-convolution gradients; Einsum...) run on wasm by borrowing the cpu kernel:
 * inputs are copied from the wasm heap into the cpu backend, the cpu kernel runs there, and its
 * outputs are copied back. Correct by construction and slow; only rarely used ops take this path
 * (the probe in bench/probe-wasm-gradients.ts shows which), hot ones get native wasm kernels.
 */
import { backend_util, DataId, DataType, engine, getKernelsForBackend, KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmBackend } from './wasm-kernel-calls';

/** Kernels whose cpu form stores data the wasm heap cannot hold (complex parts, strings). */
const NOT_BORROWABLE = /FFT|Complex|^Real$|^Imag$|String|Regex|Base64/;

/** The part of the cpu backend used here (MathBackendCPU is not exported as a type). */
type CpuLikeBackend = KernelBackend & {
  write(values: backend_util.BackendValues, shape: number[], dtype: DataType): DataId;
};

function borrow(kernelName: string, cpuKernel: KernelFunc): KernelFunc {
  return ({ inputs, attrs, backend }) => {
    const wasm = backend as WasmBackend;
    const cpu = engine().findBackend('cpu') as CpuLikeBackend | null;
    if (!cpu) throw new Error(`'${kernelName}' on wasm needs the cpu backend, which did not start`);
    // Some kernels (Einsum, AddN...) take their inputs as an array; keep the container's kind.
    const cpuInputs: Record<string, TensorInfo> = (Array.isArray(inputs) ? [] : {}) as Record<string, TensorInfo>;
    const written: DataId[] = [];
    const produced: TensorInfo[] = [];
    try {
      for (const [name, info] of Object.entries(inputs)) {
        if (!info) continue;
        const dataId = cpu.write(wasm.readSync(info.dataId), info.shape, info.dtype);
        written.push(dataId);
        cpuInputs[name] = { dataId, shape: info.shape, dtype: info.dtype };
      }
      const out = cpuKernel({ inputs: cpuInputs, attrs, backend: cpu });
      produced.push(...(Array.isArray(out) ? out : [out]));
      const copied = produced.map((info) => {
        const result = wasm.makeOutput(info.shape, info.dtype);
        wasm.typedArrayFromHeap(result).set(cpu.readSync(info.dataId) as backend_util.TypedArray);
        return result;
      });
      return Array.isArray(out) ? copied : copied[0]!;
    } finally {
      for (const dataId of written) cpu.disposeData(dataId, true);
      for (const info of produced) if (!written.includes(info.dataId)) cpu.disposeData(info.dataId, true);
    }
  };
}

/** Borrowing configs for every cpu kernel that has no wasm counterpart at the time of the call. */
export function cpuFallbackKernelsForWasm(): KernelConfig[] {
  const onWasm = new Set(getKernelsForBackend('wasm').map((k) => k.kernelName));
  return getKernelsForBackend('cpu')
    .filter((k) => !onWasm.has(k.kernelName) && !NOT_BORROWABLE.test(k.kernelName))
    .map((k) => ({ kernelName: k.kernelName, backendName: 'wasm', kernelFunc: borrow(k.kernelName, k.kernelFunc) }));
}
