/**
 * Training configuration: documented defaults and validation. Every error names the field, so a
 * bad setting in a CLI flag, a setting or an ablation config is found at once.
 */
import { BACKEND_CHOICES, BackendChoice, PHI_INIT_CHOICES, PhiInit, TrainConfig } from '../types';

export function defaultTrainConfig(): TrainConfig {
  return {
    method: 'birads',
    train: 'synthetic:site-a',
    external: [],
    epochs: 20,
    imageSize: 128,
    batchSize: 4,
    baseWidth: 16,
    learningRate: 1e-3,
    alpha: 0.5,
    // lambda and phi's start as chosen on BrEaST validation (docs/RESULTS.md, the 128-px pilot).
    lambda: 0.1,
    consistencyWarmupEpochs: 0,
    phiInit: 'calibrated',
    phiSupervision: 0,
    maskGradient: true,
    seed: 42,
    validationSplit: 0.2,
    earlyStoppingPatience: 0,
    features: ['shapeIrregularity', 'orientation', 'marginIrregularity', 'ellipseDeviation'],
    extraLosses: [],
    plugins: [],
    backend: 'auto',
    augment: true,
    excludeNormal: true,
  };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function check(cond: boolean, field: string, message: string): void {
  if (!cond) throw new ConfigError(`${field}: ${message}`);
}

const isInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v);
const isNum = (v: unknown) => typeof v === 'number' && Number.isFinite(v);

/** Fills defaults and validates; `knownMethods` includes plugin losses usable as a method. */
export function resolveTrainConfig(partial: Partial<TrainConfig>, knownMethods?: readonly string[]): TrainConfig {
  if (partial === null || typeof partial !== 'object') throw new ConfigError('config: must be an object');
  const defaults = defaultTrainConfig();
  for (const key of Object.keys(partial)) {
    check(key in defaults || ['name', 'cacheDir', 'limit', 'nativeModulesPath', 'accelerator', 'phiLearningRate', 'splitSeed'].includes(key), key, 'unknown field');
  }
  const c: TrainConfig = { ...defaults, ...partial } as TrainConfig;
  check(typeof c.method === 'string' && c.method.length > 0, 'method', 'must be a non-empty string');
  if (knownMethods) check(knownMethods.includes(c.method), 'method', `unknown method '${c.method}' (known: ${knownMethods.join(', ')})`);
  check(typeof c.train === 'string' && c.train.includes(':'), 'train', `'${String(c.train)}' is not a dataset spec (kind:path)`);
  check(Array.isArray(c.external) && c.external.every((s) => typeof s === 'string' && s.includes(':')), 'external', 'must be a list of dataset specs (kind:path)');
  check(isInt(c.epochs) && c.epochs >= 1, 'epochs', `must be a positive integer, got ${String(c.epochs)}`);
  check(isInt(c.imageSize) && c.imageSize >= 16 && c.imageSize % 16 === 0, 'imageSize', `must be a multiple of 16 (4 poolings), at least 16, got ${String(c.imageSize)}`);
  check(isInt(c.batchSize) && c.batchSize >= 1, 'batchSize', `must be a positive integer, got ${String(c.batchSize)}`);
  check(isInt(c.baseWidth) && c.baseWidth >= 1, 'baseWidth', `must be a positive integer, got ${String(c.baseWidth)}`);
  check(isNum(c.learningRate) && c.learningRate > 0, 'learningRate', `must be a positive number, got ${String(c.learningRate)}`);
  check(isNum(c.alpha) && c.alpha >= 0, 'alpha', `must be a number >= 0, got ${String(c.alpha)}`);
  check(isNum(c.lambda) && c.lambda >= 0, 'lambda', `must be a number >= 0, got ${String(c.lambda)}`);
  check(isInt(c.consistencyWarmupEpochs) && c.consistencyWarmupEpochs >= 0, 'consistencyWarmupEpochs', `must be an integer >= 0, got ${String(c.consistencyWarmupEpochs)}`);
  check(PHI_INIT_CHOICES.includes(c.phiInit as PhiInit), 'phiInit', `must be one of ${PHI_INIT_CHOICES.join(', ')}, got ${String(c.phiInit)}`);
  if (c.phiLearningRate !== undefined) check(isNum(c.phiLearningRate) && c.phiLearningRate > 0, 'phiLearningRate', `must be a positive number, got ${String(c.phiLearningRate)}`);
  check(isNum(c.phiSupervision) && c.phiSupervision >= 0, 'phiSupervision', `must be a number >= 0, got ${String(c.phiSupervision)}`);
  check(typeof c.maskGradient === 'boolean', 'maskGradient', 'must be true or false');
  check(isInt(c.seed), 'seed', `must be an integer, got ${String(c.seed)}`);
  if (c.splitSeed !== undefined) check(isInt(c.splitSeed), 'splitSeed', `must be an integer, got ${String(c.splitSeed)}`);
  check(isNum(c.validationSplit) && c.validationSplit > 0 && c.validationSplit < 1, 'validationSplit', `must be in (0, 1), got ${String(c.validationSplit)}`);
  check(isInt(c.earlyStoppingPatience) && c.earlyStoppingPatience >= 0, 'earlyStoppingPatience', 'must be an integer >= 0');
  check(Array.isArray(c.features) && c.features.every((f) => typeof f === 'string'), 'features', 'must be a list of feature provider ids');
  check(Array.isArray(c.extraLosses) && c.extraLosses.every((l) => l && typeof l.id === 'string' && isNum(l.weight)), 'extraLosses', 'must be a list of { id, weight }');
  check(Array.isArray(c.plugins) && c.plugins.every((p) => p && typeof p.modulePath === 'string'), 'plugins', 'must be a list of { modulePath }');
  check(BACKEND_CHOICES.includes(c.backend as BackendChoice), 'backend', `must be one of ${BACKEND_CHOICES.join(', ')}`);
  if (c.accelerator !== undefined) check(typeof c.accelerator === 'string' && c.accelerator.trim() !== '', 'accelerator', "must be 'auto', 'off' or the path of a bus-lab-accelerator.node");
  check(typeof c.augment === 'boolean', 'augment', 'must be true or false');
  check(typeof c.excludeNormal === 'boolean', 'excludeNormal', 'must be true or false');
  if (c.limit !== undefined) check(isInt(c.limit) && c.limit > 0, 'limit', 'must be a positive integer');
  return c;
}
