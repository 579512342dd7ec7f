/**
 * The trainer: one code path for every method. Loads data, builds the network and the method's
 * loss terms, trains with Adam under a cosine schedule, validates each epoch, keeps the best
 * checkpoint by validation Dice, evaluates on the external datasets, and emits TrainEvents.
 * Cancel (an AbortSignal) stops at the next step, saves a checkpoint and marks the run cancelled;
 * `resume` continues it from that checkpoint.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '../backend';
import { Batch, BatchLoader, packBatch } from '../data/batches';
import { loadDataset } from '../data/load';
import { splitByPatient } from '../data/split';
import { evaluateRun } from '../eval/evaluateRun';
import { computeFeatureValues } from '../features';
import { computeMaskFeatures, NamedFeatureFunction } from '../features/maskFeatures';
import { BiradsConsistencyInstance, FeatureNormalisation, isBiradsConsistencyInstance } from '../losses/biradsConsistency';
import { loadCheckpoint, saveCheckpoint } from '../model/checkpoint';
import { assignWeights, ModelDescription, predictorForNetwork } from '../model/predictor';
import { createUNet, UNet } from '../model/unet';
import { TensorGrowthWatch } from '../plugins/growthWatch';
import { PluginError } from '../plugins/pluginLoader';
import { FeatureProvider, LossBatch, LossContext, LossInstance, toLossInstance } from '../plugins/providers';
import { RunStore } from '../runs/runStore';
import { acquireRunLock, RunLock } from '../runs/runLock';
import { rewindMetrics } from '../runs/metricsRewind';
import { aucMannWhitney, youdenThreshold } from '../stats';
import { fitLogisticRegression } from '../stats/logisticRegression';
import type { NamedTensorMap, Scalar, Tensor, Tensor1D, TF, Variable } from '../tf';
import type { EpochInstruments, MetricsRecord, PhiCalibration, RunRecord, Sample, TrainConfig, TrainEvent } from '../types';
import { prepareTrainSetup, resumeConfig, TrainSetupError } from './setup';
import { collectVersions } from './versions';
import { Adam, createAdam } from './adam';
import { measureInstruments } from './instruments';

export interface TrainOptions {
  runsDir: string;
  /** Use this id for a new run, or the run to resume. */
  runId?: string;
  resume?: boolean;
  signal?: AbortSignal;
  onEvent?: (event: TrainEvent) => void;
  /** The caller holds the run folder's lock (acquireRunLock; e.g. the ablation runner); otherwise runTraining takes it. */
  callerHoldsLock?: boolean;
}

export { TrainSetupError };

interface ActiveTerm {
  name: string;
  /** Weight in this epoch (the configured weight, ramped for terms that read the features). */
  weight: number;
  /** The configured weight. */
  fullWeight: number;
  rampsUp: boolean;
  instance: LossInstance;
  /** Reads the features of the batch's true masks (phi supervision). */
  needsTrueMaskFeatures?: boolean;
}

/** The loss context inside the trainer: the plugin contract plus the true masks' features. */
type TrainLossContext = LossContext & { trueMaskFeatures?: Record<string, Tensor1D> };

interface TrainingState {
  epoch: number;
  /** Batches of `epoch` already done (non-zero after a mid-epoch cancel). */
  batchInEpoch: number;
  globalStep: number;
  bestValDice: number;
  bestEpoch: number;
  epochsWithoutImprovement: number;
  featureNormalisation: FeatureNormalisation;
}

const LOG_EVERY_STEPS = 1;

/**
 * Trains a new run, or resumes one (from its checkpoint, or from epoch 1 when it was killed before
 * its first). Holds the run folder's lock throughout (RunLockedError when another process has it).
 */
export async function runTraining(partial: Partial<TrainConfig>, options: TrainOptions): Promise<RunRecord> {
  let lock: RunLock | undefined;
  const lockRun = (runDir: string, createFolder: boolean) => {
    if (!options.callerHoldsLock) lock = acquireRunLock(runDir, options.resume ? 'resume' : 'train', { createFolder });
  };
  try {
    return await trainLocked(partial, options, lockRun);
  } finally {
    lock?.release();
  }
}

