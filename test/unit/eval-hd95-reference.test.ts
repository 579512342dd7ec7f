/**
 * The distance transform and HD95 after their speed-ups (#17: an exact two-sweep column pass for
 * columns with a source; boundaries computed inside the masks' bounding box) give the same bits
 * as the implementations they replaced, kept here as the reference, on random masks of every
 * kind: blobs cut by the image border, speckle, thin lines, masks far apart, an empty one.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../../src/engine/data/random';
import { squaredDistanceTransform } from '../../src/engine/eval/distanceTransform';
import { hausdorff95 } from '../../src/engine/eval/surfaceDistance';
import { quantileSorted } from '../../src/engine/stats/descriptive';

const FAR = 1e20;

function referenceTransform1d(f: Float64Array, n: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
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

function referenceTransform(sources: ArrayLike<number>, width: number, height: number): Float64Array {
  const size = width * height;
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
    for (let y = 0; y < height; y++) f[y] = out[y * width + x];
    referenceTransform1d(f, height, d, v, z);
    for (let y = 0; y < height; y++) out[y * width + x] = d[y];
  }
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) f[x] = out[row + x];
    referenceTransform1d(f, width, d, v, z);
    for (let x = 0; x < width; x++) out[row + x] = d[x];
  }
  return out;
}

function referenceBoundary(mask: ArrayLike<number>, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (!mask[i]) continue;
      if (x === 0 || y === 0 || x === width - 1 || y === height - 1 || !mask[i - 1] || !mask[i + 1] || !mask[i - width] || !mask[i + width]) out[i] = 1;
    }
  }
  return out;
}

function referenceHd95(a: ArrayLike<number>, b: ArrayLike<number>, width: number, height: number): number | undefined {
  const masks = [referenceBoundary(a, width, height), referenceBoundary(b, width, height)];
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (const mask of masks) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (!mask[y * width + x]) continue;
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  }
  if (x1 < 0) return undefined;
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const [ca, cb] = masks.map((mask) => {
    const crop = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) crop.set(mask.subarray((y0 + y) * width + x0, (y0 + y) * width + x0 + w), y * w);
    return crop;
  });
  if (!ca.some((v) => v) || !cb.some((v) => v)) return undefined;
  const directed = (from: Uint8Array, to: Uint8Array) => {
    const squared = referenceTransform(to, w, h);
    const out: number[] = [];
    for (let i = 0; i < from.length; i++) if (from[i]) out.push(Math.sqrt(squared[i]));
    return Float64Array.from(out).sort();
  };
  return Math.max(quantileSorted(directed(ca, cb), 0.95), quantileSorted(directed(cb, ca), 0.95));
}

type Maker = (w: number, h: number, r: () => number) => Uint8Array;
const blob: Maker = (w, h, r) => {
  const cx = r() * w;
  const cy = r() * h;
  const rx = 1 + r() * w * 0.4;
  const ry = 1 + r() * h * 0.4;
  return Uint8Array.from({ length: w * h }, (_, i) => (((i % w) - cx) / rx) ** 2 + ((Math.floor(i / w) - cy) / ry) ** 2 <= 1 ? 1 : 0);
};
const speckle: Maker = (w, h, r) => {
  const p = 0.002 + r() * 0.2;
  return Uint8Array.from({ length: w * h }, () => (r() < p ? 1 : 0));
};
const line: Maker = (w, h, r) => {
  const m = new Uint8Array(w * h);
  const y = Math.floor(r() * h);
  for (let x = Math.floor(r() * w); x < w; x++) m[y * w + x] = 1;
  return m;
};
const makers: Maker[] = [blob, blob, speckle, line, (w, h) => new Uint8Array(w * h)];

test('squaredDistanceTransform gives the reference bits, columns without a source included', () => {
  const r = mulberry32(11);
  for (let trial = 0; trial < 300; trial++) {
    const w = 1 + Math.floor(r() * 60);
    const h = 1 + Math.floor(r() * 60);
    const sources = makers[trial % makers.length](w, h, r);
    const got = squaredDistanceTransform(sources, w, h);
    const want = referenceTransform(sources, w, h);
    for (let i = 0; i < got.length; i++) assert.ok(Object.is(got[i], want[i]), `trial ${trial} (${w}x${h}), pixel ${i}: ${got[i]} vs ${want[i]}`);
  }
});

test('hausdorff95 gives the reference bits (undefined where the reference is)', () => {
  const r = mulberry32(12);
  let defined = 0;
  for (let trial = 0; trial < 400; trial++) {
    const w = 2 + Math.floor(r() * 70);
    const h = 2 + Math.floor(r() * 70);
    const a = makers[trial % makers.length](w, h, r);
    const b = makers[Math.floor(trial / makers.length) % makers.length](w, h, r);
    const got = hausdorff95(a, b, w, h);
    const want = referenceHd95(a, b, w, h);
    assert.ok(Object.is(got, want), `trial ${trial} (${w}x${h}): ${got} vs ${want}`);
    if (want !== undefined) defined++;
  }
  assert.ok(defined > 200, `only ${defined} pairs had two boundaries`);
});
