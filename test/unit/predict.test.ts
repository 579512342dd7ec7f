import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { parseCsv } from '../../src/engine/data/tabular/csv';
import { computePhi } from '../../src/engine/losses/biradsConsistency';
import { listInputImages } from '../../src/engine/predict/inputImages';
import { contourPixels } from '../../src/engine/predict/overlay';
import { computePhiValue, PhiModel } from '../../src/engine/predict/phi';
import { predictImages } from '../../src/engine/predict/predictImages';
import { tempDir, writeGreyPng } from '../helpers/datasets';
import { engineTf } from '../helpers/tf';
import { TinyRun, trainTinyRun } from '../helpers/tinyRun';

const root = join(__dirname, '..', '..');
const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(root, 'test/helpers/cli.ts'), ...args], { cwd: root, encoding: 'utf8' });

let run: TinyRun;
const { dir: work } = tempDir('bus-lab-predict-');
const input = join(work, 'input');

/** A speckled grey image with a dark elliptical "lesion", any size. */
function phantom(width: number, height: number, seed: number): Uint8Array {
  const px = new Uint8Array(width * height);
  let s = seed;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      const inside = ((x - width / 2) / (width / 5)) ** 2 + ((y - height / 2) / (height / 7)) ** 2 < 1;
      px[y * width + x] = (inside ? 30 : 140) + (s % 60);
    }
  }
  return px;
}

before(async () => {
  run = await trainTinyRun('birads');
  writeGreyPng(join(input, 'a.png'), 70, 50, phantom(70, 50, 1));
  writeGreyPng(join(input, 'nested', 'b (2).png'), 33, 41, phantom(33, 41, 2));
  const rgba = Buffer.alloc(40 * 30 * 4);
  phantom(40, 30, 3).forEach((v, i) => rgba.set([v, v, v, 255], i * 4));
  writeFileSync(join(input, 'c.JPG'), jpeg.encode({ data: rgba, width: 40, height: 30 }, 90).data);
  writeFileSync(join(input, 'broken.png'), Buffer.from('not a picture'));
  writeFileSync(join(input, 'notes.txt'), 'not an image, not listed');
});

function readPng(file: string): PNG {
  return PNG.sync.read(readFileSync(file));
}

test('listInputImages: a file, or the PNG and JPEG files of a folder and its sub-folders, sorted; never the output folder', async () => {
  mkdirSync(join(input, 'out-inside', 'masks'), { recursive: true });
  writeGreyPng(join(input, 'out-inside', 'masks', 'a.png'), 2, 2, [0, 0, 0, 0]);
  const all = await listInputImages(input, { exclude: join(input, 'out-inside') });
  assert.deepEqual(all.map((i) => i.file), ['a.png', 'broken.png', 'c.JPG', 'nested/b (2).png']);
  assert.deepEqual((await listInputImages(join(input, 'a.png'))).map((i) => i.file), ['a.png']);
  await assert.rejects(listInputImages(join(work, 'missing')), /missing: no such file or folder/);
  mkdirSync(join(work, 'empty'), { recursive: true });
  await assert.rejects(listInputImages(join(work, 'empty')), /no PNG or JPEG images/);
});

test('predictImages writes a mask, an overlay and a probability map per image at its size, and predictions.csv', async () => {
  const tf = await engineTf();
  const outDir = join(work, 'out');
  const skipped: string[] = [];
  const images = await listInputImages(input, { exclude: join(input, 'out-inside') });
  const summary = await predictImages({ tf, runDir: run.dir, images, outDir, pixelSizeMm: 0.1, onSkip: (f) => skipped.push(f) });
  assert.equal(summary.complete, true);
  assert.deepEqual(skipped, ['broken.png']);
  assert.match(summary.skipped[0].reason, /broken\.png: not a PNG or JPEG image/);
  assert.deepEqual(summary.rows.map((r) => [r.file, r.name, r.width, r.height]), [
    ['a.png', 'a', 70, 50],
    ['c.JPG', 'c', 40, 30],
    ['nested/b (2).png', 'nested_b_2', 33, 41],
  ]);
  for (const r of summary.rows) {
    const mask = readPng(join(outDir, 'masks', `${r.name}.png`));
    const overlay = readPng(join(outDir, 'overlays', `${r.name}.png`));
    const prob = readPng(join(outDir, 'prob', `${r.name}.png`));
    for (const p of [mask, overlay, prob]) assert.deepEqual([p.width, p.height], [r.width, r.height]);
    let lesion = 0;
    for (let i = 0; i < r.width * r.height; i++) {
      const v = mask.data[i * 4];
      assert.ok(v === 0 || v === 255, 'binary mask');
      if (v === 255) lesion++;
    }
    assert.equal(r.lesionAreaPx, lesion);
    assert.ok(Math.abs((r.lesionAreaMm2 ?? NaN) - lesion * 0.01) < 1e-9);
    assert.ok(r.pMalignant !== undefined && r.pMalignant >= 0 && r.pMalignant <= 1);
    assert.equal(r.prediction, r.pMalignant >= r.threshold! ? 'malignant' : 'benign');
    if (lesion > 0) assert.ok(Object.values(r.features).every((v) => typeof v === 'number' && Number.isFinite(v)), JSON.stringify(r.features));
  }
  const [header, ...rows] = parseCsv(readFileSync(summary.csv, 'utf8')).filter((r) => r.join('') !== '');
  const csv = { header, rows };
  assert.deepEqual(csv.header, [
    'file', 'name', 'width', 'height', 'p_malignant', 'prediction', 'phi',
    'shapeIrregularity', 'orientation', 'marginIrregularity', 'ellipseDeviation',
    'lesion_area_px', 'lesion_area_mm2', 'threshold',
  ]);
  assert.deepEqual(csv.rows.map((r) => r[0]), ['a.png', 'c.JPG', 'nested/b (2).png']);
  const stored = JSON.parse(readFileSync(join(run.dir, 'model', 'model.json'), 'utf8')).state.classificationThreshold;
  assert.ok(csv.rows.every((r) => Number(r[13]) === Number(Number(stored).toPrecision(8))), 'the run\'s own threshold by default');
});

