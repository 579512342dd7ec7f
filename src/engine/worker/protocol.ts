/**
 * The message contract between the extension host and the engine worker (dist/engine-worker.js,
 * a `worker_threads` Worker). Plain JSON types and the built-in providers' descriptors: no
 * `vscode`, no TensorFlow.js, so both sides (and unit tests) import it freely.
 *
 * Conversation:
 * - The host posts one request (`train`, `evaluate`, `checkDataset`, `listProviders`, `compare`,
 *   `predict`, `exportOnnx`) per worker, and may post `cancel` at any time while it runs.
 * - The worker answers with any number of `event` messages (training progress, logs), then
 *   exactly one terminal message: `result` (naming its request, with that request's typed value:
 *   WorkerResults), `providers` (listProviders) or `error` (a WorkerErrorCode and one line).
 *   After a terminal message the worker may exit.
 * - `cancel` during training: the trainer stops at the next step, saves a checkpoint, marks the
 *   run `cancelled` (resumable with `resume: true`), emits a `cancelled` event and answers with
 *   `result` whose value is the RunRecord.
 * - The worker acknowledges `cancel` at once with `stopping` (not terminal). A worker that does
 *   not is stuck (a plugin loop blocks its thread), and the host may terminate it.
 */
import type { HealthReport } from '../data/health';
import { EXISTING_EVALUATION_CHOICES, type EvaluatedCheckpoint, type EvaluationSummary, type ExistingEvaluation } from '../eval/evaluationTypes';
import type { Comparison } from '../experiments/comparisonTypes';
import type { OnnxExportResult } from '../export/exportOnnx';
import type { PredictionSummary } from '../predict/predictionTypes';
import { builtinFeatureProviders } from '../features';
import { biradsConsistencyLoss } from '../losses/biradsConsistency';
import { classificationLoss, segmentationLoss } from '../losses/segmentation';
import type { BackendChoice, PluginReference, RunRecord, TrainConfig, TrainEvent } from '../types';
import { isRecord } from '../../shared/isRecord';

/**
 * `workerData` the host passes when it starts the worker: how to pick the TensorFlow.js backend
 * for requests that carry no TrainConfig (evaluate, checkDataset, compare). A `train` request's
 * own `config.backend` / `config.nativeModulesPath` take precedence.
 */
export interface EngineWorkerData {
  backend?: BackendChoice;
  /** Folder where the user installed tfjs-node or tfjs-node-gpu. */
  nativeModulesPath?: string;
  /** The native accelerator: 'auto', 'off' or the addon's path (TrainConfig.accelerator). */
  accelerator?: string;
  /** Images over this many pixels are refused before decoding (setMaxImagePixels; default DEFAULT_MAX_IMAGE_PIXELS). */
  maxImagePixels?: number;
}

/** A provider (loss or feature) as listed to the user. */
export interface ProviderInfo {
  /** `segmentation`, `shapeIrregularity`, or a plugin's namespaced `<extensionId>/<name>`. */
  id: string;
  label: string;
  description?: string;
  /** `builtin`, an extension id, or `cli`. */
  source: string;
}

/**
 * A plugin reference that also names the one provider the module implements. The extension host
 * sends these (from the provider registry) inside `TrainConfig.plugins` and `listProviders`.
 * A bare PluginReference (the CLI's `--plugin <path>`) relies on the module's own exported
 * `id`/`label` (see docs/PLUGINS.md).
 */
export interface PluginProviderReference extends PluginReference {
  kind: 'loss' | 'feature';
  id: string;
  label: string;
  description?: string;
  /** Options passed to `createLoss(tf, options)` / `createFeature(tf, options)` when the run gives none. */
  defaultOptions?: Record<string, unknown>;
}

// ---------------------------------------------------------------- host → worker

export interface TrainRequest {
  type: 'train';
  config: TrainConfig;
  /** Folder holding run folders; the run is written to `<runsDir>/<runId>/`. */
  runsDir: string;
  /** Use this id (resume, or an id the host chose); the trainer picks one when absent. */
  runId?: string;
  /** Continue the run `runId` from its `checkpoint/`. */
  resume?: boolean;
}

