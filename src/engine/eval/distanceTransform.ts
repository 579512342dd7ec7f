/**
 * Exact squared Euclidean distance transform (Felzenszwalb & Huttenlocher 2012, "Distance
 * Transforms of Sampled Functions"): two passes of the 1-D lower envelope of parabolas, O(pixels).
 * A 500 x 500 mask takes a few milliseconds, so HD95 stays cheap at full resolution.
 */

/** Stands in for +infinity: large enough to dominate, small enough that arithmetic stays finite. */
const FAR = 1e20;

/** 1-D transform of f (length n) into d, with scratch arrays v (n ints) and z (n + 1 floats). */
function transform1d(f: Float64Array, n: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0;
  v[0] = 0;
  z[0] = -Infinity;
  z[1] = Infinity;
  for (let q = 1; q < n; q++) {
    let s = (f[q] + q * q - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    while (s <= z[k]) {
      k--;
      s = (f[q] + q * q - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1] < q) k++;
    d[q] = (q - v[k]) ** 2 + f[v[k]];
  }
}

/**
 * For every pixel, the squared distance (in pixels) to the nearest pixel where `sources` is
 * non-zero. Without any source every entry is +Infinity.
 */
export function squaredDistanceTransform(sources: ArrayLike<number>, width: number, height: number): Float64Array {
  const size = width * height;
  if (sources.length !== size) throw new Error(`distance transform: ${sources.length} pixels for a ${width}x${height} image`);
  const out = new Float64Array(size);
  let any = false;
  for (let i = 0; i < size; i++) {
    out[i] = sources[i] ? 0 : FAR;
    if (sources[i]) any = true;
  }
  if (!any) return out.fill(Infinity);
  const longest = Math.max(width, height);
  const f = new Float64Array(longest);
  const d = new Float64Array(longest);
  const v = new Int32Array(longest);
  const z = new Float64Array(longest + 1);
  for (let x = 0; x < width; x++) {
    // A column with a source: its 1-D transform is the squared distance to the nearest source in
    // the column, an integer, which two sweeps give exactly, as the parabola envelope does (the
    // parabolas of non-sources lie 1e20 above and never enter it). A column without one keeps the
    // envelope, so its large stand-in values are the same bits as before.
    let above = -1;
    for (let y = 0; y < height; y++) {
      if (sources[y * width + x]) above = y;
      d[y] = above < 0 ? Infinity : y - above;
    }
    if (above < 0) {
      for (let y = 0; y < height; y++) f[y] = out[y * width + x];
      transform1d(f, height, d, v, z);
      for (let y = 0; y < height; y++) out[y * width + x] = d[y];
      continue;
    }
    let below = -1;
    for (let y = height - 1; y >= 0; y--) {
      if (sources[y * width + x]) below = y;
      const near = below < 0 ? d[y] : Math.min(d[y], below - y);
      out[y * width + x] = near * near;
    }
  }
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) f[x] = out[row + x];
    transform1d(f, width, d, v, z);
    for (let x = 0; x < width; x++) out[row + x] = d[x];
  }
  return out;
}