test('phi of plain numbers equals the consistency loss\'s phi', async () => {
  const tf = await engineTf();
  const ids = ['shapeIrregularity', 'orientation', 'marginIrregularity', 'ellipseDeviation'];
  const model: PhiModel = {
    featureIds: ids,
    weights: [0.7, -1.2, 0.3, 2.1],
    bias: -0.4,
    normalisation: { shapeIrregularity: { mean: 0.3, std: 0.1 }, orientation: { mean: 0.5, std: 0.0001 }, marginIrregularity: { mean: 0.2, std: 0.3 } },
  };
  const values = [
    [0.35, 0.52, 0.1, 0.4],
    [0.1, 0.49, 0.6, 0.05],
  ];
  const features = Object.fromEntries(ids.map((id, k) => [id, tf.tensor1d(values.map((v) => v[k]))]));
  const expected = await computePhi(tf, features as never, ids, model.normalisation, tf.tensor1d(model.weights), tf.tensor1d([model.bias])).data();
  values.forEach((v, i) => {
    const got = computePhiValue(model, Object.fromEntries(ids.map((id, k) => [id, v[k]])));
    assert.ok(Math.abs(got! - expected[i]) < 1e-6, `${got} vs ${expected[i]}`);
  });
  assert.equal(computePhiValue(model, { shapeIrregularity: 1 }), undefined, 'a missing feature gives no phi');
});

test('contourPixels marks lesion pixels that touch background or the border', () => {
  const mask = Uint8Array.from([0, 0, 0, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1]); // 4x4, lesion in the lower right 3x3
  assert.deepEqual(Array.from(contourPixels(mask, 4, 4)), [0, 0, 0, 0, 0, 1, 1, 1, 0, 1, 0, 1, 0, 1, 1, 1]);
});

test('bus-lab predict --json: warnings name skipped files, the summary is the last line; bad usage exits 2 with one line', () => {
  const outDir = join(work, 'cli-out');
  const r = cli(['predict', '--run', run.dir, '--input', input, '--out', outDir, '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /warning: skipped .*broken\.png: not a PNG or JPEG image/);
  const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  // out-inside/masks/a.png (a folder of a previous test) is an input here: only --out is excluded.
  assert.equal(summary.predicted, 4);
  assert.deepEqual(summary.skipped.map((s: { file: string }) => s.file), ['broken.png']);
  assert.ok(existsSync(join(outDir, 'predictions.csv')));

  const cases: [string[], RegExp][] = [
    [['--input', input, '--out', outDir], /--run RUN_DIR is required/],
    [['--run', run.dir, '--input', join(work, 'nope'), '--out', outDir], /nope: no such file or folder/],
    [['--run', run.dir, '--input', input, '--out', outDir, '--threshold', '2'], /--threshold: must be between 0 and 1/],
  ];
  for (const [args, pattern] of cases) {
    const bad = cli(['predict', ...args]);
    assert.equal(bad.status, 2, `${args.join(' ')}: exit ${bad.status}, stderr ${bad.stderr}`);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    assert.match(bad.stderr, pattern);
  }
  const none = cli(['predict', '--run', run.dir, '--input', join(input, 'broken.png'), '--out', join(work, 'none')]);
  assert.equal(none.status, 1, 'nothing readable: failed');
});