async function trainLocked(partial: Partial<TrainConfig>, options: TrainOptions, lockRun: (runDir: string, createFolder: boolean) => void): Promise<RunRecord> {
  const emit = (e: TrainEvent) => options.onEvent?.(e);
  const log = (message: string, level: 'info' | 'warn' | 'error' = 'info') => emit({ type: 'log', level, message });
  const store = new RunStore(options.runsDir);

  // ---- setup: anything wrong here is the caller's configuration; no run folder is made yet.
  let previous: RunRecord | undefined;
  // A run killed before its first checkpoint starts again from epoch 1 in its folder.
  let fromCheckpoint = false;
  if (options.resume) {
    if (!options.runId) throw new TrainSetupError('resume: a run id is required');
    if (!existsSync(store.runDir(options.runId))) throw new TrainSetupError(`resume: ${store.runDir(options.runId)}: no such run folder`);
    // Locked before reading: a run.json that says `running` is then an interrupted run, not a live one.
    lockRun(store.runDir(options.runId), false);
    try {
      previous = await store.readRecord(options.runId);
    } catch (err) {
      throw new TrainSetupError(`resume: ${(err as Error).message}`);
    }
    if (previous.status === 'finished') throw new TrainSetupError(`resume: run ${options.runId} has already finished`);
    fromCheckpoint = existsSync(join(store.runDir(options.runId), 'checkpoint', 'model.json'));
  }
  // Code and native-module paths of a resumed run come from the caller, never from run.json.
  const requested = previous ? resumeConfig(previous, partial) : partial;
  const backend = await initBackend(requested.backend ?? 'auto', { nativeModulesPath: requested.nativeModulesPath, accelerator: requested.accelerator });
  const tf = backend.tf;
  const { config, plan, registries, pluginOrigins } = prepareTrainSetup(tf, requested);
  log(`backend: ${backend.name} (${backend.reason})`);

  const trainSet = await loadDataset(config.train, {
    size: config.imageSize,
    cacheDir: config.cacheDir,
    limit: config.limit,
    includeNormal: !config.excludeNormal,
    onWarning: (m) => log(m, 'warn'),
  }).catch((err: Error) => {
    throw new TrainSetupError(`train: ${err.message}`);
  });
  for (const spec of config.external) {
    // Fail early on a bad external spec instead of after hours of training.
    await loadDataset(spec, { size: config.imageSize, cacheDir: config.cacheDir, limit: 1 }).catch((err: Error) => {
      throw new TrainSetupError(`external: ${err.message}`);
    });
  }
  const { train, val } = splitByPatient(trainSet.items, config.validationSplit, config.splitSeed ?? config.seed);
  if (train.length === 0 || val.length === 0) throw new TrainSetupError(`train: ${trainSet.items.length} images are too few to split into training and validation`);

  // ---- the run folder
  const now = new Date().toISOString();
  const record: RunRecord = previous
    ? { ...previous, config, status: 'running', updatedAt: now, error: undefined, ...(fromCheckpoint ? {} : { epochsCompleted: 0, bestEpoch: undefined, bestValDice: undefined, wallSeconds: undefined, evaluated: [] }) }
    : {
        formatVersion: 1,
        id: options.runId ?? store.newRunId(config.name ?? config.method),
        name: config.name ?? config.method,
        status: 'running',
        config,
        versions: collectVersions(tf),
        createdAt: now,
        updatedAt: now,
        epochsCompleted: 0,
        evaluated: [],
      };
  record.backend = { name: backend.name, reason: backend.reason };
  record.providers = { losses: plan.terms.map((t) => t.providerId), features: plan.needsFeatures ? config.features : [] };
  // A new run is locked inside create(), which removes the folder again if the disk refuses it.
  const runDir = previous ? store.runDir(record.id) : await store.create(record, (dir) => lockRun(dir, true));
  const started = Date.now() - (previous?.wallSeconds ?? 0) * 1000;

  const net = createUNet(tf, { baseWidth: config.baseWidth, depth: 4, withClassifier: plan.withClassifier, seed: config.seed });
  record.parameterCount = net.parameterCount;
  const terms: ActiveTerm[] = [];
  const optimizer = createAdam(tf, config.learningRate);
  // phi's own optimizer, only when it has its own learning rate (otherwise one Adam for all, as before).
  const phiOptimizer = config.phiLearningRate !== undefined ? createAdam(tf, config.phiLearningRate) : undefined;
  const loader = new BatchLoader(train, { batchSize: config.batchSize, seed: config.seed, augment: config.augment, remainder: 'merge' });
  const stepsPerEpoch = loader.batchesPerEpoch;
  const totalSteps = stepsPerEpoch * config.epochs;
  try {
    const state: TrainingState = {
      epoch: 0,
      batchInEpoch: 0,
      globalStep: 0,
      bestValDice: -1,
      bestEpoch: 0,
      epochsWithoutImprovement: 0,
      featureNormalisation: {},
    };
    const table = plan.needsFeatures ? await trainingFeatureTable(tf, train, config, registries.features.list(), pluginOrigins) : undefined;
    if (table) state.featureNormalisation = table.normalisation;
    const usesConsistency = plan.terms.some((t) => t.providerId === 'biradsConsistency');
    let phiStart: PhiCalibration | undefined;
    if (table && usesConsistency) {
      phiStart = config.phiInit === 'calibrated' ? calibratePhi(table, config.features) : unitPhi(config.features);
      if (!fromCheckpoint) record.phiCalibration = phiStart;
      if (phiStart.trainAuc !== undefined) log(`phi calibrated on ${phiStart.n} training masks: AUC ${fmt(phiStart.trainAuc)}, bias ${fmt(phiStart.bias)}, weights ${config.features.map((id) => `${id} ${fmt(phiStart!.weights[id])}`).join(', ')}`);
    }
    for (const t of plan.terms) {
      const provider = registries.losses.get(t.providerId);
      // Every loss that reads the BI-RADS features gets their training-set normalisation.
      let opts = provider.needsFeatures ? { ...t.options, normalisation: state.featureNormalisation } : t.options;
      if (t.providerId === 'biradsConsistency' && phiStart) opts = { ...opts, initialWeights: phiStart.weights, initialBias: phiStart.bias };
      let created;
      try {
        created = toLossInstance(provider.create(tf, opts));
      } catch (err) {
        throw err instanceof PluginError ? err : new Error(`loss '${t.providerId}': ${(err as Error).message}`);
      }
      terms.push({ name: t.name, weight: t.weight, fullWeight: t.weight, rampsUp: Boolean(provider.needsFeatures), instance: created });
    }
    const consistencyTerm = terms.find((t) => t.name === 'consistency');
    const consistency = consistencyTerm && isBiradsConsistencyInstance(consistencyTerm.instance) ? consistencyTerm.instance : undefined;
    if (config.phiSupervision > 0 && consistency) {
      const supervised: BiradsConsistencyInstance = consistency;
      terms.push({
        name: 'phiSupervision',
        weight: config.phiSupervision,
        fullWeight: config.phiSupervision,
        rampsUp: false,
        needsTrueMaskFeatures: true,
        instance: {
          compute: (batch, _outputs, context) => {
            const features = (context as TrainLossContext).trueMaskFeatures;
            if (!features) throw new Error('phi supervision: the true masks\' features were not computed');
            return supervised.supervise(batch, features);
          },
        },
      });
    }
    const createFeatureFns = (ids: readonly string[]): NamedFeatureFunction[] =>
      ids.map((id) => {
        const provider = registries.features.get(id);
        return { id, fn: provider.create(tf, provider.defaultOptions ?? {}) };
      });
    const featureFns = plan.needsFeatures ? createFeatureFns(config.features) : [];
    // The instruments read the features for every method, so runs without the consistency loss
    // show their masks' morphological drift too.
    const instrumentFeatureFns = featureFns.length > 0 ? featureFns : createFeatureFns(config.features.filter((id) => registries.features.has(id)));
    const auxNames = terms.flatMap((t) => (t.instance.variables ?? []).map((_, i) => `loss/${t.name}/${i}`));
    const auxVars = terms.flatMap((t) => t.instance.variables ?? []);
    const phiVars = new Set<Variable>(consistency && phiOptimizer ? consistency.variables : []);
    const step: StepPlan = {
      terms,
      featureFns,
      pluginOrigins,
      maskGradient: config.maskGradient,
      optimizer,
      variables: [...net.trainableVariables, ...auxVars.filter((v) => !phiVars.has(v))],
      phi: phiOptimizer ? { optimizer: phiOptimizer, variables: [...phiVars] } : undefined,
    };

    const modelDescription: ModelDescription = {
      architecture: 'unet',
      inputSize: config.imageSize,
      method: config.method,
      baseWidth: config.baseWidth,
      depth: 4,
      withClassifier: plan.withClassifier,
      seed: config.seed,
    };
    /** Network and loss variables by checkpoint name. */
    const weightMap = (): Map<string, Tensor> => {
      const m = new Map<string, Tensor>(net.variables);
      auxVars.forEach((v, i) => m.set(auxNames[i], v));
      return m;
    };
    /** The resumable checkpoint: weights, optimizer moments and where training stands. */
    const saveLast = async (at: TrainingState) => {
      const m = weightMap();
      const opt = await optimizer.getWeights();
      opt.forEach((w, i) => m.set(`optimizer/${i}`, w.tensor));
      const phiOpt = phiOptimizer ? await phiOptimizer.getWeights() : [];
      phiOpt.forEach((w, i) => m.set(`phiOptimizer/${i}`, w.tensor));
      try {
        await saveCheckpoint(tf, join(runDir, 'checkpoint'), modelDescription, m, { ...at, optimizerWeightCount: opt.length, phiOptimizerWeightCount: phiOpt.length });
      } finally {
        // getWeights() makes a fresh tensor for the iteration count (the rest are live variables).
        opt[0]?.tensor.dispose();
        phiOpt[0]?.tensor.dispose();
      }
    };

    if (fromCheckpoint) {
      const { manifest, tensors } = await loadCheckpoint<ModelDescription>(tf, join(runDir, 'checkpoint'));
      assignWeights(net, tensors, join(runDir, 'checkpoint'));
      auxVars.forEach((v, i) => {
        const t = tensors.get(auxNames[i]);
        if (t) v.assign(t);
      });
      const saved = manifest.state as unknown as TrainingState & { optimizerWeightCount: number; phiOptimizerWeightCount?: number };
      const optWeights = Array.from({ length: saved.optimizerWeightCount }, (_, i) => ({ name: `optimizer/${i}`, tensor: tensors.get(`optimizer/${i}`)! }));
      if (optWeights.length > 0 && optWeights.every((w) => w.tensor)) await optimizer.setWeights(optWeights);
      const phiWeights = Array.from({ length: saved.phiOptimizerWeightCount ?? 0 }, (_, i) => ({ name: `phiOptimizer/${i}`, tensor: tensors.get(`phiOptimizer/${i}`)! }));
      if (phiOptimizer && phiWeights.length > 0 && phiWeights.every((w) => w.tensor)) await phiOptimizer.setWeights(phiWeights);
      const { optimizerWeightCount: _o, phiOptimizerWeightCount: _p, ...savedState } = saved;
      Object.assign(state, savedState);
      // Variables made by assign/setWeights hold their own reference to the data.
      for (const t of tensors.values()) t.dispose();
      log(`resuming ${record.id} at epoch ${state.epoch + 1}, batch ${state.batchInEpoch + 1}`);
    } else if (previous) {
      log(`resuming ${record.id} from epoch 1: it was stopped before its first checkpoint`);
    }
    // Records past the checkpoint (an epoch done but not saved) are redone, never duplicated.
    if (previous) await rewindMetrics(runDir, { epochsCompleted: state.epoch, globalStep: state.globalStep });

    emit({ type: 'started', runId: record.id, runDir, record, totalSteps });
    log(`training ${config.method} on ${trainSet.name}: ${train.length} training / ${val.length} validation images, ${config.epochs} epochs, ${net.parameterCount} parameters`);

    const cancelled = async (): Promise<RunRecord> => {
      await saveLast(state);
      record.status = 'cancelled';
      record.updatedAt = new Date().toISOString();
      record.wallSeconds = (Date.now() - started) / 1000;
      await store.writeRecord(record);
      emit({ type: 'cancelled', runId: record.id, record });
      return record;
    };

    // Named in the warning when tensor memory grows at every step: the plugins this run uses.
    const usedPlugins = [...new Set([...plan.terms.map((t) => t.providerId), ...featureFns.map((f) => f.id)])].filter((id) => pluginOrigins[id]);
    const growth = new TensorGrowthWatch(tf, usedPlugins.map((id) => `'${id}' from ${pluginOrigins[id]}`));
    for (; state.epoch < config.epochs; state.epoch++, state.batchInEpoch = 0) {
      const epoch = state.epoch;
      const epochStart = Date.now();
      const ramp = featureLossRamp(epoch, config.consistencyWarmupEpochs);
      for (const t of terms) t.weight = t.rampsUp ? t.fullWeight * ramp : t.fullWeight;
      const sums: Record<string, number> = {};
      let batches = 0;
      let images = 0;
      for await (const batch of epochBatches(loader, epoch, state.batchInEpoch)) {
        if (options.signal?.aborted) return await cancelled();
        const t0 = Date.now();
        const lr = cosineLearningRate(config.learningRate, state.globalStep, totalSteps);
        (optimizer as unknown as { learningRate: number }).learningRate = lr;
        if (phiOptimizer) (phiOptimizer as unknown as { learningRate: number }).learningRate = cosineLearningRate(config.phiLearningRate!, state.globalStep, totalSteps);
        const losses = trainStep(tf, net, step, batch, { epoch: epoch + 1, step: state.globalStep + 1 });
        const leak = growth.afterStep();
        if (leak) log(leak, 'warn');
        const seconds = (Date.now() - t0) / 1000;
        state.globalStep++;
        state.batchInEpoch++;
        batches++;
        images += batch.count;
        for (const [k, v] of Object.entries(losses)) sums[k] = (sums[k] ?? 0) + v;
        if (state.globalStep % LOG_EVERY_STEPS === 0) {
          const rec: Extract<MetricsRecord, { type: 'step' }> = {
            type: 'step',
            epoch: epoch + 1,
            step: state.batchInEpoch,
            globalStep: state.globalStep,
            losses,
            learningRate: lr,
            imagesPerSecond: batch.count / Math.max(seconds, 1e-6),
            time: new Date().toISOString(),
          };
          await store.appendMetrics(record.id, [rec]);
          emit({ type: 'step', runId: record.id, record: rec, totalSteps });
        }
      }
      if (options.signal?.aborted) return await cancelled();

      const validation = await validate(tf, net, val, config, terms, featureFns, instrumentFeatureFns);
      const epochSeconds = (Date.now() - epochStart) / 1000;
      const remainingEpochs = config.epochs - epoch - 1;
      const epochRec: Extract<MetricsRecord, { type: 'epoch' }> = {
        type: 'epoch',
        epoch: epoch + 1,
        losses: Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / Math.max(batches, 1)])),
        val: validation.metrics,
        learningRate: cosineLearningRate(config.learningRate, state.globalStep, totalSteps),
        imagesPerSecond: images / Math.max(epochSeconds, 1e-6),
        etaSeconds: remainingEpochs * epochSeconds,
        seconds: epochSeconds,
        time: new Date().toISOString(),
        phiScatter: validation.phiScatter,
        featureWeights: terms.find((t) => t.instance.describe)?.instance.describe?.(),
        instruments: validation.instruments,
      };
      await store.appendMetrics(record.id, [epochRec]);
      emit({ type: 'epoch', runId: record.id, record: epochRec, totalEpochs: config.epochs });

      const improved = validation.metrics.dice > state.bestValDice;
      if (improved) {
        state.bestValDice = validation.metrics.dice;
        state.bestEpoch = epoch + 1;
        state.epochsWithoutImprovement = 0;
        await saveCheckpoint(tf, join(runDir, 'model'), modelDescription, weightMap(), {
          epoch: epoch + 1,
          valDice: validation.metrics.dice,
          classificationThreshold: validation.threshold,
          featureNormalisation: state.featureNormalisation,
        });
      } else {
        state.epochsWithoutImprovement++;
      }
      const stopEarly = config.earlyStoppingPatience > 0 && state.epochsWithoutImprovement >= config.earlyStoppingPatience;
      await saveLast({ ...state, epoch: epoch + 1, batchInEpoch: 0 });
      record.epochsCompleted = epoch + 1;
      record.bestEpoch = state.bestEpoch;
      record.bestValDice = state.bestValDice;
      record.updatedAt = new Date().toISOString();
      record.wallSeconds = (Date.now() - started) / 1000;
      await store.writeRecord(record);
      emit({ type: 'checkpoint', runId: record.id, epoch: epoch + 1, valDice: validation.metrics.dice, best: improved });
      log(
        `epoch ${epoch + 1}/${config.epochs}: loss ${fmt(epochRec.losses.total)}, val Dice ${fmt(validation.metrics.dice)}, IoU ${fmt(validation.metrics.iou)}` +
          (validation.metrics.auc !== undefined ? `, AUC ${fmt(validation.metrics.auc)}` : '') +
          `, ${epochRec.imagesPerSecond.toFixed(1)} img/s${improved ? ' (best)' : ''}`,
      );
      if (stopEarly) {
        log(`early stopping: no improvement in ${config.earlyStoppingPatience} epochs`);
        break;
      }
    }

    // ---- external evaluation with the best checkpoint (the one evaluateRun; this run's own
    // evaluations are replaced when a resumed run evaluates again)
    if (config.external.length > 0 && !options.signal?.aborted) {
      const evaluation = await evaluateRun({
        tf,
        runDir,
        datasets: config.external,
        cacheDir: config.cacheDir,
        limit: config.limit,
        existing: 'overwrite',
        callerHoldsLock: true,
        signal: options.signal,
        onWarning: (m) => log(m, 'warn'),
        onDataset: (d) => log(`evaluating on ${d.name} (${d.images} images)`),
        onProgress: (slug, done, total) => emit({ type: 'evaluation', runId: record.id, dataset: slug, done, total }),
        recordEvaluated: async (slug) => {
          if (!record.evaluated.includes(slug)) record.evaluated.push(slug);
          await store.writeRecord(record);
        },
      });
      if (evaluation.cancelled) return await cancelled();
    }
    if (options.signal?.aborted) return await cancelled();

    record.status = 'finished';
    record.finishedAt = new Date().toISOString();
    record.updatedAt = record.finishedAt;
    record.wallSeconds = (Date.now() - started) / 1000;
    await store.writeRecord(record);
    emit({ type: 'finished', runId: record.id, record });
    return record;
  } catch (err) {
    net.discardBatchNormUpdates();
    record.status = 'failed';
    record.error = (err as Error).message;
    record.updatedAt = new Date().toISOString();
    await store.writeRecord(record);
    emit({ type: 'failed', runId: record.id, error: record.error, record });
    return record;
  } finally {
    net.dispose();
    optimizer.dispose();
    phiOptimizer?.dispose();
    for (const t of terms) t.instance.dispose?.();
  }
}

