/**
 * Random fields for the phantom: Rayleigh speckle (the envelope of a smoothed complex Gaussian
 * scattering field, as in fully developed speckle) and smooth low-frequency texture.
 */
import { Rng } from '../random';

/** In-place separable Gaussian blur with different lateral (x) and axial (y) widths. */
export function gaussianBlur(field: Float32Array, width: number, height: number, sigmaX: number, sigmaY: number): void {
  const tmp = new Float32Array(field.length);
  convolveRows(field, tmp, width, height, kernel(sigmaX));
  convolveColumns(tmp, field, width, height, kernel(sigmaY));
}

function kernel(sigma: number): Float32Array {
  if (sigma <= 0) return Float32Array.of(1);
  const radius = Math.max(1, Math.ceil(2.5 * sigma));
  const k = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) sum += k[i + radius] = Math.exp((-i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  return k;
}

function convolveRows(src: Float32Array, dst: Float32Array, w: number, h: number, k: Float32Array): void {
  const r = (k.length - 1) / 2;
  const taps = k.length;
  const reflect = (x: number) => (x < 0 ? Math.min(w - 1, -x) : x >= w ? Math.max(0, 2 * w - 2 - x) : x);
  const border = (row: number, x: number) => {
    let acc = 0;
    for (let t = -r; t <= r; t++) acc += src[row + reflect(x + t)] * k[t + r];
    dst[row + x] = acc;
  };
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < Math.min(r, w); x++) border(row, x);
    // Interior: no border handling in the hot loop.
    for (let x = r; x < w - r; x++) {
      const base = row + x - r;
      let acc = 0;
      for (let t = 0; t < taps; t++) acc += src[base + t] * k[t];
      dst[row + x] = acc;
    }
    for (let x = Math.max(r, w - r); x < w; x++) border(row, x);
  }
}

function convolveColumns(src: Float32Array, dst: Float32Array, w: number, h: number, k: Float32Array): void {
  const r = (k.length - 1) / 2;
  dst.fill(0);
  for (let y = 0; y < h; y++) {
    const out = y * w;
    for (let t = -r; t <= r; t++) {
      let yy = y + t;
      if (yy < 0) yy = Math.min(h - 1, -yy);
      else if (yy >= h) yy = Math.max(0, 2 * h - 2 - yy);
      const row = yy * w;
      const kt = k[t + r];
      for (let x = 0; x < w; x++) dst[out + x] += src[row + x] * kt;
    }
  }
}

/**
 * Rayleigh-distributed speckle with mean 1 and grain set by the two blur widths (pixels). The
 * scattering field starts as uniform white noise rather than Gaussian: after the Gaussian blur
 * each value sums many independent ones, so it is Gaussian by the central limit theorem, and
 * this skips a logarithm and two trigonometric calls per pixel (the phantom's hot spot).
 */
export function rayleighSpeckle(rng: Rng, width: number, height: number, sigmaX: number, sigmaY: number): Float32Array {
  const re = new Float32Array(width * height);
  const im = new Float32Array(width * height);
  for (let i = 0; i < re.length; i++) {
    re[i] = rng() - 0.5;
    im[i] = rng() - 0.5;
  }
  gaussianBlur(re, width, height, sigmaX, sigmaY);
  gaussianBlur(im, width, height, sigmaX, sigmaY);
  let sum = 0;
  for (let i = 0; i < re.length; i++) {
    const e = Math.sqrt(re[i] * re[i] + im[i] * im[i]);
    re[i] = e;
    sum += e;
  }
  const mean = sum / re.length || 1;
  for (let i = 0; i < re.length; i++) re[i] /= mean;
  return re;
}

/** Zero-mean, unit-variance noise from two uniforms (triangular), cheap enough for every pixel. */
export function approxGaussian(rng: Rng): number {
  return (rng() + rng() - 1) * 2.449489742783178;
}

/** Smooth noise in [-1, 1]: random values on a coarse grid, interpolated with a smoothstep. */
export function smoothNoise(rng: Rng, width: number, height: number, cellsX: number, cellsY: number): Float32Array {
  const gx = cellsX + 2;
  const gy = cellsY + 2;
  const grid = new Float32Array(gx * gy);
  for (let i = 0; i < grid.length; i++) grid[i] = rng() * 2 - 1;
  // Interpolation positions per column and per row, computed once.
  const cell = (n: number, cells: number) => {
    const index = new Int32Array(n);
    const t = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const f = (i / n) * cells;
      index[i] = Math.floor(f);
      const u = f - index[i];
      t[i] = u * u * (3 - 2 * u);
    }
    return { index, t };
  };
  const cx = cell(width, cellsX);
  const cy = cell(height, cellsY);
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const top = cy.index[y] * gx;
    const bottom = top + gx;
    const ty = cy.t[y];
    for (let x = 0; x < width; x++) {
      const x0 = cx.index[x];
      const tx = cx.t[x];
      const upper = grid[top + x0] + (grid[top + x0 + 1] - grid[top + x0]) * tx;
      const lower = grid[bottom + x0] + (grid[bottom + x0 + 1] - grid[bottom + x0]) * tx;
      out[y * width + x] = upper + (lower - upper) * ty;
    }
  }
  return out;
}
