/**
 * Types shared by every part of the engine (datasets, model, trainer, evaluation, CLI) and by the
 * extension host, which only ever sees them as plain JSON. Nothing here may import `vscode` or
 * TensorFlow.js: this module is safe to import from anywhere, including webviews.
 */

export type Label = 'benign' | 'malignant' | 'normal';
export const LABELS: readonly Label[] = ['benign', 'malignant', 'normal'];

/** The dataset kinds a spec `kind:path` may name. */
export type DatasetKind = 'breast' | 'busi' | 'busbra' | 'udiat' | 'busuclm' | 'folder' | 'synthetic';
export const DATASET_KINDS: readonly DatasetKind[] = ['breast', 'busi', 'busbra', 'udiat', 'busuclm', 'folder', 'synthetic'];

/** What a dataset knows about one image beyond pixels; every field optional. */
export interface ItemMeta {
  /** Source file of the image, absolute. */
  imagePath?: string;
  /** Source mask files, absolute (several where a dataset splits one lesion mask into parts). */
  maskPaths?: string[];
  /** Other findings' masks that are not the lesion (BrEaST `_other`), names only. */
  otherMaskNames?: string[];
  /** Physical pixel size in millimetres, where the dataset gives it. */
  pixelSizeMm?: number;
  birads?: string;
  /** BI-RADS lexicon descriptors as the dataset spells them. */
  shape?: string;
  margin?: string;
  echogenicity?: string;
  posteriorFeatures?: string;
  halo?: string;
  histology?: string;
  device?: string;
  /** Ground-truth generator parameters for synthetic lesions (morphology, site). */
  synthetic?: Record<string, number | string | boolean>;
  [key: string]: unknown;
}

/**
 * One image prepared for training or evaluation at the working size S x S.
 * `image` holds S*S floats in [0, 1] (grey, row-major); `mask` holds S*S values in {0, 1}.
 */
export interface Sample {
  id: string;
  patientId: string;
  label: Label;
  size: number;
  image: Float32Array;
  mask: Uint8Array;
  /** Size of the source image before resizing, for writing predictions back at full size. */
  original: { width: number; height: number };
  meta: ItemMeta;
}

/** A source image at its original resolution, 8-bit grey, with its binary lesion mask. */
export interface FullResolutionItem {
  width: number;
  height: number;
  image: Uint8Array;
  mask: Uint8Array;
}

export interface LoadedDataset {
  spec: string;
  kind: DatasetKind;
  /** Short human name, e.g. "BUSI" or "synthetic site-b". */
  name: string;
  /** A file-system-safe slug used for `eval/<slug>/` folders. */
  slug: string;
  items: Sample[];
  /** Items the loader skipped, each with the file and the reason, never silently. */
  skipped: { file: string; reason: string }[];
  /** Re-reads one item at its source resolution (evaluation scores there). */
  readFullResolution(id: string): Promise<FullResolutionItem>;
  /** The dataset folder (the synthetic site's name for synthetic data). */
  path?: string;
  /** sha256 of the items' relative file paths and sizes (src/engine/data/fingerprint.ts). */
  fingerprint?(): Promise<string>;
}

/** Methods that ship with the engine; plugin loss sets extend the list at run time. */
export type BuiltinMethod = 'single' | 'mtl' | 'birads';
export const BUILTIN_METHODS: readonly BuiltinMethod[] = ['single', 'mtl', 'birads'];

export type BackendChoice = 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

/** A plugin module that the engine loads inside its worker (see docs/PLUGINS.md). */
export interface PluginReference {
  /** Absolute path to a CommonJS module. */
  modulePath: string;
  /** Who contributed it (an extension id, or "cli"). */
  source?: string;
}

/** Everything that decides what a training run does. Stored verbatim in run.json. */
export interface TrainConfig {
  /** `single`, `mtl`, `birads`, or a method defined by a plugin. */
  method: string;
  /** Dataset spec for training, e.g. `breast:/data/BrEaST` or `synthetic:site-a`. */
  train: string;
  /** Dataset specs evaluated after training (external validation). */
  external: string[];
  epochs: number;
  imageSize: number;
  batchSize: number;
  /** U-Net base width (channels of the first level). */
  baseWidth: number;
  learningRate: number;
  /** Weight of the classification loss. */
  alpha: number;
  /** Weight of the BI-RADS consistency loss. */
  lambda: number;
  /** Epochs over which losses that read the BI-RADS features ramp from 0 to full weight (0: none). */
  consistencyWarmupEpochs: number;
  /**
   * Initial weights of phi: 'unit' (w = 1, b = 0, an equal vote of the features) or 'calibrated'
   * (an L2-regularised logistic regression of the training split's labels on the normalised
   * features of its true masks, fitted before epoch 1).
   */
  phiInit: PhiInit;
  /** Learning rate of phi's weights and bias (same cosine schedule); absent: the network's. */
  phiLearningRate?: number;
  /** Weight of BCE(phi(features of the true mask), label), which keeps phi a calibrated predictor (0: off). */
  phiSupervision: number;
  /**
   * Whether the consistency term's gradient reaches the predicted mask through the features
   * (true, the paper's formulation) or the features read a stop-gradient copy of the mask, so the
   * term trains only the classifier and phi (false).
   */
  maskGradient: boolean;
  seed: number;
  /** Seed of the patient-level validation split; absent: `seed` (each seed its own split). */
  splitSeed?: number;
  /** Share of training patients held out for validation. */
  validationSplit: number;
  /** Stop when validation Dice has not improved for this many epochs (0: never). */
  earlyStoppingPatience: number;
  /** Feature provider ids that make up phi (birads); drop one for an ablation. */
  features: string[];
  /** Extra loss providers (ids) added to the method's own terms, with their options. */
  extraLosses: { id: string; weight: number; options?: Record<string, unknown> }[];
  plugins: PluginReference[];
  backend: BackendChoice;
  /** Folder where the user installed tfjs-node or tfjs-node-gpu. */
  nativeModulesPath?: string;
  /**
   * The native accelerator on the wasm backend: 'auto' (the default: use it when it loads), 'off',
   * or the path of a bus-lab-accelerator.node. Changes speed, not results (beyond float rounding).
   */
  accelerator?: string;
  augment: boolean;
  /** Leave normal (lesion-free) images out of training. */
  excludeNormal: boolean;
  /** Cache folder for decoded, resized arrays; none means no cache. */
  cacheDir?: string;
  /** Optional cap on images per dataset (quick runs and tests). */
  limit?: number;
  /** Free-form name shown in tables (defaults to the method). */
  name?: string;
}

