/**
 * Picks and initialises the TensorFlow.js backend the engine computes with.
 *
 * `auto` tries, in order: tfjs-node-gpu, tfjs-node (native TensorFlow, when the user installed one),
 * the wasm backend (XNNPACK, SIMD where available), and the plain JavaScript cpu backend. The
 * result says which one runs and why each better one was skipped; run.json stores both.
 * An explicit choice that cannot be honoured fails with a one-line error instead of falling back.
 */
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's node entry registers neither gradients nor chained ops (`x.sum()`); the union
// package @tensorflow/tfjs would. Training needs the first; plugins may rely on the second.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
// A named import, not a bare one: the cpu package declares itself free of side effects, so a
// bundler drops a bare import, and with it the registration of the cpu backend and kernels.
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { BackendChoice } from '../types';
import type { TF } from '../tf';
import { registerProjectGradients } from './gradients';
import { registerProjectKernels } from './kernels';
import { locateNative, loadNative, NATIVE_PACKAGES, NativeChoice } from './native';
import { bundledOneDnn, disableAccelerator, enableAccelerator, loadAcceleratorAddon, setThreadGovernor, ThreadGovernor } from './accelerator';
import type { AcceleratorAddon } from './accelerator';
import { findWasmDir, wasmDirCandidates } from './wasm-files';

export interface BackendOptions {
  /** Folder where the user installed @tensorflow/tfjs-node or -node-gpu (their own node_modules). */
  nativeModulesPath?: string;
  /** Folder holding tfjs-backend-wasm*.wasm, when not in one of the usual places. */
  wasmDir?: string;
  /**
   * Threads for the native accelerator (default: OMP_NUM_THREADS, else every core). The wasm
   * backend's own kernels run on one thread in Node whatever this says.
   */
  threads?: number;
  /**
   * The native accelerator for the wasm backend (oneDNN convolutions; threaded batch norm,
   * pooling gradient, concatenation, Adam): 'auto' uses it when it loads, 'off' never; a path names the
   * addon file. Default: the BUS_LAB_ACCELERATOR variable, else 'auto'.
   */
  accelerator?: string;
  /**
   * Size the accelerator's thread team to the cores other processes leave free, re-read every
   * half second (threadGovernor.ts). Default: on, unless `threads` or OMP_NUM_THREADS chooses the
   * team or BUS_LAB_ADAPTIVE_THREADS=off. Results depend on the team size at float-rounding level,
   * so a run repeats bit for bit only with a fixed team.
   */
  adaptiveThreads?: boolean;
}

export interface BackendSelection {
  tf: TF;
  /** 'tensorflow-gpu', 'tensorflow', 'wasm' or 'cpu'. */
  name: string;
  /** Why this backend: what was skipped and why, e.g. "tfjs-node-gpu: not installed; ...; wasm: SIMD". */
  reason: string;
  /** Problems worth showing to the user that did not prevent initialisation (version mismatch...). */
  warnings: string[];
}

/** Thrown when an explicitly chosen backend is unavailable; the message is one line. */
export class BackendUnavailableError extends Error {
  override name = 'BackendUnavailableError';
}

const SHORT_NAMES: Record<NativeChoice, string> = { 'tensorflow-gpu': 'tfjs-node-gpu', tensorflow: 'tfjs-node' };

let wasmPathConfigured: string | undefined;

/** Nice value of the training threads in background mode (the editor's engine worker). */
export const BACKGROUND_NICE = 10;
let background = false;

/**
 * Marks this thread's training as background work: the accelerator's threads and this thread run
 * at a lower priority (nice BACKGROUND_NICE on Linux), so that on a machine with few cores the
 * editor's UI keeps the cores it needs while a model trains. Throughput is unchanged when nothing
 * else wants the cores. The extension's engine worker calls this; the CLI does not.
 */
export function runInBackground(): void {
  background = true;
}

/**
 * Points the wasm backend at its binaries. Done at import as well as in initBackend, because any
 * tf call made before initBackend would initialise the highest-priority registered backend (wasm),
 * and a failed wasm start cannot be retried within the process.
 */
function configureWasmPaths(explicitDir?: string): string | undefined {
  const dir = findWasmDir(explicitDir);
  // Not tf.findBackend('wasm') to ask whether it started: that call would start it.
  if (dir === undefined || dir === wasmPathConfigured) return dir;
  try {
    setWasmPaths(dir);
    wasmPathConfigured = dir;
  } catch {
    // A previous start failed; initBackend reports the backend as unavailable.
  }
  return dir;
}
configureWasmPaths();

function message(err: unknown): string {
  const text = err instanceof Error ? err.message : typeof err === 'object' && err && 'message' in err ? String((err as { message: unknown }).message) : String(err);
  return text.split('\n')[0] ?? text;
}

const PROCESS_EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

