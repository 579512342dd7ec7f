/**
 * Turns a partial TrainConfig (from the wizard, the API or a resume) into the full TrainConfig
 * the engine worker expects, filling gaps from the `busLab.train.*` settings and the engine's
 * documented defaults, and checks it. No `vscode` import.
 */
import { BACKEND_CHOICES, BackendChoice, TrainConfig } from '../../engine/types';

/** The `busLab.train.*` and `busLab.engine.*` settings that shape a run. */
export interface TrainSettings {
  method: string;
  epochs: number;
  imageSize: number;
  batchSize: number;
  lambda: number;
  seed: number;
  backend: BackendChoice;
  nativeModulesPath?: string;
}

export const DEFAULT_TRAIN_SETTINGS: TrainSettings = {
  method: 'birads',
  epochs: 30,
  imageSize: 128,
  batchSize: 8,
  lambda: 0.1,
  seed: 42,
  backend: 'auto',
};

export const BUILTIN_FEATURE_IDS = ['shapeIrregularity', 'orientation', 'marginIrregularity', 'ellipseDeviation'];

export function completeTrainConfig(partial: Partial<TrainConfig>, settings: TrainSettings): TrainConfig {
  return {
    method: partial.method ?? settings.method,
    train: partial.train ?? '',
    external: partial.external ?? [],
    epochs: partial.epochs ?? settings.epochs,
    imageSize: partial.imageSize ?? settings.imageSize,
    batchSize: partial.batchSize ?? settings.batchSize,
    baseWidth: partial.baseWidth ?? 16,
    learningRate: partial.learningRate ?? 1e-3,
    alpha: partial.alpha ?? 1,
    lambda: partial.lambda ?? settings.lambda,
    seed: partial.seed ?? settings.seed,
    validationSplit: partial.validationSplit ?? 0.2,
    earlyStoppingPatience: partial.earlyStoppingPatience ?? 0,
    features: partial.features ?? [...BUILTIN_FEATURE_IDS],
    extraLosses: partial.extraLosses ?? [],
    plugins: partial.plugins ?? [],
    backend: partial.backend ?? settings.backend,
    ...((partial.nativeModulesPath ?? settings.nativeModulesPath) ? { nativeModulesPath: partial.nativeModulesPath ?? settings.nativeModulesPath } : {}),
    augment: partial.augment ?? true,
    excludeNormal: partial.excludeNormal ?? false,
    ...(partial.cacheDir !== undefined ? { cacheDir: partial.cacheDir } : {}),
    ...(partial.limit !== undefined ? { limit: partial.limit } : {}),
    ...(partial.name !== undefined ? { name: partial.name } : {}),
  };
}

const isPositiveInt = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x > 0;

/** Problems that make `config` unusable, one sentence each; empty when it is fine. */
export function validateTrainConfig(config: TrainConfig): string[] {
  const problems: string[] = [];
  if (typeof config.method !== 'string' || config.method.trim() === '') problems.push('The method is empty.');
  if (typeof config.train !== 'string' || config.train.trim() === '') problems.push('No training dataset is given.');
  if (!Array.isArray(config.external) || !config.external.every((s) => typeof s === 'string')) problems.push('External datasets must be a list of dataset specs.');
  if (!isPositiveInt(config.epochs)) problems.push(`Epochs must be a positive whole number (got ${config.epochs}).`);
  if (!isPositiveInt(config.imageSize) || config.imageSize % 16 !== 0) problems.push(`Image size must be a positive multiple of 16 (got ${config.imageSize}).`);
  if (!isPositiveInt(config.batchSize)) problems.push(`Batch size must be a positive whole number (got ${config.batchSize}).`);
  if (typeof config.lambda !== 'number' || !(config.lambda >= 0)) problems.push(`Lambda must be a number ≥ 0 (got ${config.lambda}).`);
  if (!Number.isInteger(config.seed)) problems.push(`Seed must be a whole number (got ${config.seed}).`);
  if (!(BACKEND_CHOICES as readonly string[]).includes(config.backend)) problems.push(`Backend must be one of ${BACKEND_CHOICES.join(', ')}.`);
  if (!(config.validationSplit > 0 && config.validationSplit < 1)) problems.push('validationSplit must be between 0 and 1.');
  return problems;
}
