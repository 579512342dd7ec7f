/**
 * Resizing to the working size. Downscaling averages the covered source area (no aliasing of the
 * speckle); upscaling interpolates bilinearly. Each axis chooses independently, so a 600x400 image
 * sent to 512x512 is averaged across and interpolated down. Masks go through the same filter and
 * are thresholded at 0.5, so a lesion keeps its area and position.
 */

/** For one output index: the source indices it reads and their weights (summing to 1). */
interface AxisTaps {
  start: Int32Array;
  count: Int32Array;
  index: Int32Array;
  weight: Float32Array;
}

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

function bilinearTaps(src: number, dst: number): AxisTaps {
  const scale = src / dst;
  const start = new Int32Array(dst);
  const count = new Int32Array(dst).fill(2);
  const index = new Int32Array(dst * 2);
  const weight = new Float32Array(dst * 2);
  for (let j = 0; j < dst; j++) {
    // Pixel centres aligned (half-pixel convention), clamped at the borders.
    const x = Math.min(src - 1, Math.max(0, (j + 0.5) * scale - 0.5));
    const x0 = Math.floor(x);
    const x1 = Math.min(src - 1, x0 + 1);
    const f = x - x0;
    start[j] = j * 2;
    index[j * 2] = x0;
    weight[j * 2] = 1 - f;
    index[j * 2 + 1] = x1;
    weight[j * 2 + 1] = f;
  }
  return { start, count, index, weight };
}

function tapsFor(src: number, dst: number): AxisTaps {
  return dst < src ? areaTaps(src, dst) : bilinearTaps(src, dst);
}

/** Resizes a single-channel image (any numeric array) to dstWidth x dstHeight floats. */
export function resizePlane(src: ArrayLike<number>, width: number, height: number, dstWidth: number, dstHeight: number): Float32Array {
  if (src.length !== width * height) throw new Error(`resizePlane: expected ${width * height} values, got ${src.length}`);
  const xt = tapsFor(width, dstWidth);
  const yt = tapsFor(height, dstHeight);
  // Horizontal pass: height rows of dstWidth.
  const tmp = new Float32Array(height * dstWidth);
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
  const dst = new Float32Array(dstWidth * dstHeight);
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
  return dst;
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