export interface EvaluateRequest {
  type: 'evaluate';
  /** The run folder whose best checkpoint is evaluated. */
  runDir: string;
  /** Dataset specs; each writes `<runDir>/eval/<slug>/`. */
  datasets: string[];
  cacheDir?: string;
  /**
   * A dataset the run was evaluated on before: 'refuse' (default) answers an error with code
   * `evaluationExists` and its slugs before evaluating anything, so the host can ask;
   * 'overwrite' replaces it; 'keepBoth' writes `eval/<slug>@<time>/` beside it.
   */
  existing?: ExistingEvaluation;
}

export interface CheckDatasetRequest {
  type: 'checkDataset';
  spec: string;
}

export interface ListProvidersRequest {
  type: 'listProviders';
  plugins: PluginReference[];
}

/** Compares finished runs (the ablation comparison): answers `result` with the comparison.json contents. */
export interface CompareRequest {
  type: 'compare';
  runDirs: string[];
  /** Where to write comparison.json / comparison.md; nothing is written when absent. */
  outDir?: string;
  /** Run id or method of the baseline (compareRuns' default when absent). */
  baseline?: string;
  /** Bootstrap seed and resamples (compareRuns' defaults when absent). */
  seed?: number;
  resamples?: number;
}

/**
 * Segments unlabelled images (`bus-lab predict`): answers `result` with the PredictionSummary
 * (src/engine/predict/predictionTypes.ts); progress as `evaluation` events with dataset
 * `predict`, skipped files as `log` warnings.
 */
export interface PredictRequest {
  type: 'predict';
  runDir: string;
  /** An image file or a folder of images. */
  input: string;
  /** Where masks/, overlays/, prob/ and predictions.csv are written. */
  outDir: string;
  threshold?: number;
}

/** Exports the run's best checkpoint as ONNX: answers `result` with the OnnxExportResult. */
export interface ExportOnnxRequest {
  type: 'exportOnnx';
  runDir: string;
  outFile: string;
}

export interface CancelRequest {
  type: 'cancel';
}

export type HostToWorkerMessage =
  | TrainRequest
  | EvaluateRequest
  | CheckDatasetRequest
  | ListProvidersRequest
  | CompareRequest
  | PredictRequest
  | ExportOnnxRequest
  | CancelRequest;

// ---------------------------------------------------------------- worker → host

export interface EventMessage {
  type: 'event';
  event: TrainEvent;
}

/** What `evaluate` answers with: the checkpoint and threshold used, and each finished evaluation's summary.json by slug. */
export interface EvaluateResult {
  runDir: string;
  checkpoint: EvaluatedCheckpoint;
  threshold: number;
  summaries: Record<string, EvaluationSummary>;
  /** True when cancelled: `summaries` holds the datasets finished before. */
  cancelled: boolean;
}

/** What `train` answers with: the run record (finished or cancelled). */
export type TrainResult = RunRecord;

/** What `checkDataset` answers with: the engine's dataset health report (src/engine/data/health.ts). */
export type DatasetCheckResult = HealthReport;

/** The value each request answers with (listProviders answers with a `providers` message). */
export interface WorkerResults {
  train: TrainResult;
  evaluate: EvaluateResult;
  checkDataset: DatasetCheckResult;
  compare: Comparison;
  predict: PredictionSummary;
  exportOnnx: OnnxExportResult;
}
export type ResultRequest = keyof WorkerResults;
const RESULT_REQUESTS: readonly ResultRequest[] = ['train', 'evaluate', 'checkDataset', 'compare', 'predict', 'exportOnnx'];

/** The request's outcome, typed by the request it answers. */
export type ResultMessage = { [K in ResultRequest]: { type: 'result'; request: K; value: WorkerResults[K] } }[ResultRequest];

/**
 * Why a request failed: `invalidRequest` (not this protocol), `busy` (a second request),
 * `setup` (configuration or data named by it, before a run folder exists), `notARun` (no or a
 * broken run.json), `runLocked` (another process holds the run folder's lock: training, or
 * evaluating it), `evaluationExists` (evaluate with `existing: 'refuse'`; `slugs` names them),
 * `failed` (anything else, e.g. training failed).
 */
export type WorkerErrorCode = 'invalidRequest' | 'busy' | 'setup' | 'notARun' | 'runLocked' | 'evaluationExists' | 'failed';
export const WORKER_ERROR_CODES: readonly WorkerErrorCode[] = ['invalidRequest', 'busy', 'setup', 'notARun', 'runLocked', 'evaluationExists', 'failed'];

