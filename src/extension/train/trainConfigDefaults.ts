/**
 * Turns a partial TrainConfig (from the wizard, the API or a resume) into the full TrainConfig
 * the engine worker expects, filling gaps from the `busLab.train.*` settings and the engine's
 * documented defaults, and checks it with the engine's own validation. No `vscode` import.
 */
import { ConfigError, defaultTrainConfig, resolveTrainConfig } from '../../engine/train/config';
import type { BackendChoice, PhiInit, TrainConfig } from '../../engine/types';

/** The `busLab.train.*` and `busLab.engine.*` settings that shape a run. */
export interface TrainSettings {
  method: string;
  epochs: number;
  imageSize: number;
  batchSize: number;
  lambda: number;
  phiInit: PhiInit;
  /** 0 in the setting: phi learns at the network's rate. */
  phiLearningRate: number;
  phiSupervision: number;
  maskGradient: boolean;
  seed: number;
  backend: BackendChoice;
  nativeModulesPath?: string;
  /** 'off' or the addon's path; absent means 'auto'. */
  accelerator?: string;
}

/** The settings' defaults are the engine's (package.json repeats them; a unit test keeps them equal). */
export const DEFAULT_TRAIN_SETTINGS: TrainSettings = (() => {
  const d = defaultTrainConfig();
  return {
    method: d.method,
    epochs: d.epochs,
    imageSize: d.imageSize,
    batchSize: d.batchSize,
    lambda: d.lambda,
    phiInit: d.phiInit,
    phiLearningRate: d.phiLearningRate ?? 0,
    phiSupervision: d.phiSupervision,
    maskGradient: d.maskGradient,
    seed: d.seed,
    backend: d.backend,
  };
})();

/**
 * The engine's defaults (`defaultTrainConfig`), overlaid with the settings, overlaid with
 * `partial`. Fields the settings do not cover keep the engine's documented defaults.
 */
export function completeTrainConfig(partial: Partial<TrainConfig>, settings: TrainSettings): TrainConfig {
  const fromSettings: Partial<TrainConfig> = {
    method: settings.method,
    epochs: settings.epochs,
    imageSize: settings.imageSize,
    batchSize: settings.batchSize,
    lambda: settings.lambda,
    phiInit: settings.phiInit,
    ...(settings.phiLearningRate > 0 ? { phiLearningRate: settings.phiLearningRate } : {}),
    phiSupervision: settings.phiSupervision,
    maskGradient: settings.maskGradient,
    seed: settings.seed,
    backend: settings.backend,
    ...(settings.nativeModulesPath ? { nativeModulesPath: settings.nativeModulesPath } : {}),
    ...(settings.accelerator ? { accelerator: settings.accelerator } : {}),
  };
  const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) as Partial<TrainConfig>;
  return { ...defaultTrainConfig(), external: [], ...fromSettings, ...defined };
}

/** Problems that make `config` unusable (the engine's own check), one sentence each; empty when fine. */
export function validateTrainConfig(config: TrainConfig): string[] {
  try {
    resolveTrainConfig(config);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [error.message];
    throw error;
  }
}
