/**
 * Segments unlabelled images with a trained run (`bus-lab predict`, *BUS: Segment Image...*).
 * Each image is prepared exactly as in training (grey, resized to S x S, [0, 1]); the probability
 * map is resized back to the image's size and thresholded at 0.5, as the evaluator does. Writes
 * into outDir: masks/<name>.png (0/255 at the original size), overlays/<name>.png (the image with
 * the lesion tinted and outlined), prob/<name>.png (probabilities as grey 0-255) and
 * predictions.csv. A file that cannot be read is skipped and reported, never fatal.
 */
import { join } from 'node:path';
import { ItemError, oneLine } from '../data/errors';
import { decodeImageFile } from '../data/image/decode';
import { toGrey } from '../data/image/grey';
import { resampleBilinear, resizeImage } from '../data/image/resize';
import { SafeFileNames } from '../eval/fileNames';
import { binarize } from '../eval/metrics';
import { toBytes, writeGreyPng } from '../eval/png';
import { BUILTIN_FEATURE_IDS, computeFeatureValues } from '../features';
import { loadCheckpoint } from '../model/checkpoint';
import { loadPredictor, ModelDescription } from '../model/predictor';
import { writeFileAtomic } from '../runs/atomicWrite';
import { readRunRecord } from '../runs/runFolder';
import type { TF } from '../tf';
import type { InputImage } from './inputImages';
import { encodeRgbPng, renderOverlay } from './overlay';
import { computePhiValue, phiModelFrom, PhiModel } from './phi';
import { formatPredictionsCsv } from './predictionsCsv';
import type { ImagePrediction, PredictionSummary } from './predictionTypes';

export const PREDICTIONS_CSV = 'predictions.csv';
const MASK_THRESHOLD = 0.5;

export interface PredictImagesOptions {
  tf: TF;
  runDir: string;
  images: readonly InputImage[];
  outDir: string;
  /** Classification threshold (default: the one stored with the checkpoint, else 0.5). */
  threshold?: number;
  /** Physical pixel size in mm, for lesion areas in mm² (unknown by default). */
  pixelSizeMm?: number;
  /** Images per network batch (default 8). */
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** Called for each file that is skipped, with a one-line reason. */
  onSkip?: (file: string, reason: string) => void;
}

interface DecodedImage {
  input: InputImage;
  width: number;
  height: number;
  grey: Uint8Array;
  /** S x S in [0, 1]. */
  prepared: Float32Array;
}

async function decode(input: InputImage, size: number): Promise<DecodedImage> {
  const raster = await decodeImageFile(input.path);
  const grey = toGrey(raster);
  return { input, width: raster.width, height: raster.height, grey, prepared: resizeImage(grey, raster.width, raster.height, size) };
}

