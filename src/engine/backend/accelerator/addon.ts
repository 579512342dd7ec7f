/**
 * Finding and loading the project's optional native accelerator (native/accelerator: convolutions
 * on oneDNN; batch norm, pooling gradient, skip-connection copies and Adam on OpenMP threads), built by
 * scripts/build-native.mjs into dist/native/. It is platform-specific and links the system's
 * libdnnl, so it is never required: when it is missing or fails to load, the engine keeps the
 * portable wasm kernels and says why.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { abiMismatch, AcceleratorAbi } from './abi';

export const ACCELERATOR_FILE = 'bus-lab-accelerator.node';

/** Parameter slots of one convolution call; mirrors `enum Param` in convolution.cc. */
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

/** What a convolution call computes; mirrors `enum Kind` in convolution.cc. */
export enum ConvKind {
  Forward = 0,
  BackwardData = 1,
  BackwardWeights = 2,
}

/**
 * The addon's functions. Each works in place on tensors in `heap` (the wasm memory) at the byte
 * offsets in `params`; the parameter blocks are listed in native/accelerator/accelerator.h.
 */
export interface AcceleratorAddon {
  /** The calling convention it was built for (checked at load: abi.ts). */
  abi: AcceleratorAbi;
  /** One convolution. */
  conv(kind: ConvKind, heap: ArrayBufferLike, params: Float64Array): void;
  /** oneDNN's name for the implementation it picked for that shape (creates it when needed). */
  implementation(kind: ConvKind, params: Float64Array): string;
  /** rows, width, srcOffset, srcRowStride, dstOffset, dstRowStride (strides in floats). */
  copyColumns(heap: ArrayBufferLike, params: Float64Array): void;
  /** N, H, W, C, OH, OW, KH, KW, SH, SW, PT, PL, x, dy, dx. */
  maxPoolGrad(heap: ArrayBufferLike, params: Float64Array): void;
  /** rows, C, epsilon, x, gamma, beta, out, mean, variance. */
  batchNormReluForward(heap: ArrayBufferLike, params: Float64Array): void;
  /** rows, C, epsilon, dy, x, gamma, out, mean, variance, dx, dgamma, dbeta. */
  batchNormReluBackward(heap: ArrayBufferLike, params: Float64Array): void;
  /** n, value, m, v, gradient, accBeta1, accBeta2, outValue, outM, outV, learningRate, beta1, beta2, epsilon. */
  adamUpdate(heap: ArrayBufferLike, params: Float64Array): void;
  /**
   * oneDNN's version and the file it was loaded from ('' where the platform cannot say), how many
   * convolution primitives are cached, and the thread count.
   */
  info(): { version: string; library: string; cachedPrimitives: number; threads: number };
  /**
   * Gives the calling thread and its OpenMP threads the nice value `nice` (0-19, never raising a
   * priority; Linux). Returns how many threads now run at that priority or lower.
   */
  lowerThreadPriority(nice: number): number;
  /** Threads for later calls from this JavaScript thread (default: OMP_NUM_THREADS, else all cores). */
  setThreads(threads: number): void;
  /**
   * The FP32 multiply-add peak of this thread's OpenMP team, measured with an unrolled FMA loop
   * (best of three timed runs of about `seconds` in all; default 0.6).
   */
  fmaPeak(seconds?: number): { gflops: number; threads: number; isa: string };
  /**
   * A U-Net's inference pass as one oneDNN graph (native/accelerator/inference.cc): takes the
   * network's tensors, batch norm folded, in the order of src/engine/model/fusedInference.ts.
   */
  inferenceModel(spec: { baseWidth: number; depth: number; classifier: boolean; winograd: boolean }, tensors: Float32Array[]): InferenceModelHandle;
  /**
   * images [batch, size, size] -> seg [batch, size, size] and, with a classifier, malignancy
   * [batch]. Returns oneDNN's name for each convolution's kernel, in graph order.
   */
  inferenceRun(model: InferenceModelHandle, images: Float32Array, batch: number, size: number, seg: Float32Array, malignancy: Float32Array | null): string[];
  /** Frees a model's weights now (otherwise at garbage collection). */
  inferenceFree(model: InferenceModelHandle): void;
  /**
   * A process-wide slot for the calling thread's engine, released when the thread's environment
   * (a worker) ends; -1 when all 64 are taken.
   */
  engineSlot(): number;
  /** Marks `slot` active now; returns how many engines of this process were active within `windowMs`. */
  activeEngines(slot: number, windowMs: number): number;
}

/** An opaque native handle. */
export type InferenceModelHandle = { readonly __brand: 'InferenceModelHandle' };

/** Where the addon may be: the explicit file alone when one is named, else next to the running bundle. */
export function acceleratorCandidates(explicitPath?: string): string[] {
  if (explicitPath) return [resolve(explicitPath)];
  const candidates: string[] = [];
  // dist/cli.js and dist/engine-worker.js -> dist/native/; TS sources under tsx -> <repo>/dist/native/.
  candidates.push(join(__dirname, 'native', ACCELERATOR_FILE), join(__dirname, '..', '..', '..', '..', 'dist', 'native', ACCELERATOR_FILE));
  return [...new Set(candidates)];
}

export type AddonLoad = { ok: true; addon: AcceleratorAddon; path: string } | { ok: false; why: string };

let loaded: { key: string; result: AddonLoad } | undefined;

/** Loads the addon once per process (a native module cannot be unloaded anyway). */
export function loadAcceleratorAddon(explicitPath?: string): AddonLoad {
  const candidates = acceleratorCandidates(explicitPath);
  const key = candidates.join('|');
  if (loaded?.key === key) return loaded.result;
  const path = candidates.find((p) => existsSync(p));
  let result: AddonLoad;
  if (!path) {
    result = explicitPath
      ? { ok: false, why: `not built (no ${ACCELERATOR_FILE} at ${candidates[0]})` }
      : { ok: false, why: `not built (no ${ACCELERATOR_FILE}; install libdnnl-dev and run npm run build)` };
  } else {
    try {
      // createRequire keeps esbuild from trying to bundle a .node file.
      const addon = createRequire(__filename)(path) as AcceleratorAddon;
      // Checked before any call: an addon from another build may read parameters differently.
      const mismatch = abiMismatch(addon);
      if (mismatch) {
        result = { ok: false, why: `${path} not used: ${mismatch}` };
      } else {
        addon.info();
        result = { ok: true, addon, path };
      }
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      result = { ok: false, why: `${path} failed to load (${text.split('\n')[0]})` };
    }
  }
  loaded = { key, result };
  return result;
}

/** Whether the addon runs on the oneDNN library shipped beside it (a platform package) rather than the system's. */
export function bundledOneDnn(addonPath: string, library: string): boolean {
  return library !== '' && dirname(resolve(library)) === dirname(resolve(addonPath));
}
