/** Every kind of bad input gives one clear line naming the file or field; one broken item among good ones is skipped with a warning. */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadDataset } from '../../src/engine/data';
import { BREAST_COLUMNS, FIX_W, makeBreastFixture, makeBusbraFixture, makeBusiFixture, makeBusuclmFixture, makeUdiatFixture, rectMask, tempDir, writeBitMask, writeCsv } from '../helpers/datasets';

const S = 16;

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const { dir, cleanup } = tempDir();
  try {
    await fn(dir);
  } finally {
    cleanup();
  }
}

/** Asserts a rejection whose message is one line and matches every pattern. */
async function rejectsWith(p: Promise<unknown>, ...patterns: (RegExp | string)[]): Promise<void> {
  await assert.rejects(p, (err: Error) => {
    assert.doesNotMatch(err.message, /\n/, 'one line');
    for (const pat of patterns) {
      if (typeof pat === 'string') assert.ok(err.message.includes(pat), `'${err.message}' should mention '${pat}'`);
      else assert.match(err.message, pat);
    }
    return true;
  });
}

function truncate(file: string): void {
  const bytes = readFileSync(file);
  writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
}

test('a truncated PNG among good images is skipped with a warning naming it', () =>
  withDir(async (dir) => {
    makeBusiFixture(dir);
    const bad = join(dir, 'Dataset_BUSI_with_GT', 'benign', 'benign (2).png');
    truncate(bad);
    const warnings: string[] = [];
    const ds = await loadDataset(`busi:${dir}`, { size: S, onWarning: (m) => warnings.push(m) });
    assert.equal(ds.items.length, 3);
    assert.deepEqual(ds.skipped.map((s) => s.file), [bad]);
    assert.match(ds.skipped[0].reason, /truncated or corrupt PNG/);
    assert.equal(warnings.length, 1);
    assert.ok(warnings[0].includes(bad), warnings[0]);
    assert.match(warnings[0], /^BUSI: skipped 1 file: /);
  }));

test('a truncated PNG that leaves nothing usable fails naming the file', () =>
  withDir(async (dir) => {
    makeBusbraFixture(dir);
    const root = join(dir, 'BUSBRA');
    writeCsv(join(root, 'bus_data.csv'), [
      ['ID', 'Case', 'Pathology'],
      ['bus_0003-l', 3, 'malignant'],
    ]);
    rmSync(join(root, 'Images', 'bus_0003-r.png'));
    rmSync(join(root, 'Images', 'bus_0004-l.png'));
    rmSync(join(root, 'Masks', 'mask_0003-r.png'));
    rmSync(join(root, 'Masks', 'mask_0004-l.png'));
    const bad = join(root, 'Images', 'bus_0003-l.png');
    truncate(bad);
    await rejectsWith(loadDataset(`busbra:${dir}`, { size: S }), 'busbra: no usable images', bad, 'truncated or corrupt PNG');
  }));

test('a mask of the wrong size is skipped with a warning naming the mask; alone it fails naming it', () =>
  withDir(async (dir) => {
    makeBusiFixture(dir);
    const mask = join(dir, 'Dataset_BUSI_with_GT', 'malignant', 'malignant (1)_mask.png');
    writeBitMask(mask, FIX_W + 3, 20, rectMask(FIX_W + 3, 20, 1, 1, 5, 5));
    const warnings: string[] = [];
    const ds = await loadDataset(`busi:${dir}`, { size: S, onWarning: (m) => warnings.push(m) });
    assert.equal(ds.items.length, 3);
    assert.equal(ds.skipped[0].file, mask);
    assert.match(ds.skipped[0].reason, /mask is 43x20 but its image is 40x32/);
    assert.ok(warnings[0].includes(mask));
    for (const f of ['benign', 'normal']) rmSync(join(dir, 'Dataset_BUSI_with_GT', f), { recursive: true });
    await rejectsWith(loadDataset(`busi:${dir}`, { size: S }), 'busi: no usable images', mask, 'mask is 43x20');
  }));

test('a missing spreadsheet or csv is an error naming the expected file', () =>
  withDir(async (dir) => {
    await makeUdiatFixture(join(dir, 'udiat'));
    rmSync(join(dir, 'udiat', 'DatasetB.xlsx'));
    await rejectsWith(loadDataset(`udiat:${dir}/udiat`, { size: S }), `${join(dir, 'udiat', 'DatasetB.xlsx')}: file not found`);

    await makeBreastFixture(join(dir, 'breast'));
    rmSync(join(dir, 'breast', 'BrEaST-Lesions-USG-clinical-data-Dec-15-2023.xlsx'));
    await rejectsWith(loadDataset(`breast:${dir}/breast`, { size: S }), `breast: no clinical spreadsheet (*.xlsx) in ${join(dir, 'breast')}`);

    makeBusbraFixture(join(dir, 'busbra'));
    rmSync(join(dir, 'busbra', 'BUSBRA', 'bus_data.csv'));
    await rejectsWith(loadDataset(`busbra:${dir}/busbra`, { size: S }), `${join(dir, 'busbra', 'BUSBRA', 'bus_data.csv')}: file not found`);

    makeBusuclmFixture(join(dir, 'uclm'));
    rmSync(join(dir, 'uclm', 'INFO.csv'));
    await rejectsWith(loadDataset(`busuclm:${dir}/uclm`, { size: S }), `${join(dir, 'uclm', 'INFO.csv')}: file not found`);
  }));