export interface ErrorMessage {
  type: 'error';
  code: WorkerErrorCode;
  /** One line a user can act on ("Dataset folder not found: /data/BUSI"). */
  message: string;
  /** `evaluationExists`: the eval/<slug> folders that hold a finished evaluation. */
  slugs?: string[];
}

export interface ProvidersMessage {
  type: 'providers';
  losses: ProviderInfo[];
  features: ProviderInfo[];
}

/** The worker read `cancel` and is stopping (its thread is not stuck). */
export interface StoppingMessage {
  type: 'stopping';
}

export type WorkerToHostMessage = EventMessage | ResultMessage | ErrorMessage | ProvidersMessage | StoppingMessage;

// ---------------------------------------------------------------- validation

/** Thrown when a message does not follow this protocol. */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
}


function isString(v: unknown): v is string {
  return typeof v === 'string';
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every(isString);
}

function isPluginReference(v: unknown): v is PluginReference {
  return isRecord(v) && isString(v.modulePath) && v.modulePath.length > 0 && (v.source === undefined || isString(v.source));
}

function isProviderInfo(v: unknown): v is ProviderInfo {
  return (
    isRecord(v) &&
    isString(v.id) &&
    isString(v.label) &&
    isString(v.source) &&
    (v.description === undefined || isString(v.description))
  );
}

const TRAIN_EVENT_TYPES = new Set(['started', 'log', 'step', 'epoch', 'checkpoint', 'evaluation', 'finished', 'failed', 'cancelled']);

function isTrainEvent(v: unknown): v is TrainEvent {
  return isRecord(v) && isString(v.type) && TRAIN_EVENT_TYPES.has(v.type);
}

function isTrainConfigLike(v: unknown): v is TrainConfig {
  return isRecord(v) && isString(v.method) && isString(v.train) && isStringArray(v.external) && typeof v.epochs === 'number';
}

/** Why `v` is not a host→worker message, or undefined when it is one. */
export function describeInvalidHostMessage(v: unknown): string | undefined {
  if (!isRecord(v) || !isString(v.type)) return 'message is not an object with a string "type"';
  switch (v.type) {
    case 'train':
      if (!isTrainConfigLike(v.config)) return 'train: "config" must be a TrainConfig (method, train, external, epochs)';
      if (!isString(v.runsDir) || v.runsDir.length === 0) return 'train: "runsDir" must be a non-empty string';
      if (v.runId !== undefined && !isString(v.runId)) return 'train: "runId" must be a string';
      if (v.resume !== undefined && typeof v.resume !== 'boolean') return 'train: "resume" must be a boolean';
      if (v.resume === true && !isString(v.runId)) return 'train: "resume" needs a "runId"';
      return undefined;
    case 'evaluate':
      if (!isString(v.runDir) || v.runDir.length === 0) return 'evaluate: "runDir" must be a non-empty string';
      if (!isStringArray(v.datasets) || v.datasets.length === 0) return 'evaluate: "datasets" must be a non-empty string array';
      if (v.cacheDir !== undefined && !isString(v.cacheDir)) return 'evaluate: "cacheDir" must be a string';
      if (v.existing !== undefined && !EXISTING_EVALUATION_CHOICES.includes(v.existing as ExistingEvaluation)) return `evaluate: "existing" must be one of ${EXISTING_EVALUATION_CHOICES.join(', ')}`;
      return undefined;
    case 'checkDataset':
      if (!isString(v.spec) || v.spec.length === 0) return 'checkDataset: "spec" must be a non-empty string';
      return undefined;
    case 'listProviders':
      if (!Array.isArray(v.plugins) || !v.plugins.every(isPluginReference)) return 'listProviders: "plugins" must be an array of { modulePath }';
      return undefined;
    case 'compare':
      if (!isStringArray(v.runDirs) || v.runDirs.length === 0) return 'compare: "runDirs" must be a non-empty string array';
      if (v.outDir !== undefined && !isString(v.outDir)) return 'compare: "outDir" must be a string';
      if (v.baseline !== undefined && (!isString(v.baseline) || v.baseline.length === 0)) return 'compare: "baseline" must be a non-empty string';
      if (v.seed !== undefined && !Number.isInteger(v.seed)) return 'compare: "seed" must be an integer';
      if (v.resamples !== undefined && !(Number.isInteger(v.resamples) && (v.resamples as number) >= 1)) return 'compare: "resamples" must be a positive integer';
      return undefined;
    case 'predict':
      if (!isString(v.runDir) || v.runDir.length === 0) return 'predict: "runDir" must be a non-empty string';
      if (!isString(v.input) || v.input.length === 0) return 'predict: "input" must be a non-empty string';
      if (!isString(v.outDir) || v.outDir.length === 0) return 'predict: "outDir" must be a non-empty string';
      if (v.threshold !== undefined && !(typeof v.threshold === 'number' && v.threshold >= 0 && v.threshold <= 1)) return 'predict: "threshold" must be a number in [0, 1]';
      return undefined;
    case 'exportOnnx':
      if (!isString(v.runDir) || v.runDir.length === 0) return 'exportOnnx: "runDir" must be a non-empty string';
      if (!isString(v.outFile) || v.outFile.length === 0) return 'exportOnnx: "outFile" must be a non-empty string';
      return undefined;
    case 'cancel':
      return undefined;
    default:
      return `unknown message type "${v.type}"`;
  }
}

