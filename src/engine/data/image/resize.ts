/**
 * The one resampler of image planes, two filters on one separable pass:
 * - `resizePlane` (to the working size): downscaling averages the covered source area (no aliasing
 *   of the speckle); upscaling interpolates bilinearly. Each axis chooses independently, so a
 *   600x400 image sent to 512x512 is averaged across and interpolated down. Masks go through the
 *   same filter and are thresholded at 0.5, so a lesion keeps its area and position.
 * - `resampleBilinear` (a probability map back to the image's original size, the gallery's
 *   display-size pictures): bilinear both ways.
 * Each keeps the rounding it always had (float32 between passes for resizePlane, whose results
 * fill the data cache; float64 until the end for resampleBilinear, whose results are scored), so
 * both return exactly what they returned before they shared this code.
 */

/** For one output index: the source indices it reads and their weights (summing to 1). */
interface AxisTaps {
  start: Int32Array;
  count: Int32Array;
  index: Int32Array;
  weight: Float32Array | Float64Array;
}

/** float32: weights and intermediate sums rounded to float32; float64: kept until the result. */
type Precision = 'float32' | 'float64';

function areaTaps(src: number, dst: number): AxisTaps {
  const scale = src / dst;
  const start = new Int32Array(dst);
  const count = new Int32Array(dst);
  const index: number[] = [];
  const weight: number[] = [];
  for (let j = 0; j < dst; j++) {
    const lo = j * scale;
    const hi = (j + 1) * scale;
    start[j] = index.length;
    for (let s = Math.floor(lo); s < Math.min(src, Math.ceil(hi)); s++) {
      const overlap = Math.min(hi, s + 1) - Math.max(lo, s);
      if (overlap <= 1e-9) continue;
      index.push(s);
      weight.push(overlap / scale);
    }
    count[j] = index.length - start[j];
  }
  return { start, count, index: Int32Array.from(index), weight: Float32Array.from(weight) };
}

/** `fraction32`: the fraction rounded to float32 before the weights are made from it. */
function bilinearTaps(src: number, dst: number, precision: Precision, fraction32 = false): AxisTaps {
  const scale = src / dst;
  const start = new Int32Array(dst);
  const count = new Int32Array(dst).fill(2);
  const index = new Int32Array(dst * 2);
  const weight = precision === 'float32' ? new Float32Array(dst * 2) : new Float64Array(dst * 2);
  for (let j = 0; j < dst; j++) {
    // Pixel centres aligned (half-pixel convention), clamped at the borders.
    const x = Math.min(src - 1, Math.max(0, (j + 0.5) * scale - 0.5));
    const x0 = Math.floor(x);
    const x1 = Math.min(src - 1, x0 + 1);
    const f = fraction32 ? Math.fround(x - x0) : x - x0;
    start[j] = j * 2;
    index[j * 2] = x0;
    weight[j * 2] = 1 - f;
    index[j * 2 + 1] = x1;
    weight[j * 2 + 1] = f;
  }
  return { start, count, index, weight };
}

function tapsFor(src: number, dst: number): AxisTaps {
  return dst < src ? areaTaps(src, dst) : bilinearTaps(src, dst, 'float32');
}

/** Applies `xt` along rows, then `yt` along columns. */
function separable(src: ArrayLike<number>, width: number, height: number, xt: AxisTaps, yt: AxisTaps, precision: Precision): Float32Array {
  const dstWidth = xt.start.length;
  const dstHeight = yt.start.length;
  const Store = precision === 'float32' ? Float32Array : Float64Array;
  // Horizontal pass: height rows of dstWidth.
  const tmp = new Store(height * dstWidth);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const out = y * dstWidth;
    for (let j = 0; j < dstWidth; j++) {
      let acc = 0;
      const s = xt.start[j];
      const e = s + xt.count[j];
      for (let t = s; t < e; t++) acc += src[row + xt.index[t]] * xt.weight[t];
      tmp[out + j] = acc;
    }
  }
  // Vertical pass.
  const dst = new Store(dstWidth * dstHeight);
  for (let i = 0; i < dstHeight; i++) {
    const s = yt.start[i];
    const e = s + yt.count[i];
    const out = i * dstWidth;
    for (let t = s; t < e; t++) {
      const w = yt.weight[t];
      const row = yt.index[t] * dstWidth;
      for (let j = 0; j < dstWidth; j++) dst[out + j] += tmp[row + j] * w;
    }
  }
  return dst instanceof Float32Array ? dst : Float32Array.from(dst);
}

/** Resizes a single-channel image (any numeric array) to dstWidth x dstHeight floats. */
export function resizePlane(src: ArrayLike<number>, width: number, height: number, dstWidth: number, dstHeight: number): Float32Array {
  if (src.length !== width * height) throw new Error(`resizePlane: expected ${width * height} values, got ${src.length}`);
  return separable(src, width, height, tapsFor(width, dstWidth), tapsFor(height, dstHeight), 'float32');
}

/** Bilinear resampling (half-pixel centres, clamped at the borders) to dstWidth x dstHeight, either way. */
export function resampleBilinear(src: ArrayLike<number>, width: number, height: number, dstWidth: number, dstHeight: number): Float32Array {
  if (src.length !== width * height) throw new Error(`resample: ${src.length} values for a ${width}x${height} plane`);
  // The horizontal fraction rounded to float32 and the vertical one not: as this filter has
  // always computed them, so that evaluations score the very same maps.
  return separable(src, width, height, bilinearTaps(width, dstWidth, 'float64', true), bilinearTaps(height, dstHeight, 'float64'), 'float64');
}

/** Size that fits within `maxSide` on the longest side, keeping the aspect; never enlarges. */
export function fitWithin(width: number, height: number, maxSide: number): { width: number; height: number } {
  const longest = Math.max(width, height);
  if (longest <= maxSide) return { width, height };
  const scale = maxSide / longest;
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** 8-bit grey image to size x size floats in [0, 1]. */
export function resizeImage(grey: ArrayLike<number>, width: number, height: number, size: number): Float32Array {
  const out = resizePlane(grey, width, height, size, size);
  for (let i = 0; i < out.length; i++) out[i] = Math.min(1, Math.max(0, out[i] / 255));
  return out;
}

/** Binary (0/1) or probability mask to dstWidth x dstHeight: resized as coverage, thresholded at 0.5. */
export function resizeBinary(mask: ArrayLike<number>, width: number, height: number, dstWidth: number, dstHeight: number): Uint8Array {
  const cover = resizePlane(mask, width, height, dstWidth, dstHeight);
  const out = new Uint8Array(cover.length);
  for (let i = 0; i < cover.length; i++) out[i] = cover[i] >= 0.5 ? 1 : 0;
  return out;
}

/** Binary mask to a size x size binary mask. */
export function resizeMask(mask: ArrayLike<number>, width: number, height: number, size: number): Uint8Array {
  return resizeBinary(mask, width, height, size, size);
}