test('a spreadsheet without the expected columns names the file and the columns', () =>
  withDir(async (dir) => {
    await makeBreastFixture(join(dir, 'breast'), BREAST_COLUMNS.filter((c) => c !== 'Classification'));
    await rejectsWith(loadDataset(`breast:${dir}/breast`, { size: S }), 'BrEaST-Lesions-USG-clinical-data-Dec-15-2023.xlsx: missing column Classification (found: CaseID');

    await makeUdiatFixture(join(dir, 'udiat'), ['Image', 'Diagnosis']);
    await rejectsWith(loadDataset(`udiat:${dir}/udiat`, { size: S }), 'DatasetB.xlsx: missing column Type');

    makeBusuclmFixture(join(dir, 'uclm'));
    writeCsv(join(dir, 'uclm', 'INFO.csv'), [['Image', 'Resolution'], ['ALFA_000.png', '0.1']], ';');
    await rejectsWith(loadDataset(`busuclm:${dir}/uclm`, { size: S }), 'INFO.csv: missing column Label');

    makeBusbraFixture(join(dir, 'busbra'));
    writeCsv(join(dir, 'busbra', 'BUSBRA', 'bus_data.csv'), [['ID', 'Case'], ['bus_0003-l', 3]]);
    await rejectsWith(loadDataset(`busbra:${dir}/busbra`, { size: S }), 'bus_data.csv: missing column Pathology');
  }));

test('an empty folder is a clear error for every file-based kind', () =>
  withDir(async (dir) => {
    await rejectsWith(loadDataset(`busi:${dir}`, { size: S }), `busi: no benign/, malignant/ or normal/ folder in ${dir}`);
    await rejectsWith(loadDataset(`breast:${dir}`, { size: S }), `breast: no clinical spreadsheet (*.xlsx) in ${dir}`);
    await rejectsWith(loadDataset(`busbra:${dir}`, { size: S }), `busbra: folder ${join(dir, 'Images')} does not exist`);
    await rejectsWith(loadDataset(`udiat:${dir}`, { size: S }), `udiat: folder ${join(dir, 'original')} does not exist`);
    await rejectsWith(loadDataset(`busuclm:${dir}`, { size: S }), `busuclm: folder ${join(dir, 'images')} does not exist`);
    await rejectsWith(loadDataset(`folder:${dir}`, { size: S }), `folder: folder ${join(dir, 'images')} does not exist`);
  }));

test('class folders without images, and a folder dataset without images, say so', () =>
  withDir(async (dir) => {
    makeBusiFixture(dir);
    const root = join(dir, 'Dataset_BUSI_with_GT');
    for (const f of ['benign', 'malignant', 'normal']) {
      rmSync(join(root, f), { recursive: true });
    }
    writeCsv(join(root, 'benign', 'readme.txt'), [['nothing here']]);
    await rejectsWith(loadDataset(`busi:${dir}`, { size: S }), `busi: no PNG images in the class folders of ${root}`);
    writeCsv(join(dir, 'f', 'images', 'notes.txt'), [['x']]);
    writeCsv(join(dir, 'f', 'masks', 'notes.txt'), [['x']]);
    await rejectsWith(loadDataset(`folder:${dir}/f`, { size: S }), `folder: no PNG or JPEG images in ${join(dir, 'f', 'images')}`);
  }));

test('a path that does not exist and an unknown kind are one-line errors naming them', async () => {
  await rejectsWith(loadDataset('busi:/definitely/not/here', { size: S }), 'busi: path /definitely/not/here does not exist');
  await rejectsWith(loadDataset('cifar:/data', { size: S }), "unknown dataset kind 'cifar'", 'breast, busi, busbra, udiat, busuclm, folder, synthetic');
});

test('an image listed in the spreadsheet but absent, and images without masks, are skipped and listed', () =>
  withDir(async (dir) => {
    await makeUdiatFixture(dir);
    rmSync(join(dir, 'original', '000002.png'));
    rmSync(join(dir, 'GT', '000001.png'));
    writeBitMask(join(dir, 'GT', '000001.png'), FIX_W, 32, rectMask(FIX_W, 32, 1, 1, 9, 9));
    writeBitMask(join(dir, 'GT', '000009.png'), FIX_W, 32, rectMask(FIX_W, 32, 1, 1, 9, 9));
    const ds = await loadDataset(`udiat:${dir}`, { size: S });
    assert.equal(ds.items.length, 1);
    const files = ds.skipped.map((s) => s.file).sort();
    assert.deepEqual(files, [join(dir, 'GT', '000002.png'), join(dir, 'GT', '000009.png'), join(dir, 'original', '000002.png')].sort());
  }));