function fmt(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(4);
}

/**
 * Share of its weight a feature-reading loss (the BI-RADS consistency) gets in a 0-based epoch:
 * 0 in the first epoch, rising linearly to 1 after `warmupEpochs`, so the masks have taken shape
 * before their morphology is asked to agree with the classifier. 0 warm-up: full weight at once.
 */
export function featureLossRamp(epoch: number, warmupEpochs: number): number {
  return warmupEpochs <= 0 ? 1 : Math.min(1, epoch / warmupEpochs);
}

/** Cosine decay from the base rate to 5% of it over the whole run. */
export function cosineLearningRate(base: number, step: number, totalSteps: number): number {
  const t = Math.min(step / Math.max(totalSteps, 1), 1);
  return base * (0.05 + 0.95 * 0.5 * (1 + Math.cos(Math.PI * t)));
}

/** The features of the training split's true lesion masks, their labels, and each feature's mean and sd. */
interface TrainingFeatureTable {
  values: Record<string, Float32Array>;
  malignant: boolean[];
  normalisation: FeatureNormalisation;
}

async function trainingFeatureTable(
  tf: TF,
  train: readonly Sample[],
  config: TrainConfig,
  providers: readonly FeatureProvider[],
  origins: Record<string, string>,
): Promise<TrainingFeatureTable> {
  const lesions = train.filter((s) => s.label !== 'normal');
  const px = config.imageSize * config.imageSize;
  const masks = new Float32Array(lesions.length * px);
  lesions.forEach((s, i) => masks.set(s.mask, i * px));
  const values = await computeFeatureValues(tf, masks, lesions.length, config.imageSize, config.features, providers);
  for (const [id, v] of Object.entries(values)) {
    const bad = v.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) throw new Error(`feature '${id}'${origins[id] ? ` (${origins[id]})` : ''} is ${v[bad]} on training mask ${bad + 1} of ${v.length}`);
  }
  const normalisation: FeatureNormalisation = {};
  for (const [id, v] of Object.entries(values)) {
    const mean = v.reduce((a, b) => a + b, 0) / Math.max(v.length, 1);
    const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(v.length - 1, 1);
    normalisation[id] = { mean, std: Math.sqrt(variance) || 1 };
  }
  return { values, malignant: lesions.map((s) => s.label === 'malignant'), normalisation };
}

