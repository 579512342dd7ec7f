/**
 * Calling the wasm backend's own kernels from inside another kernel. A kernel must not call tf ops
 * (they would be recorded on the gradient tape and tracked by the engine); it calls kernel
 * functions on TensorInfos and releases its intermediates with `backend.disposeData`.
 */
import { getKernel, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type WasmBackend = BackendWasm;

export function callWasmKernel(backend: WasmBackend, kernelName: string, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap = {}): TensorInfo {
  const kernel = getKernel(kernelName, 'wasm');
  if (!kernel) throw new Error(`wasm backend has no '${kernelName}' kernel`);
  const out = kernel.kernelFunc({ inputs, attrs, backend });
  if (Array.isArray(out)) throw new Error(`'${kernelName}' returned several tensors where one was expected`);
  return out;
}

/** Collects intermediates and frees them all at the end, even when a kernel call throws. */
export class Scratch {
  private readonly held: TensorInfo[] = [];
  constructor(private readonly backend: WasmBackend) {}

  keep(info: TensorInfo): TensorInfo {
    this.held.push(info);
    return info;
  }

  call(kernelName: string, inputs: Record<string, TensorInfo>, attrs?: NamedAttrMap): TensorInfo {
    return this.keep(callWasmKernel(this.backend, kernelName, inputs, attrs));
  }

  /** Removes `info` from the scratch list so that it survives `dispose()` (the kernel's result). */
  release(info: TensorInfo): TensorInfo {
    const i = this.held.indexOf(info);
    if (i >= 0) this.held.splice(i, 1);
    return info;
  }

  dispose(): void {
    for (const info of this.held.splice(0)) this.backend.disposeData(info.dataId);
  }
}
