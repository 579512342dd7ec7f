/**
 * What Resume takes from a run folder. run.json is data that anyone may have written (a shared or
 * downloaded run), so nothing in it is loaded as code: its plugin, accelerator and native-module
 * paths (and its cache folder, a path on someone else's machine) are dropped, and the training
 * gets them from the user's settings and installed plugin extensions, like a new run. A run that
 * needs providers those do not supply is refused, naming the plugin files it was trained with.
 * No `vscode` import.
 */
import { basename } from 'node:path';
import type { RunRecord, TrainConfig } from '../../engine/types';
import { providerIdsOf } from './trainWizardModel';

/** The run needs plugin providers that neither the settings nor an installed extension supply. */
export class ResumePluginsError extends Error {
  override name = 'ResumePluginsError';
  readonly setting = 'busLab.plugins';
  constructor(
    readonly runId: string,
    readonly missingProviders: readonly string[],
    readonly pluginFiles: readonly string[],
  ) {
    const files = pluginFiles.length > 0 ? `plugins ${pluginFiles.join(', ')}` : 'plugins';
    super(
      `Run ${runId} was trained with ${files} (providers ${missingProviders.join(', ')}), which neither the busLab.plugins setting nor an installed extension provides; ` +
        'add them there to resume it (plugin paths are never taken from run.json).',
    );
  }
}

/**
 * The partial config to resume `record` with: run.json's training choices without any path the
 * engine would load code from. `isKnownProvider` answers for the ids the catalog has (built-ins,
 * settings, extensions). Throws ResumePluginsError naming what is missing.
 */
export function resumeConfigFrom(record: Pick<RunRecord, 'id' | 'config'>, isKnownProvider: (id: string) => boolean): Partial<TrainConfig> {
  const { plugins, accelerator: _accelerator, nativeModulesPath: _native, cacheDir: _cache, ...data } = record.config;
  const missing = providerIdsOf(record.config).filter((id) => !isKnownProvider(id));
  if (missing.length > 0) {
    const files = (Array.isArray(plugins) ? plugins : []).map((p) => (typeof p?.modulePath === 'string' ? basename(p.modulePath) : '')).filter((f) => f.length > 0);
    throw new ResumePluginsError(record.id, missing, [...new Set(files)]);
  }
  return data;
}
