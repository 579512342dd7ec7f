import assert from 'node:assert/strict';
import { readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadDataset, LoadStats } from '../../src/engine/data';
import { makeBusiFixture, patternImage, tempDir, writeGreyPngRgb } from '../helpers/datasets';

async function load(spec: string, cacheDir: string | undefined) {
  let stats: LoadStats | undefined;
  const ds = await loadDataset(spec, { size: 24, cacheDir, onStats: (s) => (stats = s) });
  assert.ok(stats);
  return { ds, stats };
}

function allFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);
}

test('a second load reads the cache, gives identical arrays, and never leaves temporary files', async () => {
  const { dir, cleanup } = tempDir();
  try {
    makeBusiFixture(join(dir, 'data'));
    const cache = join(dir, 'cache');
    const cold = await load(`busi:${dir}/data`, cache);
    assert.deepEqual([cold.stats.decoded, cold.stats.fromCache], [4, 0]);
    const warm = await load(`busi:${dir}/data`, cache);
    assert.deepEqual([warm.stats.decoded, warm.stats.fromCache], [0, 4]);
    for (let i = 0; i < 4; i++) {
      assert.deepEqual(warm.ds.items[i].image, cold.ds.items[i].image);
      assert.deepEqual(warm.ds.items[i].mask, cold.ds.items[i].mask);
      assert.deepEqual(warm.ds.items[i].original, cold.ds.items[i].original);
    }
    const files = allFiles(cache);
    assert.equal(files.length, 4);
    assert.ok(files.every((f) => f.endsWith('.bin')), files.join(', '));
    // Another working size is another entry.
    await loadDataset(`busi:${dir}/data`, { size: 20, cacheDir: cache });
    assert.equal(allFiles(cache).length, 8);
  } finally {
    cleanup();
  }
});

test('changing a source file (content or mtime) invalidates its entry only', async () => {
  const { dir, cleanup } = tempDir();
  try {
    makeBusiFixture(join(dir, 'data'));
    const cache = join(dir, 'cache');
    const before = await load(`busi:${dir}/data`, cache);
    const image = join(dir, 'data', 'Dataset_BUSI_with_GT', 'benign', 'benign (2).png');
    writeGreyPngRgb(image, patternImage(40, 32, 99));
    const after = await load(`busi:${dir}/data`, cache);
    assert.deepEqual([after.stats.decoded, after.stats.fromCache], [1, 3]);
    assert.notDeepEqual(after.ds.items[1].image, before.ds.items[1].image);
    const mask = join(dir, 'data', 'Dataset_BUSI_with_GT', 'benign', 'benign (1)_mask_1.png');
    utimesSync(mask, new Date(), new Date(Date.now() + 5000));
    const touched = await load(`busi:${dir}/data`, cache);
    assert.deepEqual([touched.stats.decoded, touched.stats.fromCache], [1, 3]);
  } finally {
    cleanup();
  }
});

test('no cacheDir means no cache; synthetic data is never cached (it is cheaper to regenerate)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    makeBusiFixture(join(dir, 'data'));
    const a = await load(`busi:${dir}/data`, undefined);
    const b = await load(`busi:${dir}/data`, undefined);
    assert.equal(a.stats.decoded + b.stats.decoded, 8);
    const cache = join(dir, 'cache');
    await load('synthetic:site-a?count=3', cache);
    const again = await load('synthetic:site-a?count=3', cache);
    assert.equal(again.stats.decoded, 3);
    assert.deepEqual(readdirSync(dir).sort(), ['data']);
  } finally {
    cleanup();
  }
});

test('a damaged cache entry is ignored and rebuilt', async () => {
  const { dir, cleanup } = tempDir();
  try {
    makeBusiFixture(join(dir, 'data'));
    const cache = join(dir, 'cache');
    const cold = await load(`busi:${dir}/data`, cache);
    const entryDir = join(cache, 'busi-24');
    const victim = join(entryDir, readdirSync(entryDir)[0]);
    writeFileSync(victim, readFileSync(victim).subarray(0, 100));
    const again = await load(`busi:${dir}/data`, cache);
    assert.deepEqual([again.stats.decoded, again.stats.fromCache], [1, 3]);
    assert.deepEqual(again.ds.items.map((s) => s.image), cold.ds.items.map((s) => s.image));
    const healed = await load(`busi:${dir}/data`, cache);
    assert.equal(healed.stats.fromCache, 4);
  } finally {
    cleanup();
  }
});
