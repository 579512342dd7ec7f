/**
 * The BI-RADS consistency loss: phi = sigmoid(sum_k w_k * (f_k - mu_k) / sigma_k + b) from the
 * predicted mask's features, and MSE(p_malignant, phi). w and b are trained with the network.
 * They start at +1 and 0 (an equal vote: a more irregular mask starts out as more malignant) or
 * at weights the trainer calibrated on the training split's true masks (`phiInit`). The optional
 * phi supervision, BCE(phi(features of the true mask), label), keeps phi a calibrated malignancy
 * predictor while the network changes; it reaches w and b only.
 */
import type { LossBatch, LossInstance, LossProvider } from '../plugins/providers';
import type { Scalar, Tensor1D, TF, Variable } from '../tf';
import { binaryCrossEntropy } from './segmentation';

export interface FeatureNormalisation {
  /** Per feature id: mean and standard deviation over the training set's true masks. */
  [featureId: string]: { mean: number; std: number };
}

export interface BiradsConsistencyOptions {
  featureIds: string[];
  normalisation: FeatureNormalisation;
  /** Initial weights by feature id (default 1). */
  initialWeights?: Record<string, number>;
  /** Initial bias (default 0). */
  initialBias?: number;
}

/** The built-in instance: a loss instance plus phi's supervision on true-mask features. */
export interface BiradsConsistencyInstance extends LossInstance {
  variables: Variable[];
  phi: (features: Record<string, Tensor1D>) => Tensor1D;
  /** Mean BCE(phi(features of the true masks), label) over the labelled images of the batch. */
  supervise: (batch: LossBatch, trueMaskFeatures: Record<string, Tensor1D>) => Scalar;
}

export function isBiradsConsistencyInstance(instance: LossInstance): instance is BiradsConsistencyInstance {
  return typeof (instance as Partial<BiradsConsistencyInstance>).supervise === 'function';
}

/** phi for a batch, given feature values and the current weights. */
export function computePhi(tf: TF, features: Record<string, Tensor1D>, featureIds: string[], normalisation: FeatureNormalisation, weights: Tensor1D, bias: Tensor1D): Tensor1D {
  const columns = featureIds.map((id) => {
    const f = features[id];
    if (!f) throw new Error(`feature '${id}' was not computed for the consistency loss`);
    const n = normalisation[id] ?? { mean: 0, std: 1 };
    return tf.div(tf.sub(f, n.mean), Math.max(n.std, 1e-3));
  });
  const stacked = tf.stack(columns, 1); // [B, K]
  const logit = tf.add(tf.reshape(tf.matMul(stacked, tf.reshape(weights, [-1, 1])), [-1]), bias);
  return tf.sigmoid(logit) as Tensor1D;
}

export const biradsConsistencyLoss: LossProvider = {
  id: 'biradsConsistency',
  label: 'BI-RADS consistency',
  description: 'MSE between the malignancy probability and phi, a learned combination of the BI-RADS features of the predicted mask.',
  source: 'builtin',
  needsFeatures: true,
  needsClassifier: true,
  create(tf, rawOptions): BiradsConsistencyInstance {
    const options = rawOptions as unknown as BiradsConsistencyOptions;
    const ids = options.featureIds;
    if (!Array.isArray(ids) || ids.length === 0) throw new Error('biradsConsistency: options.featureIds must name at least one feature');
    const w0 = ids.map((id) => options.initialWeights?.[id] ?? 1);
    const weights = tf.variable(tf.tensor1d(w0), true) as unknown as Tensor1D & import('../tf').Variable;
    const b0 = options.initialBias ?? 0;
    if (!w0.every(Number.isFinite) || !Number.isFinite(b0)) throw new Error('biradsConsistency: initial weights and bias must be finite numbers');
    const bias = tf.variable(tf.tensor1d([b0]), true) as unknown as Tensor1D & import('../tf').Variable;
    const masked = (perImage: Tensor1D, batch: LossBatch) => tf.div(tf.sum(tf.mul(perImage, batch.hasLabel)), tf.add(tf.sum(batch.hasLabel), 1e-6)) as Scalar;
    return {
      variables: [weights, bias],
      phi: (features) => computePhi(tf, features, ids, options.normalisation ?? {}, weights, bias),
      supervise: (batch, trueMaskFeatures) =>
        masked(binaryCrossEntropy(tf, computePhi(tf, trueMaskFeatures, ids, options.normalisation ?? {}, weights, bias), batch.label) as Tensor1D, batch),
      compute: (batch, outputs, context) => {
        if (!outputs.pMalignant) throw new Error('the consistency loss needs a classification head');
        const phi = computePhi(tf, context.features, ids, options.normalisation ?? {}, weights, bias);
        const sq = tf.square(tf.sub(outputs.pMalignant, phi));
        // Images without a lesion have no meaningful morphology; leave them out.
        return masked(sq as Tensor1D, batch);
      },
      describe: () => {
        const w = weights.dataSync();
        const out: Record<string, number> = { bias: bias.dataSync()[0] };
        ids.forEach((id, i) => (out[id] = w[i]));
        return out;
      },
      dispose: () => {
        weights.dispose();
        bias.dispose();
      },
    };
  },
};
