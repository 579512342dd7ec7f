import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { runIdProblem } from '../../engine/runs/runId';
import { TrainSetupError } from '../../engine/train/trainer';
import type { TrainConfig } from '../../engine/types';
import { parseArgs } from '../args';
import { CliCommand, EXIT, UsageError } from '../command';
import { createTrainProgress } from '../progress';
import { TrainingTerminatedError, trainInWorker } from '../trainInWorker';

const USAGE = `Usage: bus-lab train [options]

Trains a model and evaluates it on the external datasets.

  --method NAME         single | mtl | birads | a plugin loss id (default birads)
  --train SPEC          training dataset, e.g. breast:/data/BrEaST or synthetic:site-a
  --external SPEC       external test dataset (repeat or comma-separate)
  --epochs N            (default 20)         --size S     image size, multiple of 16 (default 128)
  --batch N             (default 4)          --width W    U-Net base width (default 16)
  --lr X                learning rate (default 0.001)
  --alpha X             classification loss weight (default 0.5)
  --lambda X            BI-RADS consistency weight (default 0.1)
  --warmup N            ramp the consistency weight up over the first N epochs (default 0)
  --phi-init MODE       phi's starting weights: unit (all 1, bias 0) | calibrated (logistic
                        regression on the training split's true-mask features) (default calibrated)
  --phi-lr X            learning rate of phi's weights and bias (default: the network's --lr)
  --phi-supervision W   add W * BCE(phi(true-mask features), label) (default 0: off)
  --mask-gradient on|off  let the consistency term's gradient reach the mask (default on)
  --features IDS        features in phi (default all four)
  --extra-loss ID:W     add a loss term with weight W (repeatable)
  --plugin PATH         load a plugin module (repeatable)
  --seed N              (default 42)         --val-split X  (default 0.2)
  --split-seed N        seed of the validation split (default: --seed)
  --patience N          early stopping patience in epochs (0 = off)
  --no-augment          disable augmentation  --include-normal  train on normal images too
  --limit N             at most N images per dataset (quick runs)
  --backend NAME        auto | tensorflow-gpu | tensorflow | wasm | cpu
  --native-modules DIR  folder where tfjs-node(-gpu) is installed
  --accelerator VALUE   native accelerator on wasm: auto | off | path of the .node file
  --cache DIR           decoded-image cache (default ~/.cache/bus-lab/datasets); --no-cache
  --name NAME           run name shown in tables
  --out DIR             runs folder (default ./runs)
  --resume RUN_ID       continue a cancelled, failed or interrupted run in --out (from its last
                        checkpoint, or from epoch 1 if it stopped before the first); refused,
                        naming the holder, while another process has the run (run.lock)
  --json                print the final run record as JSON on the last line
`;

function parseOnOff(flag: string, value: string): boolean {
  if (value === 'on') return true;
  if (value === 'off') return false;
  throw new UsageError(`${flag}: expected on or off, got '${value}'`);
}

export function defaultCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'bus-lab', 'datasets');
}

export const trainCommand: CliCommand = {
  name: 'train',
  summary: 'train a model and evaluate it on external datasets',
  usage: USAGE,
  async run(argv, io) {
    const { positionals, options: o } = parseArgs(argv, {
      method: { type: 'string' },
      train: { type: 'string' },
      external: { type: 'list' },
      epochs: { type: 'number' },
      size: { type: 'number' },
      batch: { type: 'number' },
      width: { type: 'number' },
      lr: { type: 'number' },
      alpha: { type: 'number' },
      lambda: { type: 'number' },
      warmup: { type: 'number' },
      'phi-init': { type: 'string' },
      'phi-lr': { type: 'number' },
      'phi-supervision': { type: 'number' },
      'mask-gradient': { type: 'string' },
      'split-seed': { type: 'number' },
      features: { type: 'list' },
      'extra-loss': { type: 'list' },
      plugin: { type: 'list' },
      seed: { type: 'number' },
      'val-split': { type: 'number' },
      patience: { type: 'number' },
      'no-augment': { type: 'boolean' },
      'include-normal': { type: 'boolean' },
      limit: { type: 'number' },
      backend: { type: 'string' },
      'native-modules': { type: 'string' },
      accelerator: { type: 'string' },
      cache: { type: 'string' },
      'no-cache': { type: 'boolean' },
      name: { type: 'string' },
      out: { type: 'string' },
      resume: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const resumeProblem = o.resume === undefined ? undefined : runIdProblem(String(o.resume));
    if (resumeProblem) throw new UsageError(`--resume: ${resumeProblem}`);
    const config: Partial<TrainConfig> = {};
    const set = <K extends keyof TrainConfig>(key: K, value: unknown) => {
      if (value !== undefined) config[key] = value as TrainConfig[K];
    };
    set('method', o.method);
    set('train', o.train);
    set('external', o.external);
    set('epochs', o.epochs);
    set('imageSize', o.size);
    set('batchSize', o.batch);
    set('baseWidth', o.width);
    set('learningRate', o.lr);
    set('alpha', o.alpha);
    set('lambda', o.lambda);
    set('consistencyWarmupEpochs', o.warmup);
    set('features', o.features);
    set('phiInit', o['phi-init']);
    set('phiLearningRate', o['phi-lr']);
    set('phiSupervision', o['phi-supervision']);
    if (o['mask-gradient'] !== undefined) config.maskGradient = parseOnOff('--mask-gradient', String(o['mask-gradient']));
    set('seed', o.seed);
    set('splitSeed', o['split-seed']);
    set('validationSplit', o['val-split']);
    set('earlyStoppingPatience', o.patience);
    set('limit', o.limit);
    set('backend', o.backend);
    set('name', o.name);
    if (o['native-modules']) config.nativeModulesPath = resolve(String(o['native-modules']));
    if (o.accelerator) config.accelerator = ['auto', 'off'].includes(String(o.accelerator)) ? String(o.accelerator) : resolve(String(o.accelerator));
    if (o['no-augment']) config.augment = false;
    if (o['include-normal']) config.excludeNormal = false;
    config.cacheDir = o['no-cache'] ? undefined : resolve(String(o.cache ?? defaultCacheDir()));
    if (o.plugin) config.plugins = (o.plugin as string[]).map((p) => ({ modulePath: resolve(p), source: 'cli' }));
    if (o['extra-loss']) {
      config.extraLosses = (o['extra-loss'] as string[]).map((s) => {
        const i = s.lastIndexOf(':');
        const weight = i > 0 ? Number(s.slice(i + 1)) : 1;
        if (!Number.isFinite(weight)) throw new UsageError(`--extra-loss '${s}': weight must be a number (ID:WEIGHT)`);
        return { id: i > 0 ? s.slice(0, i) : s, weight };
      });
    }
    const progress = createTrainProgress(io);
    let record;
    try {
      record = await trainInWorker(config, {
        runsDir: resolve(String(o.out ?? 'runs')),
        runId: o.resume as string | undefined,
        resume: Boolean(o.resume),
        signal: io.signal,
        onEvent: progress.onEvent,
      });
    } catch (err) {
      progress.done();
      if (err instanceof TrainSetupError) throw new UsageError(err.message);
      if (err instanceof TrainingTerminatedError) {
        process.stderr.write(`bus-lab train: ${err.message}\n`);
        return EXIT.cancelled;
      }
      throw err;
    }
    progress.done();
    io.result(record);
    if (record.status === 'failed') {
      process.stderr.write(`bus-lab train: run ${record.id} failed: ${record.error}\n`);
      return EXIT.failed;
    }
    return record.status === 'cancelled' ? EXIT.cancelled : EXIT.ok;
  },
};
