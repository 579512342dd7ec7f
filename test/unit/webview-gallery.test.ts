/**
 * Mask-gallery view model: per_image.csv rows as gallery items through the host's reader
 * (engine/runs: quoted ids, feature column pairs, missing values, the picture named by the
 * `file` column), sort (worst Dice first, missing last), label filter, file-name search,
 * pagination, matching a second run; the webview's CSV/Markdown export; and the mask contour /
 * heat-map pixel code.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { parseCsv } from '../../src/engine/data/tabular/csv';
import { toCsv, toMarkdownTable } from '../../src/webviews/common/csv';
import { readGalleryDataset } from '../../src/webviews/host/runFiles';
import {
  filterItems,
  galleryView,
  indexForCompare,
  labelCounts,
  paginate,
  parseNumber,
  sortItems,
  stem,
  type GalleryItem,
} from '../../src/webviews/gallery/viewModel';
import { heatColor, heatmapRgba, maskContour, maskFromRgba, paintMask } from '../../src/webviews/common/masks';

const CSV = [
  'id,file,label,patientId,dice,iou,hd95,precision,recall,pMalignant,phi_pred,true_shapeIrregularity,pred_shapeIrregularity,true_orientation,pred_orientation',
  '"benign (1)",benign_1,benign,p1,0.9,0.8,3.5,0.9,0.9,0.1,0.3,0.2,0.25,0.5,0.4',
  '"malignant (2)",malignant_2,malignant,p2,0.3,0.2,20,0.5,0.4,0.8,,0.7,,0.9,0.6',
  '"normal (3)",normal_3,normal,p3,,,,,,0.05,,,,,',
  '"with ""quote"", comma",q_4,malignant,p4,0.6,0.5,8,0.7,0.6,0.7,,0.6,0.6,0.6,0.6',
].join('\r\n');

/** A run folder whose eval/<slug>/ holds `csv` as per_image.csv (and `pictures` under images/). */
function runWith(slug: string, csv: string, pictures: string[] = []): string {
  const runDir = mkdtempSync(join(tmpdir(), 'bus-lab-gallery-'));
  mkdirSync(join(runDir, 'eval', slug, 'images'), { recursive: true });
  writeFileSync(join(runDir, 'eval', slug, 'per_image.csv'), csv);
  for (const p of pictures) writeFileSync(join(runDir, 'eval', slug, 'images', p), '');
  return runDir;
}

let read: { items: GalleryItem[]; features: string[] };
before(async () => {
  // A picture named after the id exists too: the reader must still take the file column's name.
  const ds = await readGalleryDataset(runWith('busi', CSV, ['benign (1).png', 'benign_1.png']), 'busi');
  assert.ok(ds);
  read = ds;
});

function items(): GalleryItem[] {
  return read.items.map((i) => ({ ...i }));
}

describe('CSV export', () => {
  it('round-trips through toCsv and neutralises formulas', () => {
    const csv = toCsv(['a', 'b'], [['=cmd()', 'x,"y"'], [-0.5, null]]);
    assert.equal(csv, `a,b\n'=cmd(),"x,""y"""\n-0.5,\n`);
    assert.deepEqual(parseCsv(csv)[2], ['-0.5', '']);
  });
  it('Markdown table escapes pipes and aligns', () => {
    assert.equal(toMarkdownTable(['A', 'B'], [['a|b', 1]], ['l', 'r']), '| A | B |\n| --- | ---: |\n| a\\|b | 1 |\n');
  });
});

describe('gallery items from per_image.csv (engine/runs)', () => {
  it('reads core columns, quoted ids, missing numbers as null', () => {
    const it0 = items();
    assert.equal(it0.length, 4);
    assert.equal(it0[0].id, 'benign (1)');
    assert.equal(it0[0].file, 'benign_1');
    assert.equal(it0[0].dice, 0.9);
    assert.equal(it0[2].dice, null);
    assert.equal(it0[3].label, 'malignant');
    assert.equal(it0[3].id, 'with "quote", comma');
    assert.equal(it0[0].extra.phi_pred, 0.3);
    assert.equal(it0[1].extra.phi_pred, null);
  });
  it('names each picture by the file column, never by guessing among schemes', () => {
    assert.deepEqual(
      items().map((i) => i.png),
      ['benign_1.png', 'malignant_2.png', 'normal_3.png', 'q_4.png'],
    );
  });
  it('pairs true_/pred_ feature columns (a missing side is null)', () => {
    assert.deepEqual(read.features, ['shapeIrregularity', 'orientation']);
    assert.deepEqual(items()[0].features.shapeIrregularity, { true: 0.2, pred: 0.25 });
    assert.deepEqual(items()[1].features.shapeIrregularity, { true: 0.7, pred: null });
  });
  it('parseNumber and stem', () => {
    assert.equal(parseNumber('NaN'), null);
    assert.equal(parseNumber(' 0.5 '), 0.5);
    assert.equal(parseNumber('abc'), null);
    assert.equal(stem('a/b/case 1.bmp'), 'case 1');
    assert.equal(stem('noext'), 'noext');
  });
  it('uses the id when the file column is empty; a malformed table is no dataset', async () => {
    const ds = await readGalleryDataset(runWith('x', 'id,file,label,dice\nx1,,benign,0.5\n'), 'x');
    assert.equal(ds?.items[0].file, 'x1');
    assert.equal(ds?.items[0].png, 'x1.png');
    assert.equal(await readGalleryDataset(runWith('y', 'id,file,label,dice\nx1,x1,alien,0.5\n'), 'y'), undefined);
  });
});