/** Ridge penalty of the phi calibration, on features scaled to unit variance: mild shrinkage
 * that keeps the fit finite when the training split happens to separate the classes. */
export const PHI_CALIBRATION_L2 = 1;

/** phi's starting weights fitted on the training split's true masks (never validation or external data). */
export function calibratePhi(table: TrainingFeatureTable, featureIds: readonly string[]): PhiCalibration {
  const n = table.malignant.length;
  const scale = (id: string) => Math.max(table.normalisation[id]?.std ?? 1, 1e-3);
  const rows = Array.from({ length: n }, (_, i) => featureIds.map((id) => (table.values[id][i] - table.normalisation[id].mean) / scale(id)));
  const y = table.malignant.map((m) => (m ? 1 : 0));
  const unit = unitPhi(featureIds);
  if (!y.includes(1) || !y.includes(0)) return { ...unit, n }; // one class only: nothing to calibrate on
  const fit = fitLogisticRegression(rows, y, { l2: PHI_CALIBRATION_L2 });
  const logits = rows.map((r) => r.reduce((acc, v, k) => acc + v * fit.weights[k], fit.bias));
  return {
    init: 'calibrated',
    weights: Object.fromEntries(featureIds.map((id, k) => [id, fit.weights[k]])),
    bias: fit.bias,
    n,
    l2: PHI_CALIBRATION_L2,
    trainAuc: aucMannWhitney(logits, table.malignant),
  };
}