/**
 * The Emscripten glue of the wasm backend installs process-wide handlers that rethrow every
 * uncaught exception and unhandled rejection from inside its minified file, so Node prints a
 * 100 kB source line instead of our one-line error. Handlers added while a backend starts are
 * removed again; errors then surface as they would without tfjs.
 */
function withoutProcessHandlersAdded<T>(start: () => Promise<T>): Promise<T> {
  // Typed loosely: the two events' listener types differ and only identity matters here.
  const emitter = process as unknown as NodeJS.EventEmitter;
  const before = new Map(PROCESS_EVENTS.map((event) => [event, new Set(emitter.listeners(event))]));
  return start().finally(() => {
    for (const event of PROCESS_EVENTS) {
      for (const listener of emitter.listeners(event)) {
        if (!before.get(event)!.has(listener)) emitter.off(event, listener as (...args: unknown[]) => void);
      }
    }
  });
}

/** Calls setBackend without letting tfjs print its own multi-line failure to the console. */
async function trySetBackend(name: string): Promise<{ ok: boolean; error?: string }> {
  return withoutProcessHandlersAdded(() => setBackendQuietly(name));
}

async function setBackendQuietly(name: string): Promise<{ ok: boolean; error?: string }> {
  const originalWarn = console.warn;
  const originalError = console.error;
  const captured: string[] = [];
  console.warn = (...args: unknown[]) => captured.push(args.map(String).join(' '));
  console.error = console.warn;
  try {
    const ok = await tf.setBackend(name);
    await tf.ready();
    return ok && tf.getBackend() === name ? { ok: true } : { ok: false, error: captured.find((l) => l.trim()) ?? `could not start '${name}'` };
  } catch (err) {
    return { ok: false, error: message(err) };
  } finally {
    console.warn = originalWarn;
    console.error = originalError;
  }
}

async function tryNative(choice: NativeChoice, options: BackendOptions, warnings: string[]): Promise<{ ok: boolean; why: string }> {
  const short = SHORT_NAMES[choice];
  const location = locateNative(choice, options.nativeModulesPath);
  if (!location) {
    const where = options.nativeModulesPath ? `not installed (looked in ${options.nativeModulesPath} and next to the engine)` : 'not installed';
    return { ok: false, why: `${short}: ${where}` };
  }
  let coreVersion: string | undefined;
  try {
    ({ coreVersion } = loadNative(location));
  } catch (err) {
    return { ok: false, why: `${short} ${location.version}: failed to load (${message(err)})` };
  }
  if (coreVersion && coreVersion !== tf.version_core) {
    warnings.push(
      `${location.packageName} ${location.version} brings tfjs-core ${coreVersion} but the engine uses ${tf.version_core}; ` +
        `install ${location.packageName}@${tf.version_core} if kernels misbehave`,
    );
  }
  const started = await trySetBackend('tensorflow');
  if (!started.ok) return { ok: false, why: `${short} ${location.version}: ${started.error}` };
  return { ok: true, why: `${short} ${location.version} from ${location.dir}` };
}

async function tryWasm(options: BackendOptions): Promise<{ ok: boolean; why: string }> {
  const dir = configureWasmPaths(options.wasmDir);
  if (dir === undefined) {
    return { ok: false, why: `wasm: binaries not found (looked in ${wasmDirCandidates(options.wasmDir).join(', ')})` };
  }
  const started = await trySetBackend('wasm');
  if (!started.ok) return { ok: false, why: `wasm: ${started.error}` };
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  return { ok: true, why: `wasm: ${simd ? 'SIMD' : 'no SIMD'}; ${useAccelerator(options)}` };
}

/**
 * Hands the wasm backend's heavy kernels to the native accelerator when it loads (the rest of the
 * graph stays on wasm); says what happened, for the backend reason.
 */
