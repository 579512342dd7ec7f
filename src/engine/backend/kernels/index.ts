/**
 * Kernels the project registers on top of the stock tfjs backends: ones a stock backend lacks
 * (bench/probe-wasm-gradients.ts lists what training needs and what fails) and faster versions of
 * stock ones (docs/PERFORMANCE.md measures each).
 */
import { getKernel, KernelConfig, registerKernel } from '@tensorflow/tfjs-core';
import { conv2dBackpropFilterWasmConfig } from './conv2d-backprop-filter';
import { conv2dBackpropInputWasmConfig } from './conv2d-backprop-input';
import { cpuFallbackKernelsForWasm } from './cpu-fallback';
import { identityWasmConfig } from './identity';

/** Kernels the wasm backend lacks; registered unless a later tfjs ships its own. */
export const WASM_KERNELS: readonly KernelConfig[] = [conv2dBackpropFilterWasmConfig];

/** Faster replacements for stock wasm kernels. */
export const WASM_KERNEL_REPLACEMENTS: readonly KernelConfig[] = [conv2dBackpropInputWasmConfig, identityWasmConfig];

export interface KernelRegistrationOptions {
  /** Keep the stock wasm kernels where the project has faster ones (for comparisons). */
  stockOnly?: boolean;
}

/**
 * Registers the project's kernels (idempotent), then borrows the cpu kernel for whatever wasm
 * still lacks. Returns what was registered by this call.
 */
export function registerProjectKernels(options: KernelRegistrationOptions = {}): string[] {
  const registered: string[] = [];
  const register = (config: KernelConfig) => {
    registerKernel(config);
    registered.push(`${config.kernelName}@${config.backendName}`);
  };
  for (const config of WASM_KERNELS) if (!getKernel(config.kernelName, config.backendName)) register(config);
  if (!options.stockOnly) {
    for (const config of WASM_KERNEL_REPLACEMENTS) {
      if (getKernel(config.kernelName, config.backendName)?.kernelFunc !== config.kernelFunc) register(config);
    }
  }
  for (const config of cpuFallbackKernelsForWasm()) if (!getKernel(config.kernelName, config.backendName)) register(config);
  return registered;
}
