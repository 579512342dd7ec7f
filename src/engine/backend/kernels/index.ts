/**
 * Kernels the project registers on top of the stock tfjs backends, because a stock backend lacks
 * them (bench/probe-wasm-gradients.ts lists what training needs and what fails).
 */
import { getKernel, KernelConfig, registerKernel } from '@tensorflow/tfjs-core';
import { conv2dBackpropFilterWasmConfig } from './conv2d-backprop-filter';
import { cpuFallbackKernelsForWasm } from './cpu-fallback';

/** The project's own wasm kernels; they take precedence over the cpu fallbacks. */
export const WASM_KERNELS: readonly KernelConfig[] = [conv2dBackpropFilterWasmConfig];

/**
 * Registers each kernel unless one is registered already (idempotent; a later tfjs may ship it),
 * then borrows the cpu kernel for whatever else wasm still lacks. Returns what was registered.
 */
export function registerProjectKernels(): string[] {
  const registered: string[] = [];
  for (const config of [...WASM_KERNELS, ...cpuFallbackKernelsForWasm()]) {
    if (getKernel(config.kernelName, config.backendName)) continue;
    registerKernel(config);
    registered.push(`${config.kernelName}@${config.backendName}`);
  }
  return registered;
}
