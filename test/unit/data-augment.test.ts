import assert from 'node:assert/strict';
import { test } from 'node:test';
import { augmentSample, mulberry32 } from '../../src/engine/data';

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
