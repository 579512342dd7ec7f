/**
 * Per-image metrics on hand-made masks whose Dice, IoU and HD95 are worked out by hand in the
 * comments, plus the exact distance transform against brute force.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { squaredDistanceTransform } from '../../src/engine/eval/distanceTransform';
import { binarize, scoreMasks } from '../../src/engine/eval/metrics';
import { boundaryMask, hausdorff95 } from '../../src/engine/eval/surfaceDistance';
import { quantile } from '../../src/engine/stats/descriptive';
import { seededRandom } from '../../src/engine/stats/random';

const close = (actual: number | undefined, expected: number, tol: number, what: string) =>
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected}`);

/** A width x height mask with the rectangle rows r0..r1, columns c0..c1 (inclusive) set. */
function rect(width: number, height: number, r0: number, c0: number, r1: number, c1: number): Uint8Array {
  const m = new Uint8Array(width * height);
  for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) m[r * width + c] = 1;
  return m;
}

test('two 4x4 squares shifted by one column: Dice 0.75, IoU 0.6, HD95 1', () => {
  // overlap 4x3 = 12; Dice = 24/32; IoU = 12/20. Every boundary pixel is 0 or 1 pixel from the
  // other boundary (six of each per direction), so both directed 95th percentiles are 1.
  const truth = rect(10, 10, 2, 2, 5, 5);
  const pred = rect(10, 10, 2, 3, 5, 6);
  const m = scoreMasks(truth, pred, 10, 10, 0.5);
  assert.equal(m.intersection, 12);
  close(m.dice, 0.75, 1e-15, 'Dice');
  close(m.iou, 0.6, 1e-15, 'IoU');
  close(m.precision, 0.75, 1e-15, 'precision');
  close(m.recall, 0.75, 1e-15, 'recall');
  close(m.hd95Px, 1, 1e-12, 'HD95');
  close(m.hd95Mm, 0.5, 1e-12, 'HD95 mm');
  assert.equal(m.falsePositiveArea, 4);
});

test('concentric 3x3 inside 7x7: HD95 = 2*sqrt(2), Dice = 18/58', () => {
  // Predicted ring (24 pixels) to true ring: 12 at distance 2, 8 at sqrt(5), 4 corners at sqrt(8);
  // the 95th percentile (index 21.85 of 24 sorted) is sqrt(8). True ring to predicted: all 2.
  const truth = rect(11, 11, 4, 4, 6, 6);
  const pred = rect(11, 11, 2, 2, 8, 8);
  const m = scoreMasks(truth, pred, 11, 11);
  close(m.dice, 18 / 58, 1e-15, 'Dice');
  close(m.iou, 9 / 49, 1e-15, 'IoU');
  close(m.recall, 1, 0, 'recall');
  close(m.hd95Px, Math.sqrt(8), 1e-12, 'HD95');
  assert.equal(m.hd95Mm, undefined);
});

test('single pixels 3 rows and 4 columns apart: HD95 = 5 px, Dice 0', () => {
  const truth = rect(8, 8, 0, 0, 0, 0);
  const pred = rect(8, 8, 3, 4, 3, 4);
  const m = scoreMasks(truth, pred, 8, 8, 0.1);
  close(m.hd95Px, 5, 1e-12, 'HD95');
  close(m.hd95Mm, 0.5, 1e-12, 'HD95 mm');
  assert.equal(m.dice, 0);
  assert.equal(m.iou, 0);
  assert.equal(m.precision, 0);
});

test('identical masks touching the image border: Dice 1, HD95 0', () => {
  const full = new Uint8Array(25).fill(1);
  assert.equal(boundaryMask(full, 5, 5).reduce((s, v) => s + v, 0), 16); // border pixels only
  const m = scoreMasks(full, full, 5, 5);
  assert.equal(m.dice, 1);
  assert.equal(m.hd95Px, 0);
});

