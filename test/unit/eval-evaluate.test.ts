/**
 * The evaluator against its contract (the Predictor interface and LoadedDataset): a fake
 * predictor with planned outputs on a hand-made dataset, checking per_image.csv, summary.json, the
 * gallery PNGs (safe names, display size), normal-image false positives and cancellation.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { PNG } from 'pngjs';
import { evaluateDataset } from '../../src/engine/eval/evaluate';
import type { EvaluationSummary } from '../../src/engine/eval/evaluationTypes';
import { parsePerImageCsv } from '../../src/engine/runs/perImageCsv';
import type { Predictor } from '../../src/engine/model/predictor';
import type { FullResolutionItem, Label, LoadedDataset, Sample } from '../../src/engine/types';

const S = 32;
let dir: string;

before(async () => {
  await tf.setBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'bus-eval-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function rectMask(w: number, h: number, r0: number, c0: number, r1: number, c1: number): Uint8Array {
  const m = new Uint8Array(w * h);
  for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) m[r * w + c] = 1;
  return m;
}

/** Nearest-neighbour x2 upscaling: bilinear x2 and threshold 0.5 give this mask back exactly. */
function upscale2(m: Uint8Array, w: number, h: number): Uint8Array {
  const out = new Uint8Array(4 * w * h);
  for (let y = 0; y < 2 * h; y++) for (let x = 0; x < 2 * w; x++) out[y * 2 * w + x] = m[(y >> 1) * w + (x >> 1)];
  return out;
}

interface Case {
  id: string;
  label: Label;
  full: FullResolutionItem;
  workMask: Uint8Array;
  /** What the fake model predicts at working size, and its malignancy probability. */
  predicted: Uint8Array;
  pMalignant: number;
  pixelSizeMm?: number;
}

function makeCases(): Case[] {
  const lesion = rectMask(S, S, 8, 10, 19, 21);
  const empty = new Uint8Array(S * S);
  const blob = rectMask(S, S, 2, 2, 5, 5);
  const greyOf = (w: number, h: number) => Uint8Array.from({ length: w * h }, (_, i) => i % 251);
  return [
    // Perfect prediction: the working-size mask upsampled x2 is the full mask, so Dice = 1, HD95 = 0.
    { id: 'benign (1)', label: 'benign', full: { width: 64, height: 64, image: greyOf(64, 64), mask: upscale2(lesion, S, S) }, workMask: lesion, predicted: lesion, pMalignant: 0.3, pixelSizeMm: 0.1 },
    // Missed lesion on a large image: Dice 0, no HD95; gallery PNGs capped to 512 x 256.
    { id: 'malignant, "2"', label: 'malignant', full: { width: 600, height: 300, image: greyOf(600, 300), mask: rectMask(600, 300, 100, 200, 150, 300) }, workMask: lesion, predicted: empty, pMalignant: 0.7 },
    // Normal image with a false-positive blob, and one predicted clean.
    { id: 'normal (3)', label: 'normal', full: { width: 64, height: 64, image: greyOf(64, 64), mask: new Uint8Array(64 * 64) }, workMask: empty, predicted: blob, pMalignant: 0.1 },
    { id: 'normal_3', label: 'normal', full: { width: 64, height: 64, image: greyOf(64, 64), mask: new Uint8Array(64 * 64) }, workMask: empty, predicted: empty, pMalignant: 0.2 },
  ];
}

/** Source files of the first two cases: one inside the dataset folder, one outside it. */
const SOURCES = ['/fake/img/benign (1).png', '/elsewhere/x.png'];

