/**
 * The API of the BUS Lab extension (`bus-lab.bus-lab`), version 1.
 *
 * Copy this file into your extension, add `"extensionDependencies": ["bus-lab.bus-lab"]` to its
 * package.json, and get the API with:
 *
 *   const busLab = vscode.extensions.getExtension<BusLabApi>('bus-lab.bus-lab');
 *   const api = await busLab?.activate();
 *   if (api?.apiVersion === 1) context.subscriptions.push(api.registerLossProvider({ ... }));
 *
 * Provider ids are namespaced with YOUR extension id: `<publisher>.<name>/<provider>`, e.g.
 * `bus-lab-examples.custom-loss-plugin/tversky`. The namespace must be an installed extension;
 * the Providers view shows it as the provider's source. See docs/PLUGINS.md for the module
 * contract (`createLoss(tf, options)` / `createFeature(tf, options)`).
 */
import type { Disposable, Event } from 'vscode';

export interface BusLabProviderDescriptor {
  /** `<your extension id>/<name>`; letters, digits, `_`, `.`, `-` in the name. */
  id: string;
  /** Shown in the Providers view and the training wizard. */
  label: string;
  description?: string;
  /**
   * Absolute path to a CommonJS module that the engine worker `require`s. A loss provider's
   * module exports `createLoss(tf, options)`; a feature provider's exports `createFeature(tf, options)`.
   */
  modulePath: string;
  /** JSON options passed to the factory (a run's own options are merged over them). */
  defaultOptions?: object;
}

/** `interrupted`: its process died while running; resumable. */
export type BusLabRunStatus = 'running' | 'finished' | 'failed' | 'cancelled' | 'interrupted';

export interface BusLabMetricSummary {
  n: number;
  mean: number;
  median: number;
  std: number;
  ci95: [number, number];
}

export interface BusLabRunSummary {
  id: string;
  /** Absolute path of the run folder. */
  dir: string;
  name: string;
  method: string;
  status: BusLabRunStatus;
  /** ISO 8601. */
  createdAt: string;
  bestValDice?: number;
  epochsCompleted: number;
  epochs: number;
  /** External validation results, one per evaluated dataset. */
  external: { dataset: string; slug: string; dice?: BusLabMetricSummary; auc?: number }[];
}

/** Training settings; every field is optional in `train()` and defaults from the busLab.train.* settings. */
export interface BusLabTrainConfig {
  /** `single`, `mtl`, `birads`, or a registered loss provider id (multi-task plus that loss). */
  method: string;
  /** Dataset spec, e.g. `busi:/data/BUSI` or `synthetic:site-a?count=16`. */
  train: string;
  /** Dataset specs evaluated after training. */
  external: string[];
  epochs: number;
  imageSize: number;
  batchSize: number;
  baseWidth: number;
  learningRate: number;
  alpha: number;
  lambda: number;
  /** Epochs over which the consistency weight ramps from 0 to lambda (0: full weight at once). */
  consistencyWarmupEpochs: number;
  /** phi's initial weights: 'unit' (all 1, bias 0) or 'calibrated' on the training split's true masks. */
  phiInit: 'unit' | 'calibrated';
  /** Learning rate of phi's weights and bias; absent: the network's. */
  phiLearningRate?: number;
  /** Weight of BCE(phi(features of the true mask), label) (0: off). */
  phiSupervision: number;
  /** Whether the consistency term's gradient reaches the mask (false: stop-gradient features). */
  maskGradient: boolean;
  seed: number;
  /** Seed of the validation split; absent: `seed`. */
  splitSeed?: number;
  validationSplit: number;
  earlyStoppingPatience: number;
  /** Feature provider ids (built-in or registered). */
  features: string[];
  /** Extra loss terms by provider id. */
  extraLosses: { id: string; weight: number; options?: Record<string, unknown> }[];
  plugins: { modulePath: string; source?: string }[];
  backend: 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
  nativeModulesPath?: string;
  /** 'auto' (default), 'off', or the path of a bus-lab-accelerator.node. */
  accelerator?: string;
  augment: boolean;
  excludeNormal: boolean;
  cacheDir?: string;
  limit?: number;
  name?: string;
}

export interface BusLabApi {
  readonly apiVersion: 1;
  /** Throws on a malformed descriptor or an id that is already registered. Dispose to unregister. */
  registerLossProvider(provider: BusLabProviderDescriptor): Disposable;
  registerFeatureProvider(provider: BusLabProviderDescriptor): Disposable;
  /** Fires when any provider is registered, unregistered, declared or removed. */
  readonly onDidChangeProviders: Event<void>;
  /** The runs in the runs folder, newest first. */
  getRuns(): Promise<BusLabRunSummary[]>;
  /** Fires when a run is created, updated or deleted (also by the CLI). */
  readonly onDidChangeRuns: Event<void>;
  /**
   * Starts a training run (refused while another runs, and in untrusted workspaces). Resolves
   * once the run folder exists; `finished` resolves when it ends (finished or cancelled) and
   * rejects when it fails.
   */
  train(config: Partial<BusLabTrainConfig>): Promise<{ runId: string; finished: Promise<BusLabRunSummary> }>;
}

// ------------------------------------------------------------------ plugin module contract
// Types for the CommonJS module named by `modulePath`. `tf` is the engine's own TensorFlow.js
// namespace (@tensorflow/tfjs-core API); tensors are typed loosely so this file needs no tfjs types.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Tensor = any;

export interface BusLabLossBatch {
  /** [B, S, S, 1] grey image in [0, 1]. */
  image: Tensor;
  /** [B, S, S, 1] true lesion mask in {0, 1}. */
  mask: Tensor;
  /** [B] 1 for malignant, 0 otherwise. */
  label: Tensor;
  /** [B] 1 where the image has a benign/malignant label. */
  hasLabel: Tensor;
}

export interface BusLabLossOutputs {
  /** [B, S, S, 1] predicted lesion probability. */
  seg: Tensor;
  /** [B] predicted malignancy probability (multi-task models). */
  pMalignant?: Tensor;
}

export interface BusLabLossContext {
  epoch: number;
  step: number;
  /** BI-RADS feature values of the predicted soft mask by feature id, each [B]. */
  features: Record<string, Tensor>;
}

export interface BusLabLossModule {
  /** Returns the loss: a scalar tensor, differentiable with respect to `outputs`. */
  createLoss(tf: Tensor, options: Record<string, unknown>): (batch: BusLabLossBatch, outputs: BusLabLossOutputs, context: BusLabLossContext) => Tensor;
}

export interface BusLabFeatureModule {
  /** Returns a feature: soft mask [B, S, S, 1] and image [B, S, S, 1] → [B] values. */
  createFeature(tf: Tensor, options: Record<string, unknown>): (softMask: Tensor, image: Tensor) => Tensor;
}
