/**
 * Per-image segmentation metrics on binary masks (row-major, non-zero = lesion).
 *
 * Empty masks are handled explicitly, never as 0/0:
 *   - both empty (a normal image predicted normal): Dice, IoU, precision, recall and HD95 are
 *     undefined; the image counts only in the false-positive statistics of normal images;
 *   - truth empty, prediction not (false alarm on a normal image): Dice = IoU = 0, precision = 0,
 *     recall undefined, HD95 undefined; falsePositiveArea = predicted area;
 *   - truth present, prediction empty (missed lesion): Dice = IoU = 0, recall = 0, precision
 *     undefined (no predicted pixels), HD95 undefined.
 */
import { hausdorff95 } from './surfaceDistance';

export interface SegmentationMetrics {
  truthArea: number;
  predictedArea: number;
  intersection: number;
  dice?: number;
  iou?: number;
  precision?: number;
  recall?: number;
  /** Symmetric 95th-percentile Hausdorff distance between boundaries, in pixels. */
  hd95Px?: number;
  /** The same in millimetres, when the pixel size is known. */
  hd95Mm?: number;
  /** Predicted pixels outside the true mask. */
  falsePositiveArea: number;
}

function checkMask(mask: ArrayLike<number>, width: number, height: number, what: string): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new Error(`${what}: invalid size ${width}x${height}`);
  }
  if (mask.length !== width * height) throw new Error(`${what}: ${mask.length} pixels for a ${width}x${height} image`);
}

/** Overlap counts of two binary masks. */
export function overlap(truth: ArrayLike<number>, predicted: ArrayLike<number>): { truthArea: number; predictedArea: number; intersection: number } {
  let truthArea = 0;
  let predictedArea = 0;
  let intersection = 0;
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i] ? 1 : 0;
    const p = predicted[i] ? 1 : 0;
    truthArea += t;
    predictedArea += p;
    intersection += t & p;
  }
  return { truthArea, predictedArea, intersection };
}

export function scoreMasks(
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
  width: number,
  height: number,
  pixelSizeMm?: number,
): SegmentationMetrics {
  checkMask(truth, width, height, 'true mask');
  checkMask(predicted, width, height, 'predicted mask');
  if (pixelSizeMm !== undefined && !(pixelSizeMm > 0)) throw new Error(`pixel size must be a positive number of mm (got ${pixelSizeMm})`);
  const { truthArea, predictedArea, intersection } = overlap(truth, predicted);
  const out: SegmentationMetrics = { truthArea, predictedArea, intersection, falsePositiveArea: predictedArea - intersection };
  const union = truthArea + predictedArea - intersection;
  if (union > 0) {
    out.dice = (2 * intersection) / (truthArea + predictedArea);
    out.iou = intersection / union;
  }
  if (predictedArea > 0) out.precision = intersection / predictedArea;
  if (truthArea > 0) out.recall = intersection / truthArea;
  if (truthArea > 0 && predictedArea > 0) {
    out.hd95Px = hausdorff95(truth, predicted, width, height);
    if (out.hd95Px !== undefined && pixelSizeMm !== undefined) out.hd95Mm = out.hd95Px * pixelSizeMm;
  }
  return out;
}

/** Binarises a probability map: lesion where p >= threshold (default 0.5). */
export function binarize(probabilities: ArrayLike<number>, threshold = 0.5): Uint8Array {
  const out = new Uint8Array(probabilities.length);
  for (let i = 0; i < probabilities.length; i++) out[i] = probabilities[i] >= threshold ? 1 : 0;
  return out;
}
