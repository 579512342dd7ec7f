import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitWithin, resampleBilinear, resizeBinary, resizeImage, resizeMask, resizePlane } from '../../src/engine/data/image/resize';

test('downscaling averages the covered area exactly', () => {
  const src = [0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60];
  assert.deepEqual(Array.from(resizePlane(src, 4, 4, 2, 2)), [10, 18, 42, 50]);
  // Non-integer factor: 3 -> 2, each output covers 1.5 source pixels.
  const row = resizePlane([0, 30, 60], 3, 1, 2, 1);
  assert.ok(Math.abs(row[0] - 10) < 1e-4 && Math.abs(row[1] - 50) < 1e-4, `${row}`);
});

test('upscaling is bilinear with aligned pixel centres; a constant stays constant', () => {
  const up = resizePlane([0, 100], 2, 1, 4, 1);
  assert.deepEqual(Array.from(up).map((v) => Math.round(v * 100) / 100), [0, 25, 75, 100]);
  assert.ok(resizePlane(new Array(6 * 5).fill(7), 6, 5, 17, 11).every((v) => Math.abs(v - 7) < 1e-5));
});

test('resizeImage gives S x S floats in [0, 1]', () => {
  const grey = new Uint8Array(30 * 20).fill(255);
  const out = resizeImage(grey, 30, 20, 16);
  assert.equal(out.length, 256);
  assert.ok(out.every((v) => Math.abs(v - 1) < 1e-6));
});

test('masks are resized as coverage and thresholded at 0.5, keeping area and position', () => {
  const w = 100;
  const h = 80;
  const mask = new Uint8Array(w * h);
  for (let y = 20; y < 60; y++) for (let x = 30; x < 70; x++) mask[y * w + x] = 1;
  const small = resizeMask(mask, w, h, 20);
  const area = small.reduce((s, v) => s + v, 0);
  assert.equal(area, 8 * 10); // 40/100*20 wide, 40/80*20 tall
  assert.ok(small.every((v) => v === 0 || v === 1));
  const back = resizeBinary(small, 20, 20, w, h);
  const overlap = back.reduce((s, v, i) => s + (v & mask[i]), 0);
  assert.ok(overlap / 1600 > 0.95);
});

test('resampleBilinear interpolates both ways (no area averaging), half-pixel centres, clamped borders', () => {
  assert.deepEqual(Array.from(resampleBilinear([0, 100], 2, 1, 4, 1)), [0, 25, 75, 100]);
  // Down by 3: bilinear reads the two pixels around each centre (1 and 4), not the mean of three.
  assert.deepEqual(Array.from(resampleBilinear([0, 0, 90, 0, 0, 0], 6, 1, 2, 1)), [0, 0]);
  assert.deepEqual(Array.from(resizePlane([0, 0, 90, 0, 0, 0], 6, 1, 2, 1)), [30, 0]);
  const ramp = resampleBilinear([0, 10, 20, 30, 40, 50, 60, 70], 8, 1, 3, 1);
  assert.deepEqual(Array.from(ramp).map((v) => Math.round(v * 1000) / 1000), [8.333, 35, 61.667]);
  // Rows then columns: a 2x2 grid to 3x3 has its mean in the middle.
  const grid = resampleBilinear([0, 10, 20, 30], 2, 2, 3, 3);
  assert.ok(Math.abs(grid[4] - 15) < 1e-6, `${grid}`);
  assert.throws(() => resampleBilinear([1, 2, 3], 2, 2, 4, 4), /3 values for a 2x2 plane/);
});

test('fitWithin caps the longest side and never enlarges', () => {
  assert.deepEqual(fitWithin(1024, 768, 512), { width: 512, height: 384 });
  assert.deepEqual(fitWithin(300, 200, 512), { width: 300, height: 200 });
  assert.deepEqual(fitWithin(4000, 3, 512), { width: 512, height: 1 });
});