/** What the run's best checkpoint says beyond the weights: the threshold and phi. */
async function checkpointExtras(tf: TF, runDir: string, featureIds: readonly string[]): Promise<{ threshold?: number; phi?: PhiModel }> {
  const { manifest, tensors } = await loadCheckpoint<ModelDescription>(tf, join(runDir, 'model'));
  try {
    const t = Number(manifest.state.classificationThreshold);
    return { threshold: Number.isFinite(t) ? t : undefined, phi: phiModelFrom(manifest, tensors, featureIds) };
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
}

/** Writes one image's mask, probability map and overlay at its original size; returns its row (no scores yet). */
async function writePrediction(d: DecodedImage, workProbability: Float32Array, size: number, name: string, outDir: string): Promise<ImagePrediction> {
  const probability = resampleBilinear(workProbability, size, size, d.width, d.height);
  const mask = binarize(probability, MASK_THRESHOLD);
  let area = 0;
  const maskBytes = new Uint8Array(mask.length);
  for (let k = 0; k < mask.length; k++) {
    area += mask[k];
    maskBytes[k] = mask[k] ? 255 : 0;
  }
  await writeGreyPng(join(outDir, 'masks', `${name}.png`), maskBytes, d.width, d.height, 'none');
  await writeGreyPng(join(outDir, 'prob', `${name}.png`), toBytes(probability), d.width, d.height, 'paeth');
  await writeFileAtomic(join(outDir, 'overlays', `${name}.png`), encodeRgbPng(renderOverlay(d.grey, mask, d.width, d.height), d.width, d.height), { fsync: false });
  return { file: d.input.file, name, width: d.width, height: d.height, features: {}, lesionAreaPx: area };
}

export async function predictImages(opts: PredictImagesOptions): Promise<PredictionSummary> {
  const started = Date.now();
  const { tf, runDir, images, outDir } = opts;
  const record = await readRunRecord(runDir);
  // phi needs exactly the features the run learned its weights on; the built-in ones are always reported.
  const builtin = BUILTIN_FEATURE_IDS as readonly string[];
  const runFeatures = record.config.method === 'birads' && record.config.features.every((id) => builtin.includes(id)) ? record.config.features : [];
  const extras = await checkpointExtras(tf, runDir, runFeatures);
  const predictor = await loadPredictor(tf, runDir);
  const size = predictor.size;
  const px = size * size;
  const threshold = predictor.hasClassifier ? (opts.threshold ?? extras.threshold ?? 0.5) : undefined;
  const batchSize = opts.batchSize ?? 8;
  const names = new SafeFileNames();
  const rows: ImagePrediction[] = [];
  const skipped: PredictionSummary['skipped'] = [];
  let complete = true;
  let done = 0;
  opts.onProgress?.(0, images.length);
  try {
    for (let start = 0; start < images.length; start += batchSize) {
      if (opts.signal?.aborted) {
        complete = false;
        break;
      }
      const batch: DecodedImage[] = [];
      for (const input of images.slice(start, start + batchSize)) {
        try {
          batch.push(await decode(input, size));
        } catch (err) {
          const reason = err instanceof ItemError ? err.message : `${input.path}: ${oneLine(err)}`;
          skipped.push({ file: input.file, reason });
          opts.onSkip?.(input.file, reason);
        }
      }
      if (batch.length > 0) {
        const x = new Float32Array(batch.length * px);
        batch.forEach((d, i) => x.set(d.prepared, i * px));
        const { seg, pMalignant } = await predictor.predict(x, batch.length);
        const workMasks = Float32Array.from(binarize(seg, MASK_THRESHOLD));
        const features = await computeFeatureValues(tf, workMasks, batch.length, size, builtin);
        for (let i = 0; i < batch.length; i++) {
          const workArea = workMasks.subarray(i * px, (i + 1) * px).reduce((a, b) => a + b, 0);
          // Shape measures of an empty mask (0/0) mean nothing: left empty.
          const featureValues: Record<string, number | undefined> = {};
          for (const id of builtin) featureValues[id] = workArea > 0 && Number.isFinite(features[id][i]) ? features[id][i] : undefined;
          const row = await writePrediction(batch[i], seg.subarray(i * px, (i + 1) * px), size, names.nameFor(batch[i].input.file.replace(/\.[^./]+$/, '')), outDir);
          row.features = featureValues;
          if (threshold !== undefined && Number.isFinite(pMalignant[i])) {
            row.pMalignant = pMalignant[i];
            row.prediction = pMalignant[i] >= threshold ? 'malignant' : 'benign';
            row.threshold = threshold;
          }
          if (extras.phi && workArea > 0) row.phi = computePhiValue(extras.phi, featureValues);
          if (opts.pixelSizeMm !== undefined) row.lesionAreaMm2 = row.lesionAreaPx * opts.pixelSizeMm * opts.pixelSizeMm;
          rows.push(row);
        }
      }
      done += Math.min(batchSize, images.length - start);
      opts.onProgress?.(done, images.length);
    }
  } finally {
    predictor.dispose();
  }
  const csv = join(outDir, PREDICTIONS_CSV);
  await writeFileAtomic(csv, formatPredictionsCsv(rows, builtin));
  return {
    runId: record.id,
    method: record.config.method,
    outDir,
    csv,
    imageSize: size,
    featureIds: [...builtin],
    rows,
    skipped,
    complete,
    seconds: (Date.now() - started) / 1000,
  };
}
