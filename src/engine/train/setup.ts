/**
 * The checks a training configuration must pass before anything is written: plugins load, every
 * field is valid, and the method, the extra losses and the features name registered providers.
 * The trainer runs them before it makes a run folder; `ablate` runs them for every grid entry
 * before its first run, so a typo in the last variant does not surface hours into the grid.
 */
import { basename } from 'node:path';
import { createRegistries, Registries } from '../plugins/builtins';
import { loadPlugins } from '../plugins/pluginLoader';
import type { TF } from '../tf';
import type { PluginReference, RunRecord, TrainConfig } from '../types';
import { ConfigError, resolveTrainConfig } from './config';
import { MethodPlan, methodIds, planMethod } from './methods';

/** Errors in the configuration or the data it names, found before a run folder exists. */
export class TrainSetupError extends Error {
  override name = 'TrainSetupError';
}

export interface TrainSetup {
  config: TrainConfig;
  plan: MethodPlan;
  registries: Registries;
  /** Where each plugin provider came from, by provider id (for warnings that name the plugin). */
  pluginOrigins: Record<string, string>;
}

/** Loads the plugins, resolves the configuration and plans the method; TrainSetupError on any problem. */
export function prepareTrainSetup(tf: TF, requested: Partial<TrainConfig>): TrainSetup {
  const registries = createRegistries();
  let pluginOrigins: Record<string, string>;
  try {
    pluginOrigins = loadPlugins(tf, requested.plugins ?? [], registries).origins;
  } catch (err) {
    throw new TrainSetupError((err as Error).message);
  }
  try {
    const config = resolveTrainConfig(requested, methodIds(registries.losses));
    for (const extra of config.extraLosses) {
      if (!registries.losses.has(extra.id)) throw new ConfigError(`extraLosses: unknown loss '${extra.id}' (known: ${registries.losses.list().map((p) => p.id).join(', ')})`);
    }
    for (const id of config.features) {
      if (!registries.features.has(id)) throw new ConfigError(`features: unknown feature '${id}' (known: ${registries.features.list().map((p) => p.id).join(', ')})`);
    }
    return { config, plan: planMethod(config, registries.losses), registries, pluginOrigins };
  } catch (err) {
    throw new TrainSetupError((err as Error).message);
  }
}

/**
 * Checks every configuration (plugins, fields, method, extra losses, features) without training:
 * `ablate` calls it for the whole grid before its first run. Throws the first problem, led by its
 * label. Nothing is computed, so tfjs-core's namespace serves without a backend.
 */
export async function validateTrainConfigs(items: readonly { label: string; config: Partial<TrainConfig> }[]): Promise<void> {
  const tf = (await import('@tensorflow/tfjs-core')) as unknown as TF;
  for (const { label, config } of items) {
    try {
      prepareTrainSetup(tf, config);
    } catch (err) {
      throw new TrainSetupError(`${label}: ${(err as Error).message}`);
    }
  }
}

/**
 * The configuration a resumed run trains with: the stored one, except for what names code or
 * native modules. Those come only from the caller (command line, trusted settings), never from
 * run.json, because a run folder is data that anyone may have written. A run trained with plugins
 * refuses to resume until they are passed again.
 */
export function resumeConfig(previous: RunRecord, given: Partial<TrainConfig>): Partial<TrainConfig> {
  const stored = previous.config;
  const storedPlugins = Array.isArray(stored.plugins) ? stored.plugins : [];
  const plugins: PluginReference[] = given.plugins ?? [];
  if (storedPlugins.length > 0 && plugins.length === 0) {
    const names = [...new Set(storedPlugins.map((p) => basename(String(p?.modulePath))))].join(', ');
    throw new TrainSetupError(`resume: run ${previous.id} was trained with plugins ${names}: pass them again with --plugin (plugin paths are never read from run.json)`);
  }
  const { accelerator: _a, nativeModulesPath: _n, plugins: _p, ...data } = stored;
  const out: Partial<TrainConfig> = { ...data, plugins };
  if (given.accelerator !== undefined) out.accelerator = given.accelerator;
  if (given.nativeModulesPath !== undefined) out.nativeModulesPath = given.nativeModulesPath;
  if (given.backend !== undefined) out.backend = given.backend;
  return out;
}
