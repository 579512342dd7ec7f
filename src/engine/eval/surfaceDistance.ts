/**
 * Boundary-based distances between two binary masks. The boundary of a mask is its foreground
 * pixels that touch the background through a 4-neighbour (pixels on the image border count as
 * touching it), i.e. the mask minus its erosion, as in medpy and MONAI.
 */
import { quantileSorted } from '../stats/descriptive';
import { squaredDistanceTransform } from './distanceTransform';

export function boundaryMask(mask: ArrayLike<number>, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (!mask[i]) continue;
      const edge =
        x === 0 || y === 0 || x === width - 1 || y === height - 1 || !mask[i - 1] || !mask[i + 1] || !mask[i - width] || !mask[i + width];
      if (edge) out[i] = 1;
    }
  }
  return out;
}

/** Distances (pixels) from every boundary pixel of `from` to the nearest boundary pixel of `to`. */
export function directedBoundaryDistances(fromBoundary: Uint8Array, toBoundary: Uint8Array, width: number, height: number): Float64Array {
  const squared = squaredDistanceTransform(toBoundary, width, height);
  const out: number[] = [];
  for (let i = 0; i < fromBoundary.length; i++) if (fromBoundary[i]) out.push(Math.sqrt(squared[i]));
  return Float64Array.from(out);
}

/**
 * Symmetric 95th-percentile Hausdorff distance in pixels: the larger of the two directed 95th
 * percentiles of boundary-to-boundary distances (MONAI's `compute_hausdorff_distance` with
 * percentile=95; percentiles interpolate linearly, as numpy). Undefined when either mask is
 * empty: there is no boundary to measure from.
 */
export function hausdorff95(a: ArrayLike<number>, b: ArrayLike<number>, width: number, height: number): number | undefined {
  // Both boundaries lie inside the two masks' common bounding box (the extreme pixels of a mask are
  // boundary pixels, so it is also the boundaries' box), and distances measured within it are the
  // same as over the whole image; lesions are small, and this makes HD95 at the original resolution
  // several times cheaper (an evaluation of BUSI spent 13% of its time in the transform).
  const box = boundingBox([a, b], width, height);
  if (!box) return undefined;
  const ca = boundaryInBox(a, box, width, height);
  const cb = boundaryInBox(b, box, width, height);
  if (!ca.some((v) => v) || !cb.some((v) => v)) return undefined;
  const ab = directedBoundaryDistances(ca, cb, box.width, box.height).sort();
  const ba2 = directedBoundaryDistances(cb, ca, box.width, box.height).sort();
  return Math.max(quantileSorted(ab, 0.95), quantileSorted(ba2, 0.95));
}

interface Box {
  x0: number;
  y0: number;
  width: number;
  height: number;
}

/** The smallest box holding every non-zero pixel of all `masks`. */
function boundingBox(masks: ArrayLike<number>[], width: number, height: number): Box | undefined {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (const mask of masks) {
    for (let y = 0; y < height; y++) {
      const row = y * width;
      for (let x = 0; x < width; x++) {
        if (!mask[row + x]) continue;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return undefined;
  return { x0, y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/** boundaryMask of the whole image, cropped to `box` (neighbours are read from the whole image, so the crop's edges change nothing). */
function boundaryInBox(mask: ArrayLike<number>, box: Box, width: number, height: number): Uint8Array {
  const out = new Uint8Array(box.width * box.height);
  for (let cy = 0; cy < box.height; cy++) {
    const y = box.y0 + cy;
    for (let cx = 0; cx < box.width; cx++) {
      const x = box.x0 + cx;
      const i = y * width + x;
      if (!mask[i]) continue;
      const edge =
        x === 0 || y === 0 || x === width - 1 || y === height - 1 || !mask[i - 1] || !mask[i + 1] || !mask[i - width] || !mask[i + width];
      if (edge) out[cy * box.width + cx] = 1;
    }
  }
  return out;
}
