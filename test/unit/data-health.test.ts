import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkDataset } from '../../src/engine/data';
import { FIX_H, FIX_W, makeBusiFixture, makeBusuclmFixture, rectMask, tempDir, writeBitMask, writeGreyPng, writePng } from '../helpers/datasets';

test('health check finds every kind of problem in a BUSI-layout folder', async () => {
  const { dir, cleanup } = tempDir();
  try {
    makeBusiFixture(dir);
    const root = join(dir, 'Dataset_BUSI_with_GT');
    const b = (name: string) => join(root, 'benign', name);
    const m = (name: string) => join(root, 'malignant', name);
    // The same image filed as benign and as malignant (BUSI's known defect), and an exact duplicate within a class.
    copyFileSync(b('benign (1).png'), m('malignant (2).png'));
    writeBitMask(m('malignant (2)_mask.png'), FIX_W, FIX_H, rectMask(FIX_W, FIX_H, 1, 1, 6, 6));
    copyFileSync(b('benign (2).png'), b('benign (3).png'));
    copyFileSync(b('benign (2)_mask.png'), b('benign (3)_mask.png'));
    // Empty mask on a lesion image; a non-binary mask; a size mismatch; an unreadable image; orphans.
    writeGreyPng(b('benign (4).png'), FIX_W, FIX_H, new Uint8Array(FIX_W * FIX_H).fill(90));
    writeBitMask(b('benign (4)_mask.png'), FIX_W, FIX_H, new Uint8Array(FIX_W * FIX_H));
    writeGreyPng(b('benign (5).png'), FIX_W, FIX_H, new Uint8Array(FIX_W * FIX_H).fill(91));
    writeGreyPng(b('benign (5)_mask.png'), FIX_W, FIX_H, Array.from(rectMask(FIX_W, FIX_H, 3, 3, 9, 9)).map((v, i) => (v ? 255 : i % 17 === 0 ? 3 : 0)));
    writeGreyPng(b('benign (6).png'), FIX_W, FIX_H, new Uint8Array(FIX_W * FIX_H).fill(92));
    writeBitMask(b('benign (6)_mask.png'), FIX_W + 1, FIX_H, new Uint8Array((FIX_W + 1) * FIX_H));
    writeGreyPng(b('benign (7).png'), FIX_W, FIX_H, new Uint8Array(FIX_W * FIX_H).fill(93));
    writeBitMask(b('benign (7)_mask.png'), FIX_W, FIX_H, rectMask(FIX_W, FIX_H, 3, 3, 9, 9));
    writeFileSync(b('benign (7).png'), readFileSync(b('benign (7).png')).subarray(0, 40));
    writeGreyPng(b('benign (8).png'), FIX_W, FIX_H, new Uint8Array(FIX_W * FIX_H).fill(94));
    writeBitMask(b('benign (9)_mask.png'), FIX_W, FIX_H, rectMask(FIX_W, FIX_H, 3, 3, 9, 9));
    // A lesion drawn on a normal image.
    writePng(join(root, 'normal', 'normal (1)_mask.png'), { width: FIX_W, height: FIX_H, colorType: 0, bitDepth: 8, samples: Array.from(rectMask(FIX_W, FIX_H, 0, 0, 4, 4)).map((v) => v * 255) });

    const progress: number[] = [];
    const r = await checkDataset(`busi:${dir}`, { onProgress: (d) => progress.push(d) });
    assert.equal(r.items, 10); // benign (8) has no mask, so it is not an item
    assert.deepEqual(r.counts, { benign: 7, malignant: 2, normal: 1 });
    assert.equal(progress.at(-1), 10);
    assert.deepEqual(r.unreadable.map((p) => p.file), [b('benign (7).png')]);
    assert.deepEqual(r.sizeMismatch.map((p) => p.file), [b('benign (6)_mask.png')]);
    assert.deepEqual(r.emptyMasks.map((p) => p.file), [b('benign (4)_mask.png')]);
    assert.deepEqual(r.nonBinaryMasks.map((p) => p.file), [b('benign (5)_mask.png')]);
    assert.equal(r.masksOnNormal.length, 1);
    assert.deepEqual(r.imagesWithoutMasks.map((p) => p.file), [b('benign (8).png')]);
    assert.deepEqual(r.masksWithoutImages.map((p) => p.file), [b('benign (9)_mask.png')]);
    assert.deepEqual(
      r.duplicates.map((d) => d.ids),
      [['benign_1', 'malignant_2'], ['benign_2', 'benign_3']],
    );
    assert.deepEqual(r.conflictingDuplicates.map((d) => d.labels), [['benign', 'malignant']]);
    assert.equal(r.problems, 9);
    JSON.parse(JSON.stringify(r)); // plain JSON for the extension
  } finally {
    cleanup();
  }
});

test('health check: clean data has no findings; colour masks allow exactly black, green and red', async () => {
  const { dir, cleanup } = tempDir();
  try {
    makeBusuclmFixture(dir);
    const clean = await checkDataset(`busuclm:${dir}`);
    assert.equal(clean.problems, 0, JSON.stringify(clean));
    assert.deepEqual(clean.counts, { benign: 1, malignant: 1, normal: 1 });
    const mask = Array.from(rectMask(FIX_W, FIX_H, 5, 5, 15, 15)).flatMap((v) => (v ? [0, 250, 0] : [0, 0, 0]));
    writePng(join(dir, 'masks', 'ALFA_000.png'), { width: FIX_W, height: FIX_H, colorType: 2, bitDepth: 8, samples: mask });
    const off = await checkDataset(`busuclm:${dir}`);
    assert.equal(off.nonBinaryMasks.length, 1);
    assert.match(off.nonBinaryMasks[0].reason, /^100 pixels/);
    const synthetic = await checkDataset('synthetic:site-b?count=4');
    assert.equal(synthetic.problems, 0);
  } finally {
    cleanup();
  }
});
