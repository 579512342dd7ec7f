/**
 * The evaluation's caches change no result: the original-size decode cache (readFullResolution)
 * and the gallery PNG cache give the same pixels, bytes and per-image metrics as no cache, cold or
 * warm; a damaged entry is rejected and rewritten, and an edited source file gets a fresh entry.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadDataset } from '../../src/engine/data';
import { evaluateDataset } from '../../src/engine/eval/evaluate';
import { encodeGreyPng } from '../../src/engine/eval/png';
import { PngCache } from '../../src/engine/eval/pngCache';
import type { Predictor } from '../../src/engine/model/predictor';
import type { LoadedDataset } from '../../src/engine/types';
import { makeBusiFixture, patternImage, tempDir } from '../helpers/datasets';

const S = 16;

before(async () => {
  await tf.setBackend('cpu');
});

function binFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.bin'))
    .map((f) => join(dir, f))
    .sort();
}

/** Rewrites an entry's checksum (bytes 16..48 of a full-resolution entry, 8..40 of a PNG entry) to match its altered payload. */
function resign(file: string, digestAt: number): void {
  const buf = readFileSync(file);
  createHash('sha256')
    .update(buf.subarray(digestAt + 32))
    .digest()
    .copy(buf, digestAt);
  writeFileSync(file, buf);
}

async function fullItems(ds: LoadedDataset) {
  return Promise.all(ds.items.map((s) => ds.readFullResolution(s.id)));
}

test('readFullResolution gives the same pixels without a cache, cold and warm, and serves warm reads from the cache', async () => {
  const { dir, cleanup } = tempDir();
  try {
    makeBusiFixture(join(dir, 'data'));
    const spec = `busi:${dir}/data`;
    const cache = join(dir, 'cache');
    const none = await fullItems(await loadDataset(spec, { size: S }));
    const cold = await fullItems(await loadDataset(spec, { size: S, cacheDir: cache }));
    const entries = binFiles(join(cache, 'busi-full'));
    assert.equal(entries.length, 4);
    const warm = await fullItems(await loadDataset(spec, { size: S, cacheDir: cache }));
    assert.deepEqual(cold, none);
    assert.deepEqual(warm, none);
    // Proof that warm reads come from the entries: an entry altered with a valid checksum is served as is.
    const buf = readFileSync(entries[0]);
    buf[48] ^= 0xff;
    writeFileSync(entries[0], buf);
    resign(entries[0], 16);
    const served = await fullItems(await loadDataset(spec, { size: S, cacheDir: cache }));
    assert.equal(served.filter((item, i) => item.image[0] !== none[i].image[0]).length, 1);
  } finally {
    cleanup();
  }
});

test('a damaged or truncated full-resolution entry is rejected and rewritten; an edited source gets a new entry', async () => {
  const { dir, cleanup } = tempDir();
  try {
    makeBusiFixture(join(dir, 'data'));
    const spec = `busi:${dir}/data`;
    const cache = join(dir, 'cache');
    const truth = await fullItems(await loadDataset(spec, { size: S }));
    await fullItems(await loadDataset(spec, { size: S, cacheDir: cache }));
    const entries = binFiles(join(cache, 'busi-full'));
    const good = entries.map((f) => readFileSync(f));
    const flipped = Buffer.from(good[0]);
    flipped[60] ^= 0x01;
    writeFileSync(entries[0], flipped);
    writeFileSync(entries[1], good[1].subarray(0, good[1].length - 3));
    writeFileSync(entries[2], Buffer.alloc(10));
    assert.deepEqual(await fullItems(await loadDataset(spec, { size: S, cacheDir: cache })), truth);
    entries.forEach((f, i) => assert.ok(readFileSync(f).equals(good[i]), `entry ${i} rewritten`));
    // Stale: touching a source file changes its key, so its old entry is never read again.
    const image = join(dir, 'data', 'Dataset_BUSI_with_GT', 'benign', 'benign (1).png');
    utimesSync(image, new Date(), new Date(Date.now() + 5000));
    assert.deepEqual(await fullItems(await loadDataset(spec, { size: S, cacheDir: cache })), truth);
    assert.equal(binFiles(join(cache, 'busi-full')).length, 5);
  } finally {
    cleanup();
  }
});

