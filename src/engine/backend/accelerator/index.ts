/**
 * The native accelerator for the wasm backend: loads the addon and swaps its kernels in
 * (convolutions on oneDNN; fused training batch norm + ReLU, max-pool gradient, skip-connection
 * copies and the Adam step on OpenMP threads), or takes them out again.
 */
import type { KernelFunc } from '@tensorflow/tfjs-core';
import type { AcceleratorAddon } from './addon';
import { BATCH_NORM_KERNELS } from './batch-norm-kernels';
import { CONVOLUTION_KERNELS } from './convolution-kernels';
import { acceleratorEnabled, disableKernels, enableKernels, enabledAccelerator, setThreadGovernor } from './kernel-registry';
import { LAYOUT_KERNELS } from './layout-kernels';
import { OPTIMIZER_KERNELS } from './optimizer-kernels';
import { POOLING_KERNELS } from './pooling-kernels';

const ALL_KERNELS: Record<string, KernelFunc> = { ...CONVOLUTION_KERNELS, ...LAYOUT_KERNELS, ...POOLING_KERNELS, ...BATCH_NORM_KERNELS, ...OPTIMIZER_KERNELS };

export function enableAccelerator(addon: AcceleratorAddon): void {
  enableKernels(addon, ALL_KERNELS);
}

export function disableAccelerator(): void {
  disableKernels(ALL_KERNELS);
}

export { acceleratorEnabled, enabledAccelerator, setThreadGovernor };
export { ThreadGovernor } from './threadGovernor';
export { ACCELERATOR_FILE, bundledOneDnn, loadAcceleratorAddon } from './addon';
export type { AcceleratorAddon, InferenceModelHandle } from './addon';