function unitPhi(featureIds: readonly string[]): PhiCalibration {
  return { init: 'unit', weights: Object.fromEntries(featureIds.map((id) => [id, 1])), bias: 0 };
}

/**
 * The batches of one epoch from `start` on: the loader's prefetching generator for a whole epoch,
 * direct construction for the rest of an epoch interrupted by a cancel.
 */
async function* epochBatches(loader: BatchLoader, epoch: number, start: number): AsyncGenerator<Batch> {
  if (start === 0) {
    yield* loader.epoch(epoch);
    return;
  }
  const order = loader.order(epoch);
  for (let i = start; i < loader.batchesPerEpoch; i++) yield loader.batch(epoch, i, order);
}

function batchTensors(tf: TF, batch: Batch): LossBatch {
  const s = batch.size;
  return {
    image: tf.tensor4d(batch.images, [batch.count, s, s, 1]),
    mask: tf.tensor4d(batch.masks, [batch.count, s, s, 1]),
    label: tf.tensor1d(batch.malignant),
    // Normal images have no malignancy target.
    hasLabel: tf.tensor1d(batch.labels.map((l) => (l === 'normal' ? 0 : 1))),
  };
}

/** What one optimisation step needs: the loss terms, the features, and who updates which variables. */
interface StepPlan {
  terms: ActiveTerm[];
  featureFns: NamedFeatureFunction[];
  /** The plugin each plugin provider came from, by provider id. */
  pluginOrigins: Record<string, string>;
  maskGradient: boolean;
  optimizer: Adam;
  /** Variables the main optimizer updates (the network, and phi unless it has its own rate). */
  variables: Variable[];
  /** phi's weights and bias with their own optimizer (`phiLearningRate`). */
  phi?: { optimizer: Adam; variables: Variable[] };
}