export function isHostToWorkerMessage(v: unknown): v is HostToWorkerMessage {
  return describeInvalidHostMessage(v) === undefined;
}

/** Why `v` is not a worker→host message, or undefined when it is one. */
export function describeInvalidWorkerMessage(v: unknown): string | undefined {
  if (!isRecord(v) || !isString(v.type)) return 'message is not an object with a string "type"';
  switch (v.type) {
    case 'event':
      return isTrainEvent(v.event) ? undefined : 'event: "event" must be a TrainEvent';
    case 'result':
      if (!RESULT_REQUESTS.includes(v.request as ResultRequest)) return `result: "request" must be one of ${RESULT_REQUESTS.join(', ')}`;
      return 'value' in v ? undefined : 'result: "value" is missing';
    case 'error':
      if (!WORKER_ERROR_CODES.includes(v.code as WorkerErrorCode)) return `error: "code" must be one of ${WORKER_ERROR_CODES.join(', ')}`;
      if (v.slugs !== undefined && !isStringArray(v.slugs)) return 'error: "slugs" must be a string array';
      return isString(v.message) ? undefined : 'error: "message" must be a string';
    case 'providers':
      if (!Array.isArray(v.losses) || !v.losses.every(isProviderInfo)) return 'providers: "losses" must be ProviderInfo[]';
      if (!Array.isArray(v.features) || !v.features.every(isProviderInfo)) return 'providers: "features" must be ProviderInfo[]';
      return undefined;
    case 'stopping':
      return undefined;
    default:
      return `unknown message type "${v.type}"`;
  }
}

export function isWorkerToHostMessage(v: unknown): v is WorkerToHostMessage {
  return describeInvalidWorkerMessage(v) === undefined;
}

/** Returns `v` typed, or throws a ProtocolError naming what is wrong. */
export function parseHostToWorkerMessage(v: unknown): HostToWorkerMessage {
  const problem = describeInvalidHostMessage(v);
  if (problem) throw new ProtocolError(`Invalid message to the engine worker: ${problem}`);
  return v as HostToWorkerMessage;
}

/** Returns `v` typed, or throws a ProtocolError naming what is wrong. */
export function parseWorkerToHostMessage(v: unknown): WorkerToHostMessage {
  const problem = describeInvalidWorkerMessage(v);
  if (problem) throw new ProtocolError(`Invalid message from the engine worker: ${problem}`);
  return v as WorkerToHostMessage;
}

/** True for messages after which the worker has nothing more to say. */
export function isTerminalMessage(m: WorkerToHostMessage): boolean {
  return m.type !== 'event' && m.type !== 'stopping';
}

/** The providers that ship with the engine, described by the providers themselves (no copies to drift). */
const builtinInfo = (p: { id: string; label: string; description?: string }): ProviderInfo => ({ id: p.id, label: p.label, description: p.description, source: 'builtin' });

export const BUILTIN_LOSS_PROVIDERS: readonly ProviderInfo[] = [segmentationLoss, classificationLoss, biradsConsistencyLoss].map(builtinInfo);

export const BUILTIN_FEATURE_PROVIDERS: readonly ProviderInfo[] = builtinFeatureProviders.map(builtinInfo);
