import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { builtinFeatureProviders } from '../../src/engine/features';
import { computeMaskFeatures } from '../../src/engine/features/maskFeatures';
import { biradsConsistencyLoss } from '../../src/engine/losses/biradsConsistency';
import { segmentationLoss } from '../../src/engine/losses/segmentation';
import { toLossInstance } from '../../src/engine/plugins/providers';
import { readMetrics } from '../../src/engine/runs/metricsFile';
import type { Tensor, Tensor1D, Tensor4D } from '../../src/engine/tf';
import { measureInstruments } from '../../src/engine/train/instruments';
import { runTraining } from '../../src/engine/train/trainer';
import type { MetricsRecord, Sample, TrainConfig } from '../../src/engine/types';
import { disc, star } from '../helpers/shapes';
import { engineTf } from '../helpers/tf';

const S = 64;
const IDS = builtinFeatureProviders.map((p) => p.id);

/** Gradients of the consistency loss with respect to the soft mask and to p, with the mask gradient on or off. */
async function consistencyGradients(maskGradient: boolean): Promise<{ mask: Float32Array; p: Float32Array; loss: number }> {
  const tf = await engineTf();
  const fns = builtinFeatureProviders.map((p) => ({ id: p.id, fn: p.create(tf, {}) }));
  const loss = toLossInstance(biradsConsistencyLoss.create(tf, { featureIds: IDS, normalisation: {} }));
  const masks = new Float32Array(2 * S * S);
  masks.set(disc(S, 14), 0);
  masks.set(star(S, 14), S * S);
  const seg = tf.tensor4d(masks.map((v) => 0.1 + 0.8 * v), [2, S, S, 1]) as Tensor4D;
  const p = tf.tensor1d([0.3, 0.6]) as Tensor1D;
  const batch = { image: seg, mask: seg, label: tf.tensor1d([0, 1]) as Tensor1D, hasLabel: tf.tensor1d([1, 1]) as Tensor1D };
  const f = (m: Tensor, q: Tensor) =>
    loss.compute(batch, { seg: m as Tensor4D, pMalignant: q as Tensor1D }, { epoch: 1, step: 1, features: computeMaskFeatures(tf, fns, m as Tensor4D, m as Tensor4D, maskGradient) });
  const { value, grads } = tf.valueAndGrads(f)([seg, p]);
  const out = { mask: (await grads[0].data()) as Float32Array, p: (await grads[1].data()) as Float32Array, loss: (await value.data())[0] };
  tf.dispose([value, ...grads, seg, p, batch.label, batch.hasLabel]);
  loss.dispose?.();
  return out;
}

test('--mask-gradient off: exactly zero gradient into the mask, and the same loss and gradient into p', async () => {
  const on = await consistencyGradients(true);
  const off = await consistencyGradients(false);
  assert.ok(on.mask.some((v) => v !== 0), 'with the mask gradient on, the term pulls on the mask');
  assert.ok(off.mask.every((v) => v === 0), 'with it off, not one mask pixel gets a gradient');
  assert.equal(off.loss, on.loss);
  assert.deepEqual(Array.from(off.p), Array.from(on.p));
  assert.ok(on.p.some((v) => v !== 0));
});

const tiny: Partial<TrainConfig> = {
  train: 'synthetic:site-a?count=40',
  external: [],
  imageSize: 32,
  baseWidth: 8,
  batchSize: 8,
  learningRate: 3e-3,
  epochs: 2,
  backend: 'wasm',
  method: 'birads',
  phiInit: 'calibrated',
};

const epochRecords = (m: MetricsRecord[]) => m.filter((r): r is Extract<MetricsRecord, { type: 'epoch' }> => r.type === 'epoch');

/** Largest move of phi's weights and bias from their calibrated start over a short training. */
async function phiDrift(extra: Partial<TrainConfig>) {
  const runsDir = mkdtempSync(join(tmpdir(), 'bus-lab-phi-'));
  const record = await runTraining({ ...tiny, ...extra }, { runsDir });
  assert.equal(record.status, 'finished', record.error);
  const start = record.phiCalibration!;
  const epochs = epochRecords((await readMetrics(join(runsDir, record.id))).records);
  const end = epochs.at(-1)!.featureWeights!;
  const drift = Math.max(Math.abs(end.bias - start.bias), ...Object.keys(start.weights).map((id) => Math.abs(end[id] - start.weights[id])));
  return { record, epochs, drift };
}

