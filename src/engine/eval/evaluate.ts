/**
 * Evaluates a trained model on one dataset and writes `<run>/eval/<slug>/`: per_image.csv,
 * summary.json and the gallery PNGs (see docs/ARCHITECTURE.md, docs/STATISTICS.md).
 *
 * The model predicts at the working size; each probability map is resized (bilinear) back to the
 * image's original size and thresholded at 0.5 there, so metrics are comparable across models
 * trained at different sizes and with published numbers. BI-RADS features are computed on the true
 * and predicted masks at the working size, where the training loss sees them.
 */
import { isAbsolute, join, relative, sep } from 'node:path';
import { BUILTIN_FEATURE_IDS, computeFeatureValues } from '../features';
import type { Predictor } from '../model/predictor';
import { computePhiValue, type PhiModel } from '../predict/phi';
import { clearEvaluationResults, writeEvaluationResults } from '../runs/evaluationFolder';
import type { TF } from '../tf';
import type { LoadedDataset, Sample } from '../types';
import type { EvaluationSummary, PerImageResult } from './evaluationTypes';
import { SafeFileNames } from './fileNames';
import { writeGalleryImages } from './galleryImages';
import { binarize, scoreMasks } from './metrics';
import { PngCache } from './pngCache';
import { resampleBilinear } from '../data/image/resize';
import { summarizeEvaluation } from './summarize';

export interface EvaluateOptions {
  tf: TF;
  predictor: Predictor;
  dataset: LoadedDataset;
  /** `<run>/eval/<slug>`. */
  outDir: string;
  /** Classification threshold chosen on internal validation (default 0.5). */
  threshold?: number;
  /** Seed of the bootstrap CIs (default 0). */
  seed?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** Images per prediction batch (default 8). */
  batchSize?: number;
  /** BI-RADS features to compute (default the four built-in ones; [] for none). */
  featureIds?: readonly string[];
  /** Bootstrap resamples (default 2000). */
  resamples?: number;
  /** Write the gallery PNGs (default true). */
  writeImages?: boolean;
  /** The run's learned phi (birads runs): each row gets phi of its predicted and its true mask. */
  phi?: PhiModel;
  /** Cache folder (the data cache's): gallery PNGs that do not depend on the model are encoded once, in `gallery-png/`. */
  cacheDir?: string;
  /** Provenance copied into summary.json (evaluateRun fills it). */
  provenance?: Pick<EvaluationSummary, 'checkpoint' | 'data'>;
}

export interface DatasetEvaluation {
  outDir: string;
  /** False when cancelled through the signal: nothing but PNGs was written. */
  complete: boolean;
  rows: PerImageResult[];
  /** The contents of summary.json (absent when cancelled). */
  summary?: EvaluationSummary;
}

const PREDICTED_THRESHOLD = 0.5;

function pixelSizeOf(sample: Sample): number | undefined {
  const v = sample.meta.pixelSizeMm;
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
}

function isEmpty(mask: ArrayLike<number>, start: number, length: number): boolean {
  for (let i = start; i < start + length; i++) if (mask[i]) return false;
  return true;
}

/** Feature values of the true and predicted working-size masks of one batch. */
async function batchFeatures(
  tf: TF,
  batch: readonly Sample[],
  seg: Float32Array,
  size: number,
  featureIds: readonly string[],
): Promise<{ truth: Record<string, Float32Array>; pred: Record<string, Float32Array>; truthMasks: Float32Array; predMasks: Float32Array }> {
  const px = size * size;
  const truthMasks = new Float32Array(batch.length * px);
  batch.forEach((s, i) => truthMasks.set(s.mask, i * px));
  const predMasks = Float32Array.from(binarize(seg, PREDICTED_THRESHOLD));
  if (featureIds.length === 0) return { truth: {}, pred: {}, truthMasks, predMasks };
  const truth = await computeFeatureValues(tf, truthMasks, batch.length, size, featureIds);
  const pred = await computeFeatureValues(tf, predMasks, batch.length, size, featureIds);
  return { truth, pred, truthMasks, predMasks };
}

