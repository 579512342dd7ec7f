/**
 * Identity for the wasm backend without a copy. tfjs-core clones every tensor a gradient saves
 * (the engine's saveTensorsForBackwardMode runs Identity on each), and the stock wasm kernel copies
 * the data: about 230 full copies per U-Net training step, 7% of its time. Tensors are immutable
 * (a Variable's assign swaps its data id rather than writing), so, as the cpu backend's Identity
 * does, the output shares the input's data and bumps its reference count.
 */
import { Identity, IdentityInputs, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmBackend } from './wasm-kernel-calls';

export function identityWasm(args: { inputs: IdentityInputs; backend: WasmBackend }): TensorInfo {
  const x = args.inputs.x as TensorInfo;
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const identityWasmConfig: KernelConfig = {
  kernelName: Identity,
  backendName: 'wasm',
  kernelFunc: identityWasm as unknown as KernelConfig['kernelFunc'],
};
