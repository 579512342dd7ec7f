import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as jpeg from 'jpeg-js';
import { loadDataset } from '../../src/engine/data';
import { LoadedDataset, Sample } from '../../src/engine/types';
import {
  FIX_H,
  FIX_W,
  makeBreastFixture,
  makeBusbraFixture,
  makeBusiFixture,
  makeBusuclmFixture,
  makeUdiatFixture,
  patternImage,
  rectMask,
  tempDir,
  writeBitMask,
  writeCsv,
  writeGreyPng,
} from '../helpers/datasets';

const S = 16;

function byId(ds: LoadedDataset, id: string): Sample {
  const s = ds.items.find((x) => x.id === id);
  assert.ok(s, `no item ${id} in ${ds.items.map((x) => x.id).join(', ')}`);
  return s;
}

function area(mask: Uint8Array): number {
  return mask.reduce((a, v) => a + v, 0);
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const { dir, cleanup } = tempDir();
  try {
    await fn(dir);
  } finally {
    cleanup();
  }
}

test('busi: class folders, union of _mask and _mask_1, RGB and 1-bit masks, one patient per image', () =>
  withDir(async (dir) => {
    makeBusiFixture(dir);
    const ds = await loadDataset(`busi:${dir}`, { size: S });
    assert.equal(ds.slug, 'busi');
    assert.deepEqual(ds.items.map((s) => `${s.id}:${s.label}`), ['benign_1:benign', 'benign_2:benign', 'malignant_1:malignant', 'normal_1:normal']);
    const full = await ds.readFullResolution('benign_1');
    assert.equal(area(full.mask), 10 * 7 + 10 * 8); // both rectangles
    assert.equal(area((await ds.readFullResolution('malignant_1')).mask), 18 * 16);
    assert.equal(area(byId(ds, 'normal_1').mask), 0);
    assert.ok(ds.items.every((s) => s.patientId === s.id && s.image.length === S * S && s.mask.length === S * S));
    assert.deepEqual(byId(ds, 'benign_1').original, { width: FIX_W, height: FIX_H });
    assert.equal(byId(ds, 'benign_1').meta.maskPaths?.length, 2);
    const noNormal = await loadDataset(`busi:${dir}/Dataset_BUSI_with_GT`, { size: S, includeNormal: false });
    assert.equal(noNormal.items.length, 3);
  }));

test('breast: spreadsheet labels and descriptors, pixel size in mm, other masks by name, transparent regions black', () =>
  withDir(async (dir) => {
    await makeBreastFixture(dir);
    const ds = await loadDataset(`breast:${dir}`, { size: S });
    assert.deepEqual(ds.items.map((s) => `${s.id}:${s.label}`), ['case001:benign', 'case002:malignant', 'case003:normal']);
    const c1 = byId(ds, 'case001');
    assert.equal(c1.meta.pixelSizeMm, 0.078125);
    assert.equal(c1.meta.shape, 'oval');
    assert.equal(c1.meta.birads, '3');
    assert.equal(c1.meta.histology, 'Fibroadenoma');
    const c2 = byId(ds, 'case002');
    assert.deepEqual(c2.meta.otherMaskNames, ['case002_other1.png']);
    assert.equal(c2.meta.margin, 'not circumscribed - spiculated&angular');
    assert.equal(c2.meta.birads, '4c');
    assert.equal(c2.meta.age, undefined); // 'not available'
    // Left half transparent -> black; right half opaque grey 200. The lesion is the tumour mask only.
    const full = await ds.readFullResolution('case002');
    assert.equal(full.image[0], 0);
    assert.equal(full.image[FIX_W - 1], 200);
    assert.equal(area(full.mask), 12 * 12);
    assert.equal(area(byId(ds, 'case003').mask), 0);
  }));

test('busbra: csv labels, Case is the patient, descriptors in meta', () =>
  withDir(async (dir) => {
    makeBusbraFixture(dir);
    const ds = await loadDataset(`busbra:${dir}`, { size: S });
    assert.deepEqual(ds.items.map((s) => `${s.id}:${s.label}:${s.patientId}`), ['bus_0003-l:malignant:case3', 'bus_0003-r:malignant:case3', 'bus_0004-l:benign:case4']);
    assert.equal(byId(ds, 'bus_0004-l').meta.histology, 'fibroadenoma');
    assert.equal(byId(ds, 'bus_0004-l').meta.device, 'Toshiba');
  }));