test('empty masks: normal image predicted normal, false alarm, missed lesion', () => {
  const empty = new Uint8Array(16);
  const spot = rect(4, 4, 1, 1, 2, 2);
  const both = scoreMasks(empty, empty, 4, 4);
  assert.deepEqual(
    [both.dice, both.iou, both.precision, both.recall, both.hd95Px, both.falsePositiveArea],
    [undefined, undefined, undefined, undefined, undefined, 0],
  );
  const falseAlarm = scoreMasks(empty, spot, 4, 4);
  assert.deepEqual(
    [falseAlarm.dice, falseAlarm.iou, falseAlarm.precision, falseAlarm.recall, falseAlarm.hd95Px, falseAlarm.falsePositiveArea],
    [0, 0, 0, undefined, undefined, 4],
  );
  const missed = scoreMasks(spot, empty, 4, 4);
  assert.deepEqual(
    [missed.dice, missed.iou, missed.precision, missed.recall, missed.hd95Px, missed.falsePositiveArea],
    [0, 0, undefined, 0, undefined, 0],
  );
});

test('bad input is a clear error', () => {
  assert.throws(() => scoreMasks(new Uint8Array(3), new Uint8Array(4), 2, 2), /true mask: 3 pixels for a 2x2 image/);
  assert.throws(() => scoreMasks(new Uint8Array(4), new Uint8Array(4), 2, 2, -1), /pixel size/);
  assert.deepEqual(Array.from(binarize([0.2, 0.5, 0.9])), [0, 1, 1]);
});

function bruteForceSquared(sources: Uint8Array, w: number, h: number): Float64Array {
  const pts: [number, number][] = [];
  for (let i = 0; i < sources.length; i++) if (sources[i]) pts.push([i % w, Math.floor(i / w)]);
  const out = new Float64Array(w * h);
  for (let i = 0; i < out.length; i++) {
    const x = i % w;
    const y = Math.floor(i / w);
    out[i] = Math.min(...pts.map(([px, py]) => (px - x) ** 2 + (py - y) ** 2));
  }
  return out;
}

test('distance transform equals brute force on random sparse sources (non-square image)', () => {
  const random = seededRandom(5);
  for (let trial = 0; trial < 5; trial++) {
    const w = 23;
    const h = 17;
    const sources = Uint8Array.from({ length: w * h }, () => (random() < 0.03 ? 1 : 0));
    sources[Math.floor(random() * w * h)] = 1;
    assert.deepEqual(Array.from(squaredDistanceTransform(sources, w, h)), Array.from(bruteForceSquared(sources, w, h)));
  }
  assert.ok(squaredDistanceTransform(new Uint8Array(4), 2, 2).every((v) => v === Infinity));
});

test('HD95 equals a brute-force boundary computation on random blobs', () => {
  const random = seededRandom(9);
  const w = 30;
  const h = 20;
  const blob = () => {
    // Anywhere in the image, often cut by its border (where the border counts as boundary).
    const cx = random() * w;
    const cy = random() * h;
    const r = 2 + random() * 5;
    return Uint8Array.from({ length: w * h }, (_, i) => ((i % w) - cx) ** 2 + (Math.floor(i / w) - cy) ** 2 <= r * r ? 1 : 0);
  };
  let compared = 0;
  for (let trial = 0; trial < 40; trial++) {
    const a = blob();
    const b = blob();
    const ba = boundaryMask(a, w, h);
    const bb = boundaryMask(b, w, h);
    if (!ba.some((v) => v) || !bb.some((v) => v)) continue;
    compared++;
    const directed = (from: Uint8Array, to: Uint8Array) => {
      const d = bruteForceSquared(to, w, h);
      const out: number[] = [];
      from.forEach((v, i) => v && out.push(Math.sqrt(d[i])));
      return quantile(out, 0.95);
    };
    close(hausdorff95(a, b, w, h), Math.max(directed(ba, bb), directed(bb, ba)), 1e-12, `trial ${trial}`);
  }
  assert.ok(compared >= 30, `only ${compared} pairs had two boundaries`);
});

// Speed is measured by benchmarks, not asserted here (shared machines are noisy).
test('500 x 500 discs: HD95 at full resolution', () => {
  const n = 500;
  const disc = (cx: number, cy: number, r: number) => Uint8Array.from({ length: n * n }, (_, i) => ((i % n) - cx) ** 2 + (Math.floor(i / n) - cy) ** 2 <= r * r ? 1 : 0);
  const m = scoreMasks(disc(250, 250, 100), disc(260, 250, 100), n, n);
  close(m.hd95Px, 10, 1.01, 'HD95 of discs 10 px apart');
});
