/**
 * Swapping the accelerator's kernels into the wasm backend and back. The kernels registered before
 * are kept: a kernel hands what it cannot take (another dtype, layout or geometry) to the one it
 * replaced, so enabling the accelerator is always safe.
 */
import { getKernel, KernelConfig, KernelFunc, registerKernel, TensorInfo, unregisterKernel } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { AcceleratorAddon } from './addon';
import type { ThreadGovernor } from './threadGovernor';

export type KernelArgs = Parameters<KernelFunc>[0];

const previous = new Map<string, KernelConfig>();
let active: AcceleratorAddon | undefined;
let governor: ThreadGovernor | undefined;

/** The loaded addon; kernels only run while it is enabled. Every call lets the governor look. */
export function addon(): AcceleratorAddon {
  if (!active) throw new Error('the native accelerator is not enabled');
  governor?.tick();
  return active;
}

/** Sizes the kernels' thread team to the free cores from now on (undefined: fixed size). */
export function setThreadGovernor(next: ThreadGovernor | undefined): void {
  governor = next;
}

export function heapOf(backend: BackendWasm): ArrayBufferLike {
  return (backend.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.buffer;
}

/** Byte offset of a tensor's data in the wasm heap. */
export function offsetOf(backend: BackendWasm, info: TensorInfo): number {
  return backend.dataIdMap.get(info.dataId)!.memoryOffset;
}

/** Runs the kernel that was registered before ours. */
export function fallback(kernelName: string, args: KernelArgs): TensorInfo | TensorInfo[] {
  const kernel = previous.get(kernelName);
  if (!kernel) throw new Error(`no wasm '${kernelName}' kernel to fall back to`);
  return kernel.kernelFunc(args);
}

/** Runs `compute` (which fills `outputs` in place); frees the outputs if it throws. */
export function filling<T extends TensorInfo | TensorInfo[]>(backend: BackendWasm, outputs: T, compute: () => void): T {
  try {
    compute();
  } catch (err) {
    for (const out of Array.isArray(outputs) ? outputs : [outputs]) backend.disposeData(out.dataId);
    throw err;
  }
  return outputs;
}

/** Registers `kernels` on the wasm backend over whatever is there (idempotent). */
export function enableKernels(loaded: AcceleratorAddon, kernels: Record<string, KernelFunc>): void {
  active = loaded;
  for (const [name, kernelFunc] of Object.entries(kernels)) {
    const current = getKernel(name, 'wasm');
    if (current?.kernelFunc === kernelFunc) continue;
    if (current) previous.set(name, { ...current });
    else previous.delete(name);
    if (current) unregisterKernel(name, 'wasm');
    registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc });
  }
}

/** Puts back the kernels that `enableKernels` replaced, and removes those it added. */
export function disableKernels(kernels: Record<string, KernelFunc>): void {
  for (const [name, kernelFunc] of Object.entries(kernels)) {
    if (getKernel(name, 'wasm')?.kernelFunc !== kernelFunc) continue;
    unregisterKernel(name, 'wasm');
    const before = previous.get(name);
    if (before) registerKernel(before);
    previous.delete(name);
  }
  active = undefined;
  governor = undefined;
}

export function acceleratorEnabled(): boolean {
  return active !== undefined;
}

/** The addon while it is enabled (the whole-network inference path asks for it), else undefined. */
export function enabledAccelerator(): AcceleratorAddon | undefined {
  governor?.tick();
  return active;
}