function makeDataset(cases: Case[]): LoadedDataset {
  const items: Sample[] = cases.map((c, k) => {
    const image = new Float32Array(S * S);
    image[0] = k / 10; // marker the fake predictor reads back
    return { id: c.id, patientId: `p${k}`, label: c.label, size: S, image, mask: c.workMask, original: { width: c.full.width, height: c.full.height }, meta: { ...(c.pixelSizeMm ? { pixelSizeMm: c.pixelSizeMm } : {}), ...(SOURCES[k] ? { imagePath: SOURCES[k] } : {}) } };
  });
  return {
    spec: 'folder:/fake',
    path: '/fake',
    kind: 'folder',
    name: 'Fake set',
    slug: 'fake',
    items,
    skipped: [{ file: 'bad.png', reason: 'no mask' }],
    readFullResolution: async (id) => {
      const c = cases.find((x) => x.id === id);
      if (!c) throw new Error(`unknown id ${id}`);
      return c.full;
    },
  };
}

function fakePredictor(cases: Case[], calls: number[]): Predictor {
  return {
    size: S,
    hasClassifier: true,
    async predict(images, n) {
      calls.push(n);
      const seg = new Float32Array(n * S * S);
      const pMalignant = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const c = cases[Math.round(images[i * S * S] * 10)];
        seg.set(Float32Array.from(c.predicted, (v) => (v ? 0.9 : 0.1)), i * S * S);
        pMalignant[i] = c.pMalignant;
      }
      return { seg, pMalignant };
    },
    dispose() {},
  };
}

test('evaluateDataset writes per_image.csv, summary.json and gallery PNGs', async () => {
  const cases = makeCases();
  const calls: number[] = [];
  const progress: [number, number][] = [];
  const outDir = join(dir, 'run', 'eval', 'fake');
  const result = await evaluateDataset({
    tf,
    predictor: fakePredictor(cases, calls),
    dataset: makeDataset(cases),
    outDir,
    threshold: 0.25,
    seed: 1,
    batchSize: 3,
    resamples: 200,
    onProgress: (d, t) => progress.push([d, t]),
  });
  assert.equal(result.complete, true);
  assert.deepEqual(calls, [3, 1]);
  assert.deepEqual(progress, [[0, 4], [3, 4], [4, 4]]);

  const rows = parsePerImageCsv(readFileSync(join(outDir, 'per_image.csv'), 'utf8'), 'per_image.csv');
  assert.deepEqual(rows.map((r) => r.id), cases.map((c) => c.id));
  assert.deepEqual(rows.map((r) => r.file), ['benign_1', 'malignant_2', 'normal_3', 'normal_3-2']);
  const [perfect, missed, falseAlarm, clean] = rows;
  // The original image, relative to the dataset folder, for the gallery's "Open original image".
  assert.equal(perfect.source, 'img/benign (1).png');
  assert.equal(missed.source, undefined);
  assert.equal(perfect.dice, 1);
  assert.equal(perfect.iou, 1);
  assert.equal(perfect.hd95, 0);
  assert.equal(perfect.hd95Mm, 0);
  assert.equal(perfect.pixelSizeMm, 0.1);
  assert.ok(Math.abs((perfect.pMalignant as number) - 0.3) < 1e-6);
  assert.equal(missed.dice, 0);
  assert.equal(missed.hd95, undefined);
  assert.equal(missed.recall, 0);
  assert.equal(missed.truthArea, 51 * 101);
  assert.equal(falseAlarm.dice, 0);
  assert.equal(falseAlarm.falsePositiveArea, 64); // 4x4 working-size blob -> 8x8 at full size
  assert.equal(clean.dice, undefined);
  assert.equal(clean.predictedArea, 0);
  // BI-RADS features: defined for non-empty masks only; the perfect prediction matches the truth.
  for (const f of ['shapeIrregularity', 'orientation', 'marginIrregularity', 'ellipseDeviation']) {
    const v = perfect.features[f];
    assert.ok(v.true !== undefined && v.pred !== undefined && Math.abs(v.true - v.pred) < 1e-6, f);
    assert.equal(missed.features[f].pred, undefined);
    assert.equal(clean.features[f].true, undefined);
  }

  const summary = JSON.parse(readFileSync(join(outDir, 'summary.json'), 'utf8')) as EvaluationSummary;
  assert.equal(summary.dataset, 'Fake set');
  assert.equal(summary.images, 4);
  assert.deepEqual(summary.labels, { benign: 1, malignant: 1, normal: 2 });
  assert.equal(summary.metrics.dice?.n, 2); // normal images are not in the Dice mean
  assert.equal(summary.metrics.dice?.mean, 0.5);
  assert.deepEqual(summary.metrics.dice?.ci95, [0, 1]);
  assert.equal(summary.metrics.hd95?.n, 1);
  assert.deepEqual(summary.normal, { n: 2, withFalsePositive: 1, falsePositiveShare: 0.5, meanFalsePositiveArea: 32, meanFalsePositiveFraction: 32 / 4096 });
  assert.equal(summary.auc?.value, 1);
  assert.equal(summary.auc?.ci95, undefined); // one case per class: DeLong variance undefined
  assert.equal(summary.classification?.atHalf.sensitivity, 1);
  assert.equal(summary.classification?.atThreshold.threshold, 0.25);
  assert.equal(summary.classification?.atThreshold.specificity, 0); // benign 0.3 >= 0.25
  assert.deepEqual(summary.skipped, [{ file: 'bad.png', reason: 'no mask' }]);

  for (const sub of ['images', 'truth', 'masks', 'prob']) {
    const big = PNG.sync.read(readFileSync(join(outDir, sub, 'malignant_2.png')));
    assert.deepEqual([big.width, big.height], [512, 256], sub);
    const small = PNG.sync.read(readFileSync(join(outDir, sub, 'benign_1.png')));
    assert.deepEqual([small.width, small.height], [64, 64], sub);
  }
  const truth = PNG.sync.read(readFileSync(join(outDir, 'truth', 'benign_1.png')));
  const masks = PNG.sync.read(readFileSync(join(outDir, 'masks', 'benign_1.png')));
  assert.deepEqual(truth.data, masks.data);
});

