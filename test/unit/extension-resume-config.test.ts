import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunRecord } from '../../src/engine/types';
import { BUILTIN_FEATURE_PROVIDERS, BUILTIN_LOSS_PROVIDERS } from '../../src/engine/worker/protocol';
import { ResumePluginsError, resumeConfigFrom } from '../../src/extension/train/resumeConfig';
import { DEFAULT_TRAIN_SETTINGS, completeTrainConfig } from '../../src/extension/train/trainConfigDefaults';

// A run folder someone shared: run.json names code to load (a plugin, an accelerator, native modules).
const shared = (method: string): Pick<RunRecord, 'id' | 'config'> => ({
  id: 'shared-1',
  config: {
    ...completeTrainConfig({ method, train: 'synthetic:site-a', epochs: 3 }, DEFAULT_TRAIN_SETTINGS),
    plugins: [{ modulePath: '/tmp/elsewhere/evil-loss.js', source: 'cli' }],
    accelerator: '/tmp/elsewhere/evil.node',
    nativeModulesPath: '/tmp/elsewhere/node_modules',
    cacheDir: '/tmp/elsewhere/cache',
  },
});

const builtins = new Set([...BUILTIN_LOSS_PROVIDERS, ...BUILTIN_FEATURE_PROVIDERS].map((p) => p.id));

describe('Resume takes no code paths from run.json', () => {
  it('drops plugin, accelerator, native-module and cache paths, keeps the training choices', () => {
    const config = resumeConfigFrom(shared('mtl'), () => true);
    for (const key of ['plugins', 'accelerator', 'nativeModulesPath', 'cacheDir']) assert.equal(key in config, false, `${key} came from run.json`);
    assert.equal(config.method, 'mtl');
    assert.equal(config.epochs, 3);
    assert.equal(config.train, 'synthetic:site-a');
  });

  it('refuses a run whose plugin providers the settings do not supply, naming the plugin files and providers', () => {
    assert.throws(
      () => resumeConfigFrom(shared('evil/loss'), (id) => builtins.has(id)),
      (e: Error) =>
        e instanceof ResumePluginsError &&
        e.message === "Run shared-1 was trained with plugins evil-loss.js (providers evil/loss), which neither the busLab.plugins setting nor an installed extension provides; add them there to resume it (plugin paths are never taken from run.json).",
    );
  });

  it('resumes a plugin run when the settings supply its providers (their paths then come from the settings)', () => {
    const config = resumeConfigFrom(shared('settings/tversky'), (id) => builtins.has(id) || id === 'settings/tversky');
    assert.equal(config.method, 'settings/tversky');
    assert.equal(config.plugins, undefined);
  });
});