test('a calibrated phi is recorded in run.json, and --phi-lr makes w and b move measurably', async () => {
  const fast = await phiDrift({ phiLearningRate: 0.05, phiSupervision: 0.5 });
  const cal = fast.record.phiCalibration!;
  assert.equal(cal.init, 'calibrated');
  assert.ok(cal.trainAuc !== undefined && cal.trainAuc > 0.5, `calibration AUC ${cal.trainAuc}`);
  assert.ok(cal.weights.shapeIrregularity !== 1, 'calibrated weights differ from the unit start');
  assert.ok('phiSupervision' in fast.epochs[0].losses, 'the phi supervision term is logged');
  const slow = await phiDrift({});
  assert.ok(fast.drift > 0.1, `phi moved only ${fast.drift} at phiLearningRate 0.05`);
  assert.ok(fast.drift > 3 * slow.drift, `drift ${fast.drift} with its own rate vs ${slow.drift} at the network's`);
  // The instruments are recorded every epoch.
  const ins = fast.epochs[1].instruments!;
  assert.ok(ins.featureBias?.benign && 'marginIrregularity' in ins.featureBias.benign);
  assert.ok(Number.isFinite(ins.maskGradientRatio) && Number.isFinite(ins.phiAucTrue));
});

/** The instruments on hand-made validation masks: discs for benign, stars for malignant. */
async function instrumentsOn(maskGradient: boolean) {
  const tf = await engineTf();
  const fns = builtinFeatureProviders.map((p) => ({ id: p.id, fn: p.create(tf, {}) }));
  const consistency = toLossInstance(biradsConsistencyLoss.create(tf, { featureIds: IDS, normalisation: {} }));
  const segmentation = toLossInstance(segmentationLoss.create(tf, {}));
  const val: Sample[] = [0, 1, 2, 3].map((i) => {
    const truth = i % 2 ? star(S, 12 + i) : disc(S, 12 + i);
    return { id: `v${i}`, patientId: `v${i}`, label: i % 2 ? 'malignant' : 'benign', size: S, image: truth, mask: Uint8Array.from(truth) } as Sample;
  });
  const seg = new Float32Array(4 * S * S);
  // Predictions: exactly the true stars for the malignant images, softened larger discs for the benign ones.
  val.forEach((s, i) => (i % 2 ? star(S, 12 + i) : disc(S, 14 + i)).forEach((v, j) => (seg[i * S * S + j] = i % 2 ? v : 0.05 + 0.9 * v)));
  const out = await measureInstruments({
    tf,
    val,
    seg,
    pMalignant: Float32Array.from([0.2, 0.7, 0.4, 0.9]),
    size: S,
    featureFns: fns,
    segmentation,
    consistency: { instance: consistency, weight: 0.5, maskGradient },
  });
  consistency.dispose?.();
  return out;
}

test('instruments: phi AUC on predicted and true masks, the mask-gradient ratio (0 when off), per-class feature drift', async () => {
  const { instruments: on, phiByImage } = await instrumentsOn(true);
  const { instruments: off } = await instrumentsOn(false);
  assert.ok(on.maskGradientRatio! > 0, `ratio ${on.maskGradientRatio}`);
  assert.equal(off.maskGradientRatio, 0);
  // Unit phi ranks stars above discs on the true masks.
  assert.equal(on.phiAucTrue, 1);
  assert.ok(on.phiAucPredicted !== undefined);
  // Malignant predictions are the truth: no drift. Benign ones are not: some drift.
  assert.deepEqual(on.featureBias?.malignant, Object.fromEntries(IDS.map((id) => [id, 0])));
  assert.ok(Object.values(on.featureBias?.benign ?? {}).some((v) => Math.abs(v) > 1e-3), JSON.stringify(on.featureBias?.benign));
  // phi of every predicted mask, for the dashboard's scatter.
  assert.equal(phiByImage?.length, 4);
  assert.ok(phiByImage!.every((v) => v > 0 && v < 1));
});

test('with the mask gradient off a training run records a ratio of 0, and mtl runs still get the feature drift', async () => {
  const off = await phiDrift({ maskGradient: false });
  assert.equal(off.epochs[0].instruments?.maskGradientRatio, 0);
  const runsDir = mkdtempSync(join(tmpdir(), 'bus-lab-phi-'));
  const mtl = await runTraining({ ...tiny, method: 'mtl', epochs: 1 }, { runsDir });
  const epochs = epochRecords((await readMetrics(join(runsDir, mtl.id))).records);
  assert.ok(epochs[0].instruments?.featureBias, 'feature drift measured for mtl');
  assert.equal(epochs[0].instruments?.maskGradientRatio, undefined);
  assert.equal(mtl.phiCalibration, undefined);
});