describe('sort, filter, search, paginate', () => {
  it('sorts by Dice worst first by default with missing values last', () => {
    assert.deepEqual(
      sortItems(items(), 'dice-asc').map((i) => i.dice),
      [0.3, 0.6, 0.9, null],
    );
    assert.deepEqual(
      sortItems(items(), 'dice-desc').map((i) => i.dice),
      [0.9, 0.6, 0.3, null],
    );
    assert.deepEqual(
      sortItems(items(), 'pMalignant-desc').map((i) => i.pMalignant),
      [0.8, 0.7, 0.1, 0.05],
    );
  });
  it('sorts file names naturally', () => {
    const its = ['img10', 'img2', 'Img1'].map((f) => ({ ...items()[0], file: f, id: f }));
    assert.deepEqual(
      sortItems(its, 'file').map((i) => i.file),
      ['Img1', 'img2', 'img10'],
    );
  });
  it('filters by label and by words in the file name (case-insensitive, all words)', () => {
    assert.equal(filterItems(items(), { label: 'malignant' }).length, 2);
    assert.equal(filterItems(items(), { label: 'all', search: 'BENIGN' }).length, 1);
    assert.equal(filterItems(items(), { search: 'malignant 2' }).length, 1);
    assert.equal(filterItems(items(), { search: 'zzz' }).length, 0);
    assert.deepEqual(labelCounts(items()), { benign: 1, malignant: 2, normal: 1, unknown: 0 });
  });
  it('paginates 754 items and clamps the page', () => {
    const many = Array.from({ length: 754 }, (_, i) => i);
    const p = paginate(many, 15, 48);
    assert.equal(p.pageCount, 16);
    assert.equal(p.page, 15);
    assert.equal(p.items.length, 754 - 15 * 48);
    assert.equal(paginate(many, 99, 48).page, 15);
    assert.equal(paginate(many, -3, 48).page, 0);
    assert.equal(paginate([], 0, 48).pageCount, 1);
    const v = galleryView(items(), { sort: 'dice-asc', filter: { label: 'malignant' }, page: 0, pageSize: 1 });
    assert.equal(v.total, 2);
    assert.equal(v.items[0].dice, 0.3);
  });
  it('matches a second run by id, then by file stem', () => {
    const other = items().map((i) => ({ ...i, dice: (i.dice ?? 0) / 2 }));
    const find = indexForCompare(other);
    assert.equal(find(items()[0])?.dice, 0.45);
    const renamed = [{ ...items()[1], id: 'different', file: 'malignant_2.png' }];
    assert.equal(indexForCompare(renamed)(items()[1])?.id, 'different');
  });
});

describe('mask pixels', () => {
  const W = 6;
  const H = 5;
  function rgbaSquare(): Uint8ClampedArray {
    // a 3x3 square at x 1..3, y 1..3
    const out = new Uint8ClampedArray(W * H * 4);
    for (let y = 1; y <= 3; y++) for (let x = 1; x <= 3; x++) out.set([255, 255, 255, 255], (y * W + x) * 4);
    for (let i = 3; i < out.length; i += 4) out[i] = 255;
    return out;
  }
  it('thresholds a grey mask and finds its contour (inside pixels next to outside)', () => {
    const m = maskFromRgba(rgbaSquare(), W, H);
    assert.equal(
      m.reduce((a, b) => a + b, 0),
      9,
    );
    const c = maskContour(m, W, H, 1);
    assert.equal(
      c.reduce((a, b) => a + b, 0),
      8,
    );
    assert.equal(c[2 * W + 2], 0, 'the centre is not on the contour');
  });
  it('a mask touching the border has its border pixels on the contour; thickness grows it', () => {
    const full = new Uint8Array(W * H).fill(1);
    const c = maskContour(full, W, H, 1);
    assert.equal(
      c.reduce((a, b) => a + b, 0),
      2 * W + 2 * (H - 2),
    );
    const thick = maskContour(maskFromRgba(rgbaSquare(), W, H), W, H, 3);
    assert.ok(thick.reduce((a, b) => a + b, 0) > 9);
  });
  it('paints a colour where set, transparent elsewhere', () => {
    const out = new Uint8ClampedArray(4 * 2);
    paintMask(new Uint8Array([1, 0]), [10, 20, 30], 200, out);
    assert.deepEqual([...out], [10, 20, 30, 200, 0, 0, 0, 0]);
  });
  it('heat colours run dark to bright; alpha grows with probability', () => {
    assert.deepEqual(heatColor(0), [0, 0, 4]);
    assert.deepEqual(heatColor(1), [252, 255, 164]);
    assert.deepEqual(heatColor(2), heatColor(1));
    const out = new Uint8ClampedArray(8);
    heatmapRgba(new Uint8ClampedArray([0, 0, 0, 255, 255, 255, 255, 255]), out);
    assert.equal(out[3], 0);
    assert.equal(out[7], 170);
  });
});
