/**
 * Mask-gallery view model: per_image.csv parsed generically (quoted ids, feature column pairs,
 * missing values), sort (worst Dice first, missing last), label filter, file-name search,
 * pagination, matching a second run; and the mask contour / heat-map pixel code.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCsv, toCsv, toMarkdownTable } from '../../src/webviews/common/csv';
import {
  buildGalleryItems,
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
  'id,file,label,patientId,dice,iou,hd95,precision,recall,pMalignant,extraScore,true_shapeIrregularity,pred_shapeIrregularity,true_orientation,pred_orientation,pred_only',
  '"benign (1)",benign_1,benign,p1,0.9,0.8,3.5,0.9,0.9,0.1,1,0.2,0.25,0.5,0.4,7',
  '"malignant (2)",malignant_2,malignant,p2,0.3,0.2,20,0.5,0.4,0.8,2,0.7,0.5,0.9,0.6,',
  '"normal (3)",normal_3,normal,p3,,,,,,0.05,3,,,,,',
  '"with ""quote"", comma",q_4,Malignant,p4,0.6,0.5,8,0.7,0.6,0.7,4,0.6,0.6,0.6,0.6,',
].join('\r\n');

function items(): GalleryItem[] {
  return buildGalleryItems(parseCsv(CSV)).items;
}

describe('CSV', () => {
  it('parses quotes, doubled quotes, commas and CRLF; pads short rows', () => {
    const t = parseCsv('a,b,c\n"x,1","say ""hi"""\n\n3,4,5');
    assert.deepEqual(t.header, ['a', 'b', 'c']);
    assert.deepEqual(t.rows, [
      ['x,1', 'say "hi"', ''],
      ['3', '4', '5'],
    ]);
  });
  it('round-trips through toCsv and neutralises formulas', () => {
    const csv = toCsv(['a', 'b'], [['=cmd()', 'x,"y"'], [-0.5, null]]);
    assert.equal(csv, `a,b\n'=cmd(),"x,""y"""\n-0.5,\n`);
    assert.deepEqual(parseCsv(csv).rows[1], ['-0.5', '']);
  });
  it('Markdown table escapes pipes and aligns', () => {
    assert.equal(toMarkdownTable(['A', 'B'], [['a|b', 1]], ['l', 'r']), '| A | B |\n| --- | ---: |\n| a\\|b | 1 |\n');
  });
});

describe('gallery items from per_image.csv', () => {
  it('reads core columns, labels case-insensitively, missing numbers as null', () => {
    const it0 = items();
    assert.equal(it0.length, 4);
    assert.equal(it0[0].id, 'benign (1)');
    assert.equal(it0[0].file, 'benign_1');
    assert.equal(it0[0].png, 'benign_1.png');
    assert.equal(it0[0].dice, 0.9);
    assert.equal(it0[2].dice, null);
    assert.equal(it0[3].label, 'malignant');
    assert.equal(it0[3].id, 'with "quote", comma');
  });
  it('pairs true_/pred_ feature columns generically (and keeps one-sided ones)', () => {
    const { items: its, features } = buildGalleryItems(parseCsv(CSV));
    assert.deepEqual(features, ['shapeIrregularity', 'orientation', 'only']);
    assert.deepEqual(its[0].features.shapeIrregularity, { true: 0.2, pred: 0.25 });
    assert.deepEqual(its[0].features.only, { true: null, pred: 7 });
    assert.equal(its[0].extra.extraScore, 1);
    assert.equal(its[0].extra.patientId, null);
  });
  it('parseNumber and stem', () => {
    assert.equal(parseNumber('NaN'), null);
    assert.equal(parseNumber(' 0.5 '), 0.5);
    assert.equal(parseNumber('abc'), null);
    assert.equal(stem('a/b/case 1.bmp'), 'case 1');
    assert.equal(stem('noext'), 'noext');
  });
  it('uses the id when no file column exists, and a custom png naming', () => {
    const { items: its } = buildGalleryItems(parseCsv('id,dice\nx1,0.5\n'), (r) => `${r.id}.png`);
    assert.equal(its[0].file, 'x1');
    assert.equal(its[0].png, 'x1.png');
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