function useAccelerator(options: BackendOptions): string {
  const setting = options.accelerator ?? process.env.BUS_LAB_ACCELERATOR ?? 'auto';
  if (setting === 'off' || process.env.BUS_LAB_WASM_KERNELS === 'stock') {
    disableAccelerator();
    return 'native accelerator: off';
  }
  const load = loadAcceleratorAddon(setting === 'auto' ? undefined : setting);
  if (!load.ok) {
    disableAccelerator();
    if (setting !== 'auto') throw new BackendUnavailableError(`native accelerator: ${load.why}`);
    return `native accelerator: ${load.why}`;
  }
  if (options.threads !== undefined && (!Number.isInteger(options.threads) || options.threads < 1)) {
    throw new BackendUnavailableError(`threads must be a whole number >= 1, got ${options.threads}`);
  }
  // Set every time: a governor of an earlier run on this thread may have shrunk the team.
  const maxThreads = options.threads ?? configuredThreads();
  load.addon.setThreads(maxThreads);
  enableAccelerator(load.addon);
  // A team size the user chose is kept: the thread count changes a run's float rounding (oneDNN
  // splits reductions by thread), so a fixed team is how a run is repeated bit for bit.
  const chosen = options.threads !== undefined || (process.env.OMP_NUM_THREADS ?? '') !== '';
  const adaptive = options.adaptiveThreads ?? (process.env.BUS_LAB_ADAPTIVE_THREADS !== 'off' && !chosen);
  const governor = adaptive && maxThreads > 1 ? new ThreadGovernor({ maxThreads, apply: (n) => load.addon.setThreads(n), engines: enginesInProcess(load.addon) }) : undefined;
  setThreadGovernor(governor);
  const { version, library, threads } = load.addon.info();
  const lowered = background ? load.addon.lowerThreadPriority(BACKGROUND_NICE) : 0;
  const priority = lowered > 0 ? `, nice ${BACKGROUND_NICE}` : '';
  // "bundled": the platform package's own oneDNN, next to the addon, not the system's.
  const origin = bundledOneDnn(load.path, library) ? ' bundled' : '';
  const sizing = governor ? ', fewer while other processes hold cores' : '';
  return `native accelerator (oneDNN ${version}${origin}, ${threads} thread${threads === 1 ? '' : 's'}${sizing}${priority})`;
}

/** This thread's engine slot in the addon (module state is per thread: each worker has its own). */
let engineSlot: number | undefined;

/** How many of this process's engines computed in the last 2 s, this one included. */
function enginesInProcess(addon: AcceleratorAddon): () => number {
  engineSlot ??= addon.engineSlot();
  const slot = engineSlot;
  return () => Math.max(1, addon.activeEngines(slot, 2000));
}

/** OpenMP's own default: OMP_NUM_THREADS's first value, else every core. */
function configuredThreads(): number {
  const fromEnv = Number.parseInt((process.env.OMP_NUM_THREADS ?? '').split(',')[0]!, 10);
  return Number.isInteger(fromEnv) && fromEnv >= 1 ? fromEnv : availableParallelism();
}

async function tryCpu(): Promise<{ ok: boolean; why: string }> {
  const started = await trySetBackend('cpu');
  return started.ok ? { ok: true, why: `cpu: plain JavaScript (tfjs-backend-cpu ${version_cpu})` } : { ok: false, why: `cpu: ${started.error}` };
}

function tryChoice(choice: Exclude<BackendChoice, 'auto'>, options: BackendOptions, warnings: string[]): Promise<{ ok: boolean; why: string }> {
  switch (choice) {
    case 'tensorflow-gpu':
    case 'tensorflow':
      return tryNative(choice, options, warnings);
    case 'wasm':
      return tryWasm(options);
    case 'cpu':
      return tryCpu();
  }
}

const AUTO_ORDER: readonly Exclude<BackendChoice, 'auto'>[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

/**
 * Selects, initialises and returns the backend. Safe to call more than once per process (tests,
 * a worker reused for several runs); the project's own kernels are registered each time it is
 * needed and never twice.
 */
export async function initBackend(choice: BackendChoice, options: BackendOptions = {}): Promise<BackendSelection> {
  // Production mode silences tfjs's console advice ("install tfjs-node...") that `reason` replaces.
  tf.env().set('PROD', true);
  // BUS_LAB_WASM_KERNELS=stock keeps tfjs's own wasm kernels where the project has faster ones,
  // to measure what each replacement gains (docs/PERFORMANCE.md).
  const stockOnly = process.env.BUS_LAB_WASM_KERNELS === 'stock';
  registerProjectKernels({ stockOnly });
  if (!stockOnly) registerProjectGradients();
  const warnings: string[] = [];
  const order = choice === 'auto' ? AUTO_ORDER : [choice];
  if (!order.every((c) => AUTO_ORDER.includes(c))) {
    throw new BackendUnavailableError(`unknown backend '${choice}' (choose auto, ${AUTO_ORDER.join(', ')})`);
  }
  const skipped: string[] = [];
  for (const candidate of order) {
    const attempt = await tryChoice(candidate, options, warnings);
    if (attempt.ok) {
      const reason = [...skipped, attempt.why, ...warnings.map((w) => `warning: ${w}`)].join('; ');
      return { tf, name: candidate, reason, warnings };
    }
    if (choice !== 'auto') {
      const hint = candidate in NATIVE_PACKAGES ? ` (install ${NATIVE_PACKAGES[candidate as NativeChoice]} in a folder and point busLab.engine.nativeModulesPath or --native-modules at it; see docs/PERFORMANCE.md)` : '';
      throw new BackendUnavailableError(`backend '${candidate}' is unavailable: ${attempt.why}${hint}`);
    }
    skipped.push(attempt.why);
  }
  throw new BackendUnavailableError(`no backend could start: ${skipped.join('; ')}`);
}

export { findWasmDir } from './wasm-files';
export { registerProjectKernels } from './kernels';
