/**
 * The loaders against the real public datasets in ../shared/datasets (or $BUS_LAB_DATASETS).
 * Each test skips with a visible reason when its dataset is absent.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PNG } from 'pngjs';
import { checkDataset, loadDataset, LoadStats } from '../../src/engine/data';
import { decodeImageFile } from '../../src/engine/data/image/decode';
import { parseCsv } from '../../src/engine/data/tabular/csv';
import { Label, LoadedDataset } from '../../src/engine/types';
import { REAL, skipUnlessPresent, tempDir } from '../helpers/datasets';

/** Shared across runs: entries are keyed by file size and mtime, so a stale one is never used. */
const CACHE = join(tmpdir(), 'bus-lab-test-cache');
const S = 128;

function counts(ds: LoadedDataset): Record<Label, number> {
  const c: Record<Label, number> = { benign: 0, malignant: 0, normal: 0 };
  for (const s of ds.items) c[s.label]++;
  return c;
}

test('BrEaST: 154 benign, 98 malignant, 4 normal, with descriptors and other-finding masks', { skip: skipUnlessPresent(REAL.breast) }, async () => {
  const ds = await loadDataset(`breast:${REAL.breast}`, { size: S, cacheDir: CACHE });
  assert.deepEqual(counts(ds), { benign: 154, malignant: 98, normal: 4 });
  assert.equal(ds.skipped.length, 0, JSON.stringify(ds.skipped.slice(0, 3)));
  assert.equal(new Set(ds.items.map((s) => s.patientId)).size, 256);
  assert.ok(ds.items.every((s) => typeof s.meta.pixelSizeMm === 'number' && s.meta.pixelSizeMm > 0.02 && s.meta.pixelSizeMm < 0.2));
  assert.equal(ds.items.reduce((n, s) => n + (s.meta.otherMaskNames?.length ?? 0), 0), 14);
  const lesion = ds.items.filter((s) => s.label !== 'normal');
  assert.ok(lesion.every((s) => s.mask.some((v) => v === 1)), 'every lesion has a non-empty mask at 128');
  assert.ok(lesion.every((s) => s.meta.birads && s.meta.shape && s.meta.margin));
});

test('BrEaST: transparent regions are composited onto black, opaque pixels keep their luma', { skip: skipUnlessPresent(REAL.breast) }, async () => {
  const ds = await loadDataset(`breast:${REAL.breast}`, { size: S, cacheDir: CACHE });
  let transparentImages = 0;
  for (const s of ds.items) {
    // Find the transparent ones with our decoder, then check them against pngjs as the reference.
    const own = await decodeImageFile(s.meta.imagePath!);
    let clear = 0;
    for (let i = 3; own.channels === 4 && i < own.data.length; i += 4) if (own.data[i] < 255) clear++;
    if (clear === 0) continue;
    transparentImages++;
    const png = PNG.sync.read(readFileSync(s.meta.imagePath!));
    const full = await ds.readFullResolution(s.id);
    assert.deepEqual([full.width, full.height], [png.width, png.height]);
    for (let i = 0; i < full.width * full.height; i++) {
      const [r, g, b, a] = png.data.subarray(i * 4, i * 4 + 4);
      const expected = Math.round(((0.299 * r + 0.587 * g + 0.114 * b) * a) / 255);
      if (full.image[i] !== expected) assert.fail(`${s.id} pixel ${i}: ${full.image[i]} != ${expected} (alpha ${a})`);
    }
  }
  assert.equal(transparentImages, 31);
});

test('BUSI: 437 benign, 210 malignant, 133 normal; multi-lesion masks are unions', { skip: skipUnlessPresent(REAL.busi) }, async () => {
  const ds = await loadDataset(`busi:${REAL.busi}`, { size: S, cacheDir: CACHE });
  assert.deepEqual(counts(ds), { benign: 437, malignant: 210, normal: 133 });
  assert.ok(ds.items.every((s) => s.patientId === s.id));
  assert.equal(ds.items.filter((s) => (s.meta.maskPaths?.length ?? 0) > 1).length, 17);
  const item = ds.items.find((s) => s.meta.sourceName === 'benign (195)');
  assert.ok(item);
  assert.deepEqual(item.meta.maskPaths!.map((p) => p.split('/').pop()), ['benign (195)_mask.png', 'benign (195)_mask_1.png', 'benign (195)_mask_2.png']);
  const full = await ds.readFullResolution(item.id);
  const parts = item.meta.maskPaths!.map((p) => PNG.sync.read(readFileSync(p)));
  const union = new Uint8Array(full.width * full.height);
  const areas = parts.map((png) => {
    let a = 0;
    for (let i = 0; i < union.length; i++) {
      if (Math.max(png.data[4 * i], png.data[4 * i + 1], png.data[4 * i + 2]) >= 128) {
        union[i] = 1;
        a++;
      }
    }
    return a;
  });
  assert.deepEqual(Array.from(full.mask), Array.from(union));
  const total = union.reduce((a, v) => a + v, 0);
  assert.ok(areas.every((a) => a > 0 && a < total), `part areas ${areas} vs union ${total}`);
  assert.ok(ds.items.filter((s) => s.label === 'normal').every((s) => s.mask.every((v) => v === 0)));
});