/**
 * One optimisation step. Returns every loss component and the total, read back in one transfer;
 * a non-finite component stops the run with its name (a plugin's name where it is a plugin).
 */
function trainStep(tf: TF, net: UNet, plan: StepPlan, batch: Batch, ctx: { epoch: number; step: number }): Record<string, number> {
  const { terms, featureFns } = plan;
  const parts: Tensor[] = [];
  // Each feature's batch sum, read back with the losses, so a NaN feature is blamed on its provider.
  const featureSums: Tensor[] = [];
  const inputs = batchTensors(tf, batch);
  let grads: NamedTensorMap | undefined;
  let total: Scalar | undefined;
  try {
    const needsTrue = terms.some((t) => t.needsTrueMaskFeatures);
    ({ value: total, grads } = tf.variableGrads(() => {
      const out = net.forward(inputs.image, true);
      const outputs = { seg: out.seg, pMalignant: out.pMalignant as Tensor1D | undefined };
      const features = featureFns.length > 0 ? computeMaskFeatures(tf, featureFns, out.seg, inputs.image, plan.maskGradient) : {};
      const context: TrainLossContext = { epoch: ctx.epoch, step: ctx.step, features };
      if (needsTrue) context.trueMaskFeatures = computeMaskFeatures(tf, featureFns, inputs.mask, inputs.image);
      for (const f of featureFns) featureSums.push(tf.keep(tf.sum(features[f.id])));
      let sum: Scalar = tf.scalar(0);
      for (const term of terms) {
        const value = term.instance.compute(inputs, outputs, context);
        parts.push(tf.keep(value));
        sum = tf.add(sum, tf.mul(value, term.weight)) as Scalar;
      }
      return sum;
    }, [...plan.variables, ...(plan.phi?.variables ?? [])]));
    const pick = (vars: Variable[]) => vars.filter((v) => grads![v.name]).map((v) => ({ name: v.name, tensor: grads![v.name] }));
    plan.optimizer.applyGradients(pick(plan.variables));
    if (plan.phi) plan.phi.optimizer.applyGradients(pick(plan.phi.variables));
    const stacked = tf.stack([...parts, total, ...featureSums]);
    const values = stacked.dataSync();
    stacked.dispose();
    featureFns.forEach((f, i) => {
      const v = values[terms.length + 1 + i];
      if (!Number.isFinite(v)) {
        const origin = plan.pluginOrigins[f.id];
        throw new Error(`feature '${f.id}' is ${v} at epoch ${ctx.epoch}, step ${ctx.step}${origin ? ` (${origin})` : ''}; the losses that read it cannot be finite`);
      }
    });
    const losses: Record<string, number> = {};
    terms.forEach((t, i) => {
      if (!Number.isFinite(values[i])) {
        throw new Error(`loss '${t.name}' is ${values[i]} at epoch ${ctx.epoch}, step ${ctx.step}${t.name.includes('/') ? ` (plugin ${t.name})` : ''}`);
      }
      losses[t.name] = values[i];
    });
    losses.total = values[terms.length];
    net.commitBatchNormUpdates();
    return losses;
  } catch (err) {
    net.discardBatchNormUpdates();
    throw err;
  } finally {
    total?.dispose();
    if (grads) tf.dispose(Object.values(grads));
    for (const p of parts) p.dispose();
    for (const f of featureSums) f.dispose();
    for (const t of Object.values(inputs)) t.dispose();
  }
}

