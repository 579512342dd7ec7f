import assert from 'node:assert/strict';
import { test } from 'node:test';
import { augmentSample, AugmentOptions, mulberry32 } from '../../src/engine/data';
import { gaussian, uniform } from '../../src/engine/data/random';

const S = 32;

/** An image that is its own mask: a bright off-centre blob on black. */
function blob(): { image: Float32Array; mask: Uint8Array; size: number } {
  const image = new Float32Array(S * S);
  const mask = new Uint8Array(S * S);
  for (let y = 6; y < 16; y++)
    for (let x = 4; x < 12; x++) {
      image[y * S + x] = 1;
      mask[y * S + x] = 1;
    }
  return { image, mask, size: S };
}

test('the same generator state gives the same augmentation; another seed another one', () => {
  const s = blob();
  const a = augmentSample(s, mulberry32(5));
  const b = augmentSample(s, mulberry32(5));
  assert.deepEqual(a, b);
  const others = [6, 7, 8, 9].map((seed) => augmentSample(s, mulberry32(seed)));
  assert.ok(others.some((o) => o.mask.some((v, i) => v !== a.mask[i])));
});

test('image and mask move together under flips, rotation and scale', () => {
  const s = blob();
  for (let seed = 0; seed < 40; seed++) {
    const out = augmentSample(s, mulberry32(seed), { brightness: 0, contrast: [1, 1], gamma: [1, 1], speckle: 0 });
    let agree = 0;
    let lesion = 0;
    for (let i = 0; i < S * S; i++) {
      const bright = out.image[i] >= 0.5 ? 1 : 0;
      if (bright === out.mask[i]) agree++;
      lesion += out.mask[i];
    }
    assert.ok(agree / (S * S) > 0.995, `seed ${seed}: ${agree}`);
    assert.ok(lesion > 50 && lesion < 110, `seed ${seed}: lesion area ${lesion}`);
  }
  // Some seeds flip: the blob then lies in the right half.
  const sides = Array.from({ length: 20 }, (_, seed) => {
    const m = augmentSample(s, mulberry32(seed)).mask;
    let right = 0;
    for (let i = 0; i < m.length; i++) if (m[i] && i % S >= S / 2) right++;
    return right > 0;
  });
  assert.ok(sides.includes(true) && sides.includes(false));
});

test('intensity changes keep the image in [0, 1] and leave the input untouched', () => {
  const s = blob();
  const copy = Float32Array.from(s.image);
  for (let seed = 0; seed < 20; seed++) {
    const out = augmentSample(s, mulberry32(seed), { brightness: 0.3, speckle: 0.3 });
    assert.ok(out.image.every((v) => v >= 0 && v <= 1));
  }
  assert.deepEqual(s.image, copy);
});

/** The augmentation as it was before its bilinear taps were inlined (#17): the reference its output must equal bit for bit. */
function referenceAugment(sample: { image: Float32Array; mask: Uint8Array; size: number }, rng: () => number, o: Required<AugmentOptions>): { image: Float32Array; mask: Uint8Array } {
  const s = sample.size;
  const sampleBilinear = (plane: ArrayLike<number>, x: number, y: number): number => {
    const x0 = Math.floor(x);
    const y0 = Math.floor(y);
    const fx = x - x0;
    const fy = y - y0;
    const at = (xx: number, yy: number) => (xx < 0 || yy < 0 || xx >= s || yy >= s ? 0 : plane[yy * s + xx]);
    return (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) + (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy;
  };
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
      const dx = x - c;
      const dy = y - c;
      let sx = cos * dx + sin * dy + c;
      const sy = -sin * dx + cos * dy + c;
      if (flip) sx = s - 1 - sx;
      image[y * s + x] = sampleBilinear(sample.image, sx, sy);
      mask[y * s + x] = sampleBilinear(sample.mask, sx, sy) >= 0.5 ? 1 : 0;
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

test('augmentSample equals the reference implementation bit for bit (default ranges, and rotations and zooms that reach past the border)', () => {
  const defaults: Required<AugmentOptions> = { flip: true, maxRotationDeg: 10, scale: [0.9, 1.1], brightness: 0.08, contrast: [0.85, 1.15], gamma: [0.8, 1.25], speckle: 0.08 };
  const wide: Required<AugmentOptions> = { ...defaults, maxRotationDeg: 180, scale: [0.4, 2.5] };
  for (const size of [17, 32]) {
    const r = mulberry32(size);
    const sample = { size, image: Float32Array.from({ length: size * size }, () => r()), mask: Uint8Array.from({ length: size * size }, () => (r() < 0.4 ? 1 : 0)) };
    for (const options of [defaults, wide]) {
      for (let seed = 0; seed < 60; seed++) {
        const got = augmentSample(sample, mulberry32(seed), options);
        const want = referenceAugment(sample, mulberry32(seed), options);
        assert.ok(Buffer.from(got.image.buffer).equals(Buffer.from(want.image.buffer)), `image, size ${size}, seed ${seed}`);
        assert.ok(Buffer.from(got.mask.buffer).equals(Buffer.from(want.mask.buffer)), `mask, size ${size}, seed ${seed}`);
      }
    }
  }
});