test('BUSI: a cold load decodes all 780 images at 128x128 into the cache; a second load reads all 780 back from it, sample for sample identical', { skip: skipUnlessPresent(REAL.busi) }, async (t) => {
  const { dir, cleanup } = tempDir('bus-lab-busi-cache-');
  try {
    const run = async () => {
      let stats: LoadStats | undefined;
      const started = performance.now();
      const dataset = await loadDataset(`busi:${REAL.busi}`, { size: S, cacheDir: dir, onStats: (s) => (stats = s) });
      return { dataset, seconds: (performance.now() - started) / 1000, stats: stats! };
    };
    const cold = await run();
    const warm = await run();
    // Times are reported, not asserted: speed belongs to benchmarks on a shared machine.
    t.diagnostic(`BUSI 780 images at 128: cold ${cold.seconds.toFixed(2)} s, from cache ${warm.seconds.toFixed(2)} s`);
    assert.deepEqual([cold.stats.decoded, cold.stats.fromCache, cold.stats.cacheWriteErrors], [780, 0, 0]);
    assert.deepEqual([warm.stats.decoded, warm.stats.fromCache], [0, 780]);
    // What the cache gives back is what decoding gave: the same samples, in the same order.
    assert.equal(warm.dataset.items.length, cold.dataset.items.length);
    for (let i = 0; i < cold.dataset.items.length; i++) {
      const a = cold.dataset.items[i];
      const b = warm.dataset.items[i];
      assert.equal(b.id, a.id);
      assert.equal(b.label, a.label);
      assert.deepEqual(b.original, a.original, a.id);
      assert.ok(Buffer.from(b.image.buffer, b.image.byteOffset, b.image.byteLength).equals(Buffer.from(a.image.buffer, a.image.byteOffset, a.image.byteLength)), `${a.id}: image differs`);
      assert.ok(Buffer.from(b.mask).equals(Buffer.from(a.mask)), `${a.id}: mask differs`);
    }
  } finally {
    cleanup();
  }
});

test('BUS-BRA subset: class counts and patients match bus_data.csv', { skip: skipUnlessPresent(REAL.busbra) }, async () => {
  const ds = await loadDataset(`busbra:${REAL.busbra}`, { size: S, cacheDir: CACHE });
  const rows = parseCsv(readFileSync(join(REAL.busbra, 'BUSBRA', 'bus_data.csv'), 'utf8'));
  const header = rows[0];
  const data = rows.slice(1);
  const pathology = header.indexOf('Pathology');
  const expected = { benign: 0, malignant: 0, normal: 0 } as Record<Label, number>;
  for (const r of data) expected[r[pathology] as Label]++;
  assert.deepEqual(counts(ds), expected);
  assert.deepEqual(expected, { benign: 514, malignant: 240, normal: 0 });
  const patients = new Set(data.map((r) => r[header.indexOf('Case')]));
  assert.equal(new Set(ds.items.map((s) => s.patientId)).size, patients.size);
  assert.ok(patients.size < ds.items.length, 'several images per patient');
  assert.ok(ds.items.every((s) => s.meta.histology && s.meta.birads && s.meta.device));
});

test('health check finds BUSI\'s exact duplicate filed as both benign and malignant', { skip: skipUnlessPresent(REAL.busi) }, async () => {
  const report = await checkDataset(`busi:${REAL.busi}`);
  assert.deepEqual(report.counts, { benign: 437, malignant: 210, normal: 133 });
  assert.ok(report.duplicates.length >= 1);
  const pair = report.conflictingDuplicates.find((d) => d.ids.includes('benign_433'));
  assert.ok(pair, JSON.stringify(report.conflictingDuplicates));
  assert.deepEqual([...pair.ids].sort(), ['benign_433', 'malignant_145']);
  assert.equal(report.unreadable.length + report.sizeMismatch.length + report.imagesWithoutMasks.length, 0);
});
