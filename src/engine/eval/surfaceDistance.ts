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
  const ba = boundaryMask(a, width, height);
  const bb = boundaryMask(b, width, height);
  if (!ba.some((v) => v) || !bb.some((v) => v)) return undefined;
  const ab = directedBoundaryDistances(ba, bb, width, height).sort();
  const ba2 = directedBoundaryDistances(bb, ba, width, height).sort();
  return Math.max(quantileSorted(ab, 0.95), quantileSorted(ba2, 0.95));
}
