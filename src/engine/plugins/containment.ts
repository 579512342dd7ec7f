/**
 * Keeps plugin code from taking the engine down with it: a plugin may not end the process, and what
 * it returns must be a live tensor of the engine's own tf instance. Every call into plugin code
 * (factories, losses, features) goes through `callPlugin`.
 */
import type { Tensor, TF } from '../tf';

export class PluginError extends Error {
  override name = 'PluginError';
}

type ExitFunction = (code?: number | string | null) => never;

/**
 * Runs `fn` (plugin code) with `process.exit` and `process.reallyExit` refused: a call throws, and
 * even if the plugin catches that, the call fails afterwards, so the run is marked failed and the
 * CLI exits non-zero instead of exiting 0 mid-epoch with the run left `running`.
 */
export function callPlugin<T>(who: string, fn: () => T): T {
  const proc = process as unknown as { exit: ExitFunction; reallyExit: ExitFunction };
  const { exit, reallyExit } = proc;
  let exitCode: string | undefined;
  const refuse: ExitFunction = (code) => {
    exitCode = String(code ?? '');
    throw new PluginError(`${who} called process.exit(${exitCode}); plugins may not end the process`);
  };
  proc.exit = refuse;
  proc.reallyExit = refuse;
  let result: T;
  try {
    result = fn();
  } catch (err) {
    if (exitCode !== undefined) throw new PluginError(`${who} called process.exit(${exitCode}); plugins may not end the process`);
    throw err;
  } finally {
    proc.exit = exit;
    proc.reallyExit = reallyExit;
  }
  if (exitCode !== undefined) throw new PluginError(`${who} called process.exit(${exitCode}) (and caught the refusal); plugins may not end the process`);
  return result;
}

interface EngineState {
  state: { tensorInfo: WeakMap<object, unknown> };
}

/**
 * `value` as a tensor of this engine, or a PluginError. tfjs's `instanceof Tensor` is duck-typed
 * across tf copies, so the test is whether this engine tracks the tensor's data: a tensor made by
 * another tf instance (a plugin's own `require('@tensorflow/tfjs')`) is not, and would silently
 * train nothing because no gradient can flow through it.
 */
export function engineTensor(tf: TF, value: unknown, who: string): Tensor {
  if (!value || typeof value !== 'object' || !('rank' in value) || !('dataId' in value)) {
    throw new PluginError(`${who} returned ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}, not a tensor`);
  }
  const t = value as Tensor;
  // tfjs-core's engine bookkeeping (4.x); should a version lack it, only the shape checks remain.
  const info = (tf.engine() as unknown as Partial<EngineState>).state?.tensorInfo;
  if (t.isDisposed || (typeof info?.has === 'function' && !info.has(t.dataId))) {
    throw new PluginError(
      `${who} returned a tensor ${t.isDisposed ? 'that is already disposed' : 'from another TensorFlow.js instance'}; use the tf passed to create(tf, options)`,
    );
  }
  return t;
}
