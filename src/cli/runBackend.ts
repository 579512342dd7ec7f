/**
 * The backend of the commands that load a trained run (evaluate, predict, export). Native-module
 * and accelerator paths come from the command line (or BUS_LAB_ACCELERATOR) only, never from
 * run.json, so a run folder someone else wrote cannot make the CLI load code.
 */
import { resolve } from 'node:path';
import { initBackend } from '../engine/backend';
import type { BackendChoice, RunRecord } from '../engine/types';
import type { OptionSpec, ParsedArgs } from './args';

export const RUN_BACKEND_OPTIONS: OptionSpec = {
  backend: { type: 'string' },
  'native-modules': { type: 'string' },
  accelerator: { type: 'string' },
};

export const RUN_BACKEND_USAGE = `  --backend NAME       auto | tensorflow-gpu | tensorflow | wasm | cpu (default: the run's)
  --native-modules DIR folder where tfjs-node(-gpu) is installed (never taken from run.json)
  --accelerator VALUE  native accelerator on wasm: auto | off | path of the .node file
                       (never taken from run.json)`;

export async function initRunBackend(o: ParsedArgs['options'], record: RunRecord): ReturnType<typeof initBackend> {
  const accelerator = o.accelerator === undefined ? undefined : ['auto', 'off'].includes(String(o.accelerator)) ? String(o.accelerator) : resolve(String(o.accelerator));
  return initBackend((o.backend ?? record.config.backend ?? 'auto') as BackendChoice, {
    nativeModulesPath: o['native-modules'] ? resolve(String(o['native-modules'])) : undefined,
    accelerator,
  });
}
