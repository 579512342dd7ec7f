import { initBackend } from '../../src/engine/backend';
import type { TF } from '../../src/engine/tf';

let cached: Promise<TF> | undefined;

/** The engine's own backend selection (wasm on a machine without tfjs-node), once per process. */
export function engineTf(): Promise<TF> {
  cached ??= initBackend('auto').then((s) => s.tf);
  return cached;
}
