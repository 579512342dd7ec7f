/**
 * Bilinear resampling of one plane (half-pixel centres, clamped at the borders), used to bring a
 * predicted probability map from the working size back to the image's original size, and to make
 * the gallery's display-size PNGs.
 */

/** Resamples `src` (width x height) to dstWidth x dstHeight. */
export function resampleBilinear(src: ArrayLike<number>, width: number, height: number, dstWidth: number, dstHeight: number): Float32Array {
  if (src.length !== width * height) throw new Error(`resample: ${src.length} values for a ${width}x${height} plane`);
  const out = new Float32Array(dstWidth * dstHeight);
  const sx = width / dstWidth;
  const sy = height / dstHeight;
  const x0 = new Int32Array(dstWidth);
  const x1 = new Int32Array(dstWidth);
  const fx = new Float32Array(dstWidth);
  for (let j = 0; j < dstWidth; j++) {
    const x = Math.min(width - 1, Math.max(0, (j + 0.5) * sx - 0.5));
    x0[j] = Math.floor(x);
    x1[j] = Math.min(width - 1, x0[j] + 1);
    fx[j] = x - x0[j];
  }
  for (let i = 0; i < dstHeight; i++) {
    const y = Math.min(height - 1, Math.max(0, (i + 0.5) * sy - 0.5));
    const y0 = Math.floor(y);
    const y1 = Math.min(height - 1, y0 + 1);
    const fy = y - y0;
    const r0 = y0 * width;
    const r1 = y1 * width;
    const o = i * dstWidth;
    for (let j = 0; j < dstWidth; j++) {
      const top = src[r0 + x0[j]] * (1 - fx[j]) + src[r0 + x1[j]] * fx[j];
      const bottom = src[r1 + x0[j]] * (1 - fx[j]) + src[r1 + x1[j]] * fx[j];
      out[o + j] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}

/** Size that fits within `maxSide` on the longest side, keeping the aspect; never enlarges. */
export function fitWithin(width: number, height: number, maxSide: number): { width: number; height: number } {
  const longest = Math.max(width, height);
  if (longest <= maxSide) return { width, height };
  const scale = maxSide / longest;
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}