test('udiat: DatasetB.xlsx Image numbers map to zero-padded files', () =>
  withDir(async (dir) => {
    await makeUdiatFixture(dir);
    const ds = await loadDataset(`udiat:${dir}`, { size: S });
    assert.deepEqual(ds.items.map((s) => `${s.id}:${s.label}`), ['000001:benign', '000002:malignant']);
    assert.equal(byId(ds, '000002').meta.histology, 'IDC');
    assert.equal(area((await ds.readFullResolution('000001')).mask), 13 * 12);
  }));

test('busuclm: colour-coded masks, semicolon INFO.csv, 4-letter patient prefix, normal images', () =>
  withDir(async (dir) => {
    makeBusuclmFixture(dir);
    const ds = await loadDataset(`busuclm:${dir}`, { size: S });
    assert.deepEqual(ds.items.map((s) => `${s.id}:${s.label}:${s.patientId}`), ['ALFA_000:benign:ALFA', 'ALFA_001:normal:ALFA', 'BETA_000:malignant:BETA']);
    assert.equal(area((await ds.readFullResolution('ALFA_000')).mask), 100);
    assert.equal(area((await ds.readFullResolution('BETA_000')).mask), 15 * 15);
    assert.equal(area(byId(ds, 'ALFA_001').mask), 0);
  }));

test('folder: PNG and JPEG, masks by name, labels.csv with optional patient; without it, labels follow the mask', () =>
  withDir(async (dir) => {
    writeGreyPng(join(dir, 'images', 'a.png'), FIX_W, FIX_H, patternImage(FIX_W, FIX_H, 1));
    writeBitMask(join(dir, 'masks', 'a.png'), FIX_W, FIX_H, rectMask(FIX_W, FIX_H, 2, 2, 12, 12));
    const rgba = Buffer.alloc(FIX_W * FIX_H * 4, 128);
    writeFileSync(join(dir, 'images', 'b.jpg'), jpeg.encode({ width: FIX_W, height: FIX_H, data: rgba }, 90).data);
    writeBitMask(join(dir, 'masks', 'b_mask.png'), FIX_W, FIX_H, new Uint8Array(FIX_W * FIX_H));
    const warnings: string[] = [];
    const unlabelled = await loadDataset(`folder:${dir}`, { size: S, onWarning: (m) => warnings.push(m) });
    assert.deepEqual(unlabelled.items.map((s) => `${s.id}:${s.label}`), ['a:benign', 'b:normal']);
    assert.match(warnings.join('\n'), /no labels.csv/);
    assert.ok(Math.abs(byId(unlabelled, 'b').image[0] - 128 / 255) < 0.03);
    writeCsv(join(dir, 'labels.csv'), [
      ['file', 'label', 'patient'],
      ['a.png', 'malignant', 'P1'],
      ['b.jpg', 'normal', 'P1'],
    ]);
    const labelled = await loadDataset(`folder:${dir}`, { size: S });
    assert.deepEqual(labelled.items.map((s) => `${s.id}:${s.label}:${s.patientId}`), ['a:malignant:P1', 'b:normal:P1']);
  }));

test('synthetic: loads with the requested counts and a readable full-resolution item', async () => {
  const ds = await loadDataset('synthetic:site-b?count=10&malignant=0.5&normal=2&seed=3', { size: 32 });
  const counts = { benign: 0, malignant: 0, normal: 0 };
  for (const s of ds.items) counts[s.label]++;
  assert.deepEqual(counts, { benign: 4, malignant: 4, normal: 2 });
  assert.equal(ds.slug, 'synthetic-site-b-count10-malignant0.5-normal2-seed3');
  const full = await ds.readFullResolution(ds.items[0].id);
  assert.deepEqual({ width: full.width, height: full.height }, ds.items[0].original);
});

test('limit picks evenly across the dataset, keeping every class', () =>
  withDir(async (dir) => {
    makeBusiFixture(dir);
    const ds = await loadDataset(`busi:${dir}`, { size: S, limit: 2 });
    assert.deepEqual(ds.items.map((s) => s.label), ['benign', 'malignant']);
  }));
