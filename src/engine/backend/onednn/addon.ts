/**
 * Finding and loading the project's optional oneDNN accelerator (native/onednn, built by
 * scripts/build-native.mjs into dist/native/). It is platform-specific and links the system's
 * libdnnl, so it is never required: when it is missing or fails to load, the engine keeps the
 * portable wasm kernels and says why.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

export const ONEDNN_ADDON_FILE = 'bus-lab-onednn.node';

/** Parameter slots of one convolution call; mirrors `enum Param` in bus_lab_onednn.cc. */
export enum ConvParam {
  N, H, W, Ci,
  OH, OW, Co,
  KH, KW,
  SH, SW,
  DH, DW,
  PT, PL, PB, PR,
  XOff, WOff, BOff, YOff,
  Relu,
  Count,
}

/** What a call computes; mirrors `enum Kind` in bus_lab_onednn.cc. */
export enum ConvKind {
  Forward = 0,
  BackwardData = 1,
  BackwardWeights = 2,
}

export interface OneDnnAddon {
  /** Runs one convolution on tensors in `heap` (the wasm memory) at the byte offsets in `params`. */
  conv(kind: ConvKind, heap: ArrayBufferLike, params: Float64Array): void;
  /** oneDNN's name for the implementation it picked for that shape (creates it when needed). */
  implementation(kind: ConvKind, params: Float64Array): string;
  info(): { version: string; cachedPrimitives: number };
}

/** Where the addon may be, most specific first: an explicit file, then next to the running bundle. */
export function oneDnnAddonCandidates(explicitPath?: string): string[] {
  const candidates: string[] = [];
  if (explicitPath) candidates.push(resolve(explicitPath));
  // dist/cli.js and dist/engine-worker.js -> dist/native/; TS sources under tsx -> <repo>/dist/native/.
  candidates.push(join(__dirname, 'native', ONEDNN_ADDON_FILE), join(__dirname, '..', '..', '..', '..', 'dist', 'native', ONEDNN_ADDON_FILE));
  return [...new Set(candidates)];
}

export type AddonLoad = { ok: true; addon: OneDnnAddon; path: string } | { ok: false; why: string };

let loaded: { key: string; result: AddonLoad } | undefined;

/** Loads the addon once per process (a native module cannot be unloaded anyway). */
export function loadOneDnnAddon(explicitPath?: string): AddonLoad {
  const candidates = oneDnnAddonCandidates(explicitPath);
  const key = candidates.join('|');
  if (loaded?.key === key) return loaded.result;
  const path = candidates.find((p) => existsSync(p));
  let result: AddonLoad;
  if (!path) {
    result = { ok: false, why: `not built (no ${ONEDNN_ADDON_FILE}; install libdnnl-dev and run npm run build)` };
  } else {
    try {
      // createRequire keeps esbuild from trying to bundle a .node file.
      const addon = createRequire(__filename)(path) as OneDnnAddon;
      addon.info();
      result = { ok: true, addon, path };
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      result = { ok: false, why: `${path} failed to load (${text.split('\n')[0]})` };
    }
  }
  loaded = { key, result };
  return result;
}