test('a cancelled evaluation writes no summary and says so', async () => {
  const cases = makeCases();
  const outDir = join(dir, 'cancelled');
  const controller = new AbortController();
  const result = await evaluateDataset({
    tf,
    predictor: fakePredictor(cases, []),
    dataset: makeDataset(cases),
    outDir,
    batchSize: 2,
    featureIds: [],
    writeImages: false,
    signal: controller.signal,
    onProgress: (done) => done >= 2 && controller.abort(),
  });
  assert.equal(result.complete, false);
  assert.equal(result.rows.length, 2);
  assert.equal(existsSync(join(outDir, 'summary.json')), false);
});

test('a dataset at another working size is refused with a clear error', async () => {
  const cases = makeCases();
  const ds = makeDataset(cases);
  ds.items[1] = { ...ds.items[1], size: 64 };
  await assert.rejects(
    evaluateDataset({ tf, predictor: fakePredictor(cases, []), dataset: ds, outDir: join(dir, 'bad') }),
    /image 'malignant, "2"' is 64x64 but the model works at 32x32/,
  );
});

test('gallery PNGs round-trip exactly with each row filter', async () => {
  const { encodeGreyPng } = await import('../../src/engine/eval/png');
  const w = 37;
  const h = 23;
  const noise = Uint8Array.from({ length: w * h }, (_, i) => (i * 2654435761) % 251);
  const mask = Uint8Array.from({ length: w * h }, (_, i) => ((i % w) - 18) ** 2 + (Math.floor(i / w) - 11) ** 2 < 64 ? 255 : 0);
  for (const filter of ['none', 'sub', 'paeth'] as const) {
    for (const [what, pixels] of [['noise', noise], ['mask', mask]] as const) {
      const decoded = PNG.sync.read(encodeGreyPng(pixels, w, h, filter));
      assert.deepEqual([decoded.width, decoded.height], [w, h]);
      const grey = Uint8Array.from({ length: w * h }, (_, i) => decoded.data[4 * i]!);
      assert.deepEqual(grey, pixels, `${what} with filter ${filter}`);
    }
  }
});