test('PngCache returns the bytes a fresh encode gives, cold and warm, and rewrites a damaged entry', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const cache = new PngCache(join(dir, 'png'));
    const pixels = patternImage(37, 23, 5);
    const fresh = encodeGreyPng(pixels, 37, 23, 'sub');
    assert.ok(cache.encode(pixels, 37, 23, 'sub').equals(fresh));
    assert.ok(cache.encode(pixels, 37, 23, 'sub').equals(fresh));
    // Another filter or size of the same pixels is another entry.
    cache.encode(pixels, 37, 23, 'none');
    cache.encode(pixels, 23, 37, 'sub');
    const entries = binFiles(join(dir, 'png'));
    assert.equal(entries.length, 3);
    const key = entries.find((f) => readFileSync(f).subarray(40).equals(fresh));
    assert.ok(key);
    const good = readFileSync(key);
    // A hit is served from the entry: an altered PNG with a valid checksum comes back as stored.
    const altered = Buffer.from(good);
    altered[altered.length - 1] ^= 0xff;
    writeFileSync(key, altered);
    resign(key, 8);
    assert.ok(cache.encode(pixels, 37, 23, 'sub').equals(readFileSync(key).subarray(40)));
    // Damaged (checksum no longer matches): rejected, re-encoded and rewritten.
    const damaged = Buffer.from(good);
    damaged[50] ^= 0x01;
    writeFileSync(key, damaged);
    assert.ok(cache.encode(pixels, 37, 23, 'sub').equals(fresh));
    assert.ok(readFileSync(key).equals(good));
  } finally {
    cleanup();
  }
});

/** A deterministic fake model: lesion where the image is brighter than 0.6. */
function thresholdPredictor(): Predictor {
  return {
    size: S,
    hasClassifier: true,
    async predict(images, n) {
      const seg = Float32Array.from(images, (v) => (v > 0.6 ? 0.9 : 0.1));
      const pMalignant = Float32Array.from({ length: n }, (_, i) => images[i * S * S + S + 1]);
      return { seg, pMalignant };
    },
    dispose() {},
  };
}

function galleryFiles(outDir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const kind of ['images', 'truth', 'masks', 'prob']) for (const f of readdirSync(join(outDir, kind))) out.set(`${kind}/${f}`, readFileSync(join(outDir, kind, f)));
  return out;
}

test('evaluateDataset: per-image metrics, per_image.csv and every gallery PNG are identical without cache, cache cold and cache warm', async () => {
  const { dir, cleanup } = tempDir();
  try {
    makeBusiFixture(join(dir, 'data'));
    const spec = `busi:${dir}/data`;
    const cache = join(dir, 'cache');
    const evaluate = async (name: string, cacheDir: string | undefined) => {
      const dataset = await loadDataset(spec, { size: S, cacheDir });
      const outDir = join(dir, name);
      const result = await evaluateDataset({ tf, predictor: thresholdPredictor(), dataset, outDir, resamples: 50, cacheDir });
      return { rows: result.rows, csv: readFileSync(join(outDir, 'per_image.csv'), 'utf8'), gallery: galleryFiles(outDir) };
    };
    const none = await evaluate('none', undefined);
    const cold = await evaluate('cold', cache);
    assert.ok(binFiles(join(cache, 'gallery-png')).length > 0);
    assert.equal(binFiles(join(cache, 'busi-full')).length, 4);
    const warm = await evaluate('warm', cache);
    assert.equal(none.rows.length, 4);
    assert.ok(none.rows.some((r) => r.dice !== undefined && r.dice > 0));
    for (const other of [cold, warm]) {
      assert.deepEqual(other.rows, none.rows);
      assert.equal(other.csv, none.csv);
      assert.deepEqual([...other.gallery.keys()], [...none.gallery.keys()]);
      for (const [f, bytes] of none.gallery) assert.ok(other.gallery.get(f)!.equals(bytes), f);
    }
  } finally {
    cleanup();
  }
});