export async function evaluateDataset(opts: EvaluateOptions): Promise<DatasetEvaluation> {
  const { tf, predictor, dataset, outDir } = opts;
  const size = predictor.size;
  const px = size * size;
  const batchSize = opts.batchSize ?? 8;
  const featureIds = opts.featureIds ?? BUILTIN_FEATURE_IDS;
  const threshold = opts.threshold ?? 0.5;
  const seed = opts.seed ?? 0;
  const items = dataset.items;
  for (const s of items) {
    if (s.size !== size) throw new Error(`${dataset.name}: image '${s.id}' is ${s.size}x${s.size} but the model works at ${size}x${size}`);
  }
  await clearEvaluationResults(outDir);

  const pngCache = opts.cacheDir ? new PngCache(join(opts.cacheDir, 'gallery-png')) : undefined;
  const names = new SafeFileNames();
  const rows: PerImageResult[] = [];
  opts.onProgress?.(0, items.length);
  for (let start = 0; start < items.length; start += batchSize) {
    if (opts.signal?.aborted) return { outDir, complete: false, rows };
    const batch = items.slice(start, start + batchSize);
    const images = new Float32Array(batch.length * px);
    batch.forEach((s, i) => images.set(s.image, i * px));
    const { seg, pMalignant } = await predictor.predict(images, batch.length);
    const features = await batchFeatures(tf, batch, seg, size, featureIds);

    for (let i = 0; i < batch.length; i++) {
      const sample = batch[i];
      const full = await dataset.readFullResolution(sample.id);
      const { width, height } = full;
      if (full.image.length !== width * height || full.mask.length !== width * height) {
        throw new Error(`${dataset.name}: image '${sample.id}' at full resolution has ${full.image.length} pixels and a ${full.mask.length}-pixel mask for ${width}x${height}`);
      }
      const probability = resampleBilinear(seg.subarray(i * px, (i + 1) * px), size, size, width, height);
      const predicted = binarize(probability, PREDICTED_THRESHOLD);
      const pixelSizeMm = pixelSizeOf(sample);
      const m = scoreMasks(full.mask, predicted, width, height, pixelSizeMm);
      const file = names.nameFor(sample.id);
      const truthEmpty = isEmpty(features.truthMasks, i * px, px);
      const predEmpty = isEmpty(features.predMasks, i * px, px);
      const row: PerImageResult = {
        id: sample.id,
        file,
        label: sample.label,
        patientId: sample.patientId,
        width,
        height,
        ...(pixelSizeMm !== undefined ? { pixelSizeMm } : {}),
        truthArea: m.truthArea,
        predictedArea: m.predictedArea,
        falsePositiveArea: m.falsePositiveArea,
        features: {},
      };
      const source = sourceInDataset(dataset.path, sample.meta.imagePath);
      if (source !== undefined) row.source = source;
      if (m.dice !== undefined) row.dice = m.dice;
      if (m.iou !== undefined) row.iou = m.iou;
      if (m.hd95Px !== undefined) row.hd95 = m.hd95Px;
      if (m.hd95Mm !== undefined) row.hd95Mm = m.hd95Mm;
      if (m.precision !== undefined) row.precision = m.precision;
      if (m.recall !== undefined) row.recall = m.recall;
      if (Number.isFinite(pMalignant[i])) row.pMalignant = pMalignant[i];
      for (const id of featureIds) {
        // A feature of an empty mask (0/0 shape measures) means nothing: left undefined.
        const t = features.truth[id]?.[i];
        const p = features.pred[id]?.[i];
        row.features[id] = {
          ...(!truthEmpty && Number.isFinite(t) ? { true: t } : {}),
          ...(!predEmpty && Number.isFinite(p) ? { pred: p } : {}),
        };
      }
      if (opts.phi) {
        const phiPredicted = computePhiValue(opts.phi, Object.fromEntries(featureIds.map((id) => [id, row.features[id]?.pred])));
        const phiTrue = computePhiValue(opts.phi, Object.fromEntries(featureIds.map((id) => [id, row.features[id]?.true])));
        if (phiPredicted !== undefined) row.phiPredicted = phiPredicted;
        if (phiTrue !== undefined) row.phiTrue = phiTrue;
      }
      rows.push(row);
      if (opts.writeImages !== false) {
        await writeGalleryImages(outDir, file, { width, height, image: full.image, truth: full.mask, predicted, probability }, pngCache);
      }
    }
    opts.onProgress?.(Math.min(items.length, start + batch.length), items.length);
  }

  const summary: EvaluationSummary = { ...summarizeEvaluation(dataset, rows, { seed, threshold, imageSize: size, resamples: opts.resamples }), ...opts.provenance };
  await writeEvaluationResults(outDir, rows, summary);
  return { outDir, complete: true, rows, summary };
}

/** The image file relative to the dataset folder (so the host can open the original), or undefined when it lies outside. */
export function sourceInDataset(datasetPath: string | undefined, imagePath: string | undefined): string | undefined {
  if (!datasetPath || !imagePath) return undefined;
  const rel = relative(datasetPath, imagePath);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return undefined;
  return rel.split(sep).join('/');
}
