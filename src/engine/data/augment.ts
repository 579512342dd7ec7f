/**
 * Training-time augmentation. Geometry (horizontal flip, small rotation and scale) moves image and
 * mask together; intensity (brightness, contrast, gamma, multiplicative speckle noise) touches the
 * image only. No vertical flip: depth has a direction in ultrasound (shadows fall below lesions).
 * Pure: the same sample and generator state give the same result.
 */
import { Sample } from '../types';
import { gaussian, Rng, uniform } from './random';

export interface AugmentOptions {
  /** Horizontal flip with probability 0.5 (default true). */
  flip?: boolean;
  /** Largest rotation either way, degrees (default 10). */
  maxRotationDeg?: number;
  /** Zoom range (default [0.9, 1.1]). */
  scale?: [number, number];
  /** Largest additive brightness change (default 0.08). */
  brightness?: number;
  /** Contrast factor range around the mean (default [0.85, 1.15]). */
  contrast?: [number, number];
  /** Gamma range (default [0.8, 1.25]). */
  gamma?: [number, number];
  /** Largest standard deviation of multiplicative speckle noise (default 0.08). */
  speckle?: number;
}

const DEFAULTS: Required<AugmentOptions> = {
  flip: true,
  maxRotationDeg: 10,
  scale: [0.9, 1.1],
  brightness: 0.08,
  contrast: [0.85, 1.15],
  gamma: [0.8, 1.25],
  speckle: 0.08,
};

export function augmentSample(sample: Pick<Sample, 'image' | 'mask' | 'size'>, rng: Rng, options: AugmentOptions = {}): { image: Float32Array; mask: Uint8Array } {
  const o = { ...DEFAULTS, ...options };
  const s = sample.size;
  // Draw every parameter first, in a fixed order, so the stream never depends on pixel values.
  const flip = o.flip && rng() < 0.5;
  const angle = (uniform(rng, -o.maxRotationDeg, o.maxRotationDeg) * Math.PI) / 180;
  const zoom = uniform(rng, o.scale[0], o.scale[1]);
  const brightness = uniform(rng, -o.brightness, o.brightness);
  const contrast = uniform(rng, o.contrast[0], o.contrast[1]);
  const gamma = uniform(rng, o.gamma[0], o.gamma[1]);
  const noise = uniform(rng, 0, o.speckle);

  const source = sample.image;
  const sourceMask = sample.mask;
  const image = new Float32Array(s * s);
  const mask = new Uint8Array(s * s);
  const c = (s - 1) / 2;
  const cos = Math.cos(angle) / zoom;
  const sin = Math.sin(angle) / zoom;
  for (let y = 0; y < s; y++) {
    for (let x = 0; x < s; x++) {
      // Inverse map: output pixel -> source position (rotate back, unzoom, unflip).
      const dx = x - c;
      const dy = y - c;
      let sx = cos * dx + sin * dy + c;
      const sy = -sin * dx + cos * dy + c;
      if (flip) sx = s - 1 - sx;
      const i = y * s + x;
      // Bilinear sampling of image and mask at (sx, sy), 0 outside the plane. One set of taps
      // serves both planes, read inline (a per-pixel helper taking either array type was most of
      // the augmentation's time); the arithmetic is the same expression, so the values are too.
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const x1 = x0 + 1;
      const y1 = y0 + 1;
      const inX0 = x0 >= 0 && x0 < s;
      const inX1 = x1 >= 0 && x1 < s;
      const top = y0 >= 0 && y0 < s;
      const bottom = y1 >= 0 && y1 < s;
      const r0 = y0 * s;
      const r1 = y1 * s;
      const a00 = top && inX0 ? source[r0 + x0] : 0;
      const a10 = top && inX1 ? source[r0 + x1] : 0;
      const a01 = bottom && inX0 ? source[r1 + x0] : 0;
      const a11 = bottom && inX1 ? source[r1 + x1] : 0;
      image[i] = (a00 * (1 - fx) + a10 * fx) * (1 - fy) + (a01 * (1 - fx) + a11 * fx) * fy;
      const m00 = top && inX0 ? sourceMask[r0 + x0] : 0;
      const m10 = top && inX1 ? sourceMask[r0 + x1] : 0;
      const m01 = bottom && inX0 ? sourceMask[r1 + x0] : 0;
      const m11 = bottom && inX1 ? sourceMask[r1 + x1] : 0;
      mask[i] = (m00 * (1 - fx) + m10 * fx) * (1 - fy) + (m01 * (1 - fx) + m11 * fx) * fy >= 0.5 ? 1 : 0;
    }
  }

  let mean = 0;
  for (let i = 0; i < image.length; i++) mean += image[i];
  mean /= image.length;
  for (let i = 0; i < image.length; i++) {
    let v = (image[i] - mean) * contrast + mean + brightness;
    v = v <= 0 ? 0 : v >= 1 ? 1 : v;
    v = Math.pow(v, gamma);
    if (noise > 0) v *= 1 + noise * gaussian(rng);
    image[i] = v <= 0 ? 0 : v >= 1 ? 1 : v;
  }
  return { image, mask };
}
