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

/** Bilinear sample of an S x S plane at (x, y) in pixel-centre coordinates; 0 outside. */
function sampleBilinear(plane: ArrayLike<number>, size: number, x: number, y: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const at = (xx: number, yy: number) => (xx < 0 || yy < 0 || xx >= size || yy >= size ? 0 : plane[yy * size + xx]);
  return (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) + (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy;
}

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
      image[i] = sampleBilinear(sample.image, s, sx, sy);
      mask[i] = sampleBilinear(sample.mask, s, sx, sy) >= 0.5 ? 1 : 0;
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