interface ValidationResult {
  metrics: { dice: number; iou: number; auc?: number };
  phiScatter?: { phi: number; pMalignant: number; label: 'benign' | 'malignant' | 'normal' }[];
  /** Youden threshold on validation malignancy probabilities, used for external classification. */
  threshold: number;
  instruments?: EpochInstruments;
}

async function validate(
  tf: TF,
  net: UNet,
  val: readonly Sample[],
  config: TrainConfig,
  terms: ActiveTerm[],
  featureFns: NamedFeatureFunction[],
  instrumentFeatureFns: NamedFeatureFunction[],
): Promise<ValidationResult> {
  const size = config.imageSize;
  const px = size * size;
  const predictor = predictorForNetwork(tf, net, size);
  const batch = packBatch(val);
  const { seg, pMalignant } = await predictor.predict(batch.images, batch.count);
  let diceSum = 0;
  let iouSum = 0;
  let counted = 0;
  for (let i = 0; i < batch.count; i++) {
    if (val[i].label === 'normal') continue;
    let inter = 0;
    let p = 0;
    let g = 0;
    for (let j = 0; j < px; j++) {
      const a = seg[i * px + j] > 0.5 ? 1 : 0;
      const b = batch.masks[i * px + j];
      inter += a * b;
      p += a;
      g += b;
    }
    diceSum += p + g === 0 ? 1 : (2 * inter) / (p + g);
    iouSum += p + g - inter === 0 ? 1 : inter / (p + g - inter);
    counted++;
  }
  const metrics: ValidationResult['metrics'] = { dice: diceSum / Math.max(counted, 1), iou: iouSum / Math.max(counted, 1) };
  let threshold = 0.5;
  const labelled = val.map((s, i) => ({ s, p: pMalignant[i] })).filter((x) => x.s.label !== 'normal' && Number.isFinite(x.p));
  if (labelled.length > 0 && labelled.some((x) => x.s.label === 'malignant') && labelled.some((x) => x.s.label === 'benign')) {
    const scores = labelled.map((x) => x.p);
    const positive = labelled.map((x) => x.s.label === 'malignant');
    metrics.auc = aucMannWhitney(scores, positive);
    threshold = youdenThreshold(scores, positive).threshold;
  }
  const consistency = terms.find((t) => t.name === 'consistency');
  const segmentation = terms.find((t) => t.name === 'segmentation');
  // The instruments compute phi of every predicted mask; the dashboard's scatter reuses it.
  const { instruments, phiByImage } = await measureInstruments({
    tf,
    val,
    seg,
    pMalignant,
    size,
    featureFns: instrumentFeatureFns,
    segmentation: segmentation?.instance,
    consistency: consistency && featureFns.length > 0 ? { instance: consistency.instance, weight: consistency.weight, maskGradient: config.maskGradient } : undefined,
  });
  const phiScatter =
    phiByImage && net.options.withClassifier
      ? val.map((s, i) => ({ phi: phiByImage[i], pMalignant: pMalignant[i], label: s.label })).filter((x) => x.label !== 'normal')
      : undefined;
  return { metrics, phiScatter, threshold, instruments };
}