export const PHI_INIT_CHOICES = ['unit', 'calibrated'] as const;
export type PhiInit = (typeof PHI_INIT_CHOICES)[number];

/** How phi started: its initial weights and, for a calibrated start, the fit behind them. */
export interface PhiCalibration {
  init: PhiInit;
  /** Initial weight per feature id, and the initial bias. */
  weights: Record<string, number>;
  bias: number;
  /** Calibrated only: lesions fitted, the L2 penalty, and the fit's AUC on those training masks. */
  n?: number;
  l2?: number;
  trainAuc?: number;
}

/**
 * `interrupted`: the process died while `running` (no live lock, see engine/runs/runStatus.ts);
 * derived from run.json's `running` and the run's lock when a run folder is read, never stored.
 */
export type RunStatus = 'running' | 'finished' | 'failed' | 'cancelled' | 'interrupted';

/** Contents of `run.json`. */
export interface RunRecord {
  formatVersion: 1;
  id: string;
  name: string;
  status: RunStatus;
  config: TrainConfig;
  backend?: { name: string; reason: string };
  versions: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  finishedAt?: string;
  error?: string;
  /** Last epoch fully completed (0 before the first). */
  epochsCompleted: number;
  bestEpoch?: number;
  bestValDice?: number;
  /** Dataset slugs evaluated into `eval/<slug>/`. */
  evaluated: string[];
  parameterCount?: number;
  /** Providers used, for reproducibility. */
  providers?: { losses: string[]; features: string[] };
  /** The consistency loss's initial phi (birads runs). */
  phiCalibration?: PhiCalibration;
  wallSeconds?: number;
}

/** One line of `metrics.jsonl`. */
export type MetricsRecord =
  | { type: 'step'; epoch: number; step: number; globalStep: number; losses: Record<string, number>; learningRate: number; imagesPerSecond: number; time: string }
  | {
      type: 'epoch';
      epoch: number;
      losses: Record<string, number>;
      val: { dice: number; iou: number; loss?: number; auc?: number };
      learningRate: number;
      imagesPerSecond: number;
      etaSeconds: number;
      seconds: number;
      time: string;
      /** phi vs predicted malignancy for the validation set (birads and mtl). */
      phiScatter?: { phi: number; pMalignant: number; label: Label }[];
      /** BI-RADS feature weights at the end of the epoch. */
      featureWeights?: Record<string, number>;
      /** Diagnostics of the consistency method on the validation split (docs/METHOD.md, "Instruments"). */
      instruments?: EpochInstruments;
    };

/** What the consistency term does, measured on the validation split at the end of an epoch. */
export interface EpochInstruments {
  /** phi's malignancy AUC from the features of the predicted soft masks, and of the true masks. */
  phiAucPredicted?: number;
  phiAucTrue?: number;
  /**
   * ||d(lambda L_cons)/dM|| / ||d(L_seg)/dM||, both at the predicted mask M (before the sigmoid's
   * Jacobian), with this epoch's weights: how hard the consistency term pulls on the mask
   * relative to the segmentation loss. 0 when the mask gradient is off.
   */
  maskGradientRatio?: number;
  /** Mean of (feature of the predicted soft mask - feature of the true mask), per class and feature. */
  featureBias?: { benign?: Record<string, number>; malignant?: Record<string, number> };
}

/** Events the trainer emits; the CLI prints them, the worker posts them to the extension host. */
export type TrainEvent =
  | { type: 'started'; runId: string; runDir: string; record: RunRecord; totalSteps: number }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  | { type: 'step'; runId: string; record: Extract<MetricsRecord, { type: 'step' }>; totalSteps: number }
  | { type: 'epoch'; runId: string; record: Extract<MetricsRecord, { type: 'epoch' }>; totalEpochs: number }
  | { type: 'checkpoint'; runId: string; epoch: number; valDice: number; best: boolean }
  | { type: 'evaluation'; runId: string; dataset: string; done: number; total: number }
  | { type: 'finished'; runId: string; record: RunRecord }
  | { type: 'failed'; runId?: string; error: string; record?: RunRecord }
  | { type: 'cancelled'; runId: string; record: RunRecord };

/** Per-dataset summary shown in the Runs view and compared by the ablation runner. */
export interface MetricSummary {
  n: number;
  mean: number;
  median: number;
  std: number;
  ci95: [number, number];
}

export interface RunSummary {
  id: string;
  dir: string;
  name: string;
  method: string;
  status: RunStatus;
  createdAt: string;
  bestValDice?: number;
  epochsCompleted: number;
  epochs: number;
  external: { dataset: string; slug: string; dice?: MetricSummary; auc?: number }[];
}
