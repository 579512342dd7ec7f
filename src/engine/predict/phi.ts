/**
 * phi, the BI-RADS prior a `birads` run learned: sigmoid(sum_k w_k (f_k - mu_k) / sigma_k + b),
 * from the best checkpoint's consistency-loss weights and the training set's feature
 * normalisation (src/engine/losses/biradsConsistency.ts), evaluated on plain numbers.
 */
import type { CheckpointManifest } from '../model/checkpoint';
import type { Tensor } from '../tf';

export interface PhiModel {
  featureIds: string[];
  weights: number[];
  bias: number;
  normalisation: Record<string, { mean: number; std: number }>;
}

/** The consistency term's variables are saved as `loss/consistency/0` (weights) and `/1` (bias). */
const WEIGHTS = 'loss/consistency/0';
const BIAS = 'loss/consistency/1';

/** The run's phi, or undefined when the run learned none (single, mtl, plugin methods). */
export function phiModelFrom(manifest: CheckpointManifest<unknown>, tensors: Map<string, Tensor>, featureIds: readonly string[]): PhiModel | undefined {
  const w = tensors.get(WEIGHTS);
  const b = tensors.get(BIAS);
  if (!w || !b || w.size !== featureIds.length || b.size !== 1) return undefined;
  const normalisation = (manifest.state.featureNormalisation ?? {}) as PhiModel['normalisation'];
  return { featureIds: [...featureIds], weights: Array.from(w.dataSync()), bias: b.dataSync()[0], normalisation };
}

/** phi of one mask's feature values; undefined when a feature is missing. */
export function computePhiValue(model: PhiModel, features: Record<string, number | undefined>): number | undefined {
  let logit = model.bias;
  for (let k = 0; k < model.featureIds.length; k++) {
    const id = model.featureIds[k];
    const f = features[id];
    if (f === undefined || !Number.isFinite(f)) return undefined;
    const n = model.normalisation[id] ?? { mean: 0, std: 1 };
    // The same floor on sigma as the loss (computePhi).
    logit += model.weights[k] * ((f - n.mean) / Math.max(n.std, 1e-3));
  }
  return 1 / (1 + Math.exp(-logit));
}
