/**
 * Instruments of the consistency method, measured on the validation split after each epoch
 * (docs/METHOD.md, "Instruments"): what phi knows from predicted versus true masks, how hard the
 * consistency term pulls on the mask relative to the segmentation loss, and in which direction the
 * predicted masks' morphology drifts from the truth, per class. They explain a result; they never
 * steer training.
 */
import { computeMaskFeatures, NamedFeatureFunction } from '../features/maskFeatures';
import type { LossInstance } from '../plugins/providers';
import { aucMannWhitney, mean } from '../stats';
import type { Scalar, Tensor, Tensor1D, Tensor4D, TF } from '../tf';
import type { EpochInstruments, Sample } from '../types';

export interface InstrumentInputs {
  tf: TF;
  val: readonly Sample[];
  /** Predicted soft masks of `val`, [n, S, S, 1] flattened. */
  seg: Float32Array;
  /** Predicted malignancy of `val` (NaN without a classifier). */
  pMalignant: Float32Array;
  size: number;
  featureFns: readonly NamedFeatureFunction[];
  /** The segmentation loss, and the consistency loss with its current weight (birads runs). */
  segmentation?: LossInstance;
  consistency?: { instance: LossInstance; weight: number; maskGradient: boolean };
}

export interface InstrumentResult {
  instruments: EpochInstruments;
  /** phi of each validation image's predicted mask (NaN for normal images); with a consistency loss. */
  phiByImage?: Float32Array;
}

export async function measureInstruments(inputs: InstrumentInputs): Promise<InstrumentResult> {
  const { tf, val, seg, size, featureFns } = inputs;
  const px = size * size;
  const lesions = val.map((s, i) => ({ s, i })).filter((x) => x.s.label !== 'normal');
  const out: EpochInstruments = {};
  let phiByImage: Float32Array | undefined;
  if (lesions.length === 0 || featureFns.length === 0) return { instruments: out };
  const n = lesions.length;
  const predicted = new Float32Array(n * px);
  const truth = new Float32Array(n * px);
  lesions.forEach(({ s, i }, k) => {
    predicted.set(seg.subarray(i * px, (i + 1) * px), k * px);
    for (let j = 0; j < px; j++) truth[k * px + j] = s.mask[j];
  });
  const malignant = lesions.map(({ s }) => s.label === 'malignant');
  const predT = tf.tensor4d(predicted, [n, size, size, 1]) as Tensor4D;
  const trueT = tf.tensor4d(truth, [n, size, size, 1]) as Tensor4D;
  try {
    const [fPred, fTrue] = await Promise.all([featureArrays(tf, featureFns, predT), featureArrays(tf, featureFns, trueT)]);
    // Drift of the predicted masks' morphology from the truth, per class.
    const bias: NonNullable<EpochInstruments['featureBias']> = {};
    for (const cls of ['benign', 'malignant'] as const) {
      const rows = lesions.map((_, k) => k).filter((k) => malignant[k] === (cls === 'malignant'));
      if (rows.length === 0) continue;
      bias[cls] = Object.fromEntries(featureFns.map(({ id }) => [id, mean(rows.map((k) => fPred[id][k] - fTrue[id][k]))]));
    }
    out.featureBias = bias;

    const consistency = inputs.consistency;
    if (consistency?.instance.phi) {
      const phiOf = async (f: Record<string, Float32Array>) => {
        const t = tf.tidy(() => consistency.instance.phi!(Object.fromEntries(Object.entries(f).map(([id, v]) => [id, tf.tensor1d(v) as Tensor1D]))));
        const values = Array.from(await t.data());
        t.dispose();
        return values;
      };
      const phiPredicted = await phiOf(fPred);
      phiByImage = new Float32Array(val.length).fill(NaN);
      lesions.forEach(({ i }, k) => (phiByImage![i] = phiPredicted[k]));
      if (malignant.some(Boolean) && malignant.some((m) => !m)) {
        out.phiAucPredicted = aucMannWhitney(phiPredicted, malignant);
        out.phiAucTrue = aucMannWhitney(await phiOf(fTrue), malignant);
      }
    }
    if (consistency && inputs.segmentation) out.maskGradientRatio = await gradientRatio(inputs, consistency, lesions.map((x) => x.i), predT, trueT);
  } finally {
    predT.dispose();
    trueT.dispose();
  }
  return { instruments: out, phiByImage };
}

async function featureArrays(tf: TF, featureFns: readonly NamedFeatureFunction[], m: Tensor4D): Promise<Record<string, Float32Array>> {
  const out: Record<string, Float32Array> = {};
  for (const { id, fn } of featureFns) {
    const t = tf.tidy(() => fn(m, m));
    out[id] = (await t.data()) as Float32Array;
    t.dispose();
  }
  return out;
}

/**
 * ||d(w_cons L_cons)/dM|| / ||d(L_seg)/dM|| at the predicted masks of the validation lesions,
 * with p held at the classifier's prediction: the pull of each term on the mask itself.
 */
async function gradientRatio(
  inputs: InstrumentInputs,
  consistency: NonNullable<InstrumentInputs['consistency']>,
  rows: number[],
  predT: Tensor4D,
  trueT: Tensor4D,
): Promise<number | undefined> {
  const { tf, val, pMalignant, featureFns } = inputs;
  if (rows.some((i) => !Number.isFinite(pMalignant[i]))) return undefined;
  const ratio = tf.tidy(() => {
    const batch = {
      image: predT,
      mask: trueT,
      label: tf.tensor1d(rows.map((i) => (val[i].label === 'malignant' ? 1 : 0))) as Tensor1D,
      hasLabel: tf.ones([rows.length]) as Tensor1D,
    };
    const p = tf.tensor1d(rows.map((i) => pMalignant[i])) as Tensor1D;
    const ctx = { epoch: 0, step: 0, features: {} };
    const gSeg = tf.grad((m: Tensor) => inputs.segmentation!.compute(batch, { seg: m as Tensor4D, pMalignant: p }, ctx) as Scalar)(predT);
    const gCons = tf.grad((m: Tensor) => {
      const features = computeMaskFeatures(tf, featureFns, m as Tensor4D, m as Tensor4D, consistency.maskGradient);
      return tf.mul(consistency.instance.compute(batch, { seg: m as Tensor4D, pMalignant: p }, { ...ctx, features }), consistency.weight) as Scalar;
    })(predT);
    return tf.div(tf.norm(gCons), tf.add(tf.norm(gSeg), 1e-12));
  });
  const value = (await ratio.data())[0];
  ratio.dispose();
  return Number.isFinite(value) ? value : undefined;
}
