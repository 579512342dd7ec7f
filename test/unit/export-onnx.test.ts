import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { loadDataset } from '../../src/engine/data';
import { decodeOnnxModel } from '../../src/engine/export/onnxBuilder';
import { loadPredictor } from '../../src/engine/model/predictor';
import { engineTf } from '../helpers/tf';
import { TinyRun, trainTinyRun } from '../helpers/tinyRun';

const root = join(__dirname, '..', '..');
const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(root, 'test/helpers/cli.ts'), ...args], { cwd: root, encoding: 'utf8' });

let birads: TinyRun;
let single: TinyRun;
const out = mkdtempSync(join(tmpdir(), 'bus-lab-onnx-'));

before(async () => {
  birads = await trainTinyRun('birads');
  single = await trainTinyRun('single');
});

function metadataOf(file: string): Record<string, string> {
  const model = decodeOnnxModel(readFileSync(file));
  return Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value]));
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
};

test('bus-lab export writes an ONNX model that ONNX Runtime runs like the engine, with its metadata', async () => {
  const file = join(out, 'birads.onnx');
  const r = cli(['export', '--run', birads.dir, '--out', file, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  assert.equal(result.file, file);
  assert.deepEqual(result.outputs, ['mask', 'p_malignant']);

  const meta = metadataOf(file);
  assert.equal(meta.run_id, birads.record.id);
  assert.equal(meta.method, 'birads');
  assert.equal(meta.image_size, '32');
  assert.equal(meta.training_dataset, 'synthetic site-a');
  assert.equal(meta.onnx_opset, '13');
  assert.match(meta.bus_lab_version, /^\d+\.\d+\.\d+/);
  assert.ok(Number.isFinite(Number(meta.classification_threshold)) && meta.classification_threshold !== '');
  assert.match(meta.preprocessing, /0\.299 R \+ 0\.587 G \+ 0\.114 B/);

  const session = await ort.InferenceSession.create(file);
  assert.deepEqual(session.inputNames, ['image']);
  assert.deepEqual(session.outputNames, ['mask', 'p_malignant']);
  // Synthetic images the run has not trained on, batch of 5 (the batch dimension is symbolic).
  const tf = await engineTf();
  const ds = await loadDataset('synthetic:site-b?count=5', { size: 32 });
  const px = 32 * 32;
  const images = new Float32Array(ds.items.length * px);
  ds.items.forEach((s, i) => images.set(s.image, i * px));
  const res = await session.run({ image: new ort.Tensor('float32', images, [ds.items.length, 1, 32, 32]) });
  assert.deepEqual(res.mask.dims, [5, 1, 32, 32]);
  assert.deepEqual(res.p_malignant.dims, [5, 1]);
  const mask = res.mask.data as Float32Array;
  const pm = res.p_malignant.data as Float32Array;
  assert.ok([...mask, ...pm].every((v) => v >= 0 && v <= 1), 'outputs in [0, 1]');

  const predictor = await loadPredictor(tf, birads.dir);
  try {
    const engine = await predictor.predict(images, ds.items.length);
    assert.ok(maxAbsDiff(mask, engine.seg) < 1e-4, `mask differs by ${maxAbsDiff(mask, engine.seg)}`);
    assert.ok(maxAbsDiff(pm, engine.pMalignant) < 1e-4, `p_malignant differs by ${maxAbsDiff(pm, engine.pMalignant)}`);
  } finally {
    predictor.dispose();
  }
  await session.release();
});

test('a segmentation-only run exports the mask output alone', async () => {
  const file = join(out, 'single.onnx');
  const r = cli(['export', '--run', single.dir, '--out', file]);
  assert.equal(r.status, 0, r.stderr);
  const session = await ort.InferenceSession.create(file);
  assert.deepEqual(session.outputNames, ['mask']);
  assert.equal(metadataOf(file).classification_threshold, '');
  const res = await session.run({ image: new ort.Tensor('float32', new Float32Array(32 * 32).fill(0.5), [1, 1, 32, 32]) });
  assert.deepEqual(res.mask.dims, [1, 1, 32, 32]);
  await session.release();
});

test('bad export usage: one line naming the option or file, non-zero exit, nothing written', () => {
  const file = join(out, 'never.onnx');
  const cases: [string[], number, RegExp][] = [
    [['--run', birads.dir, '--out', file, '--format', 'tflite'], 2, /--format: unknown format 'tflite'/],
    [['--out', file], 2, /--run RUN_DIR is required/],
    [['--run', birads.dir], 2, /--out FILE is required/],
    [['--run', join(out, 'no-such-run'), '--out', file], 2, /no-such-run/],
  ];
  for (const [args, code, pattern] of cases) {
    const r = cli(['export', ...args]);
    assert.equal(r.status, code, `${args.join(' ')}: exit ${r.status}, stderr ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `one line: ${r.stderr}`);
    assert.match(lines[0], pattern);
  }
  // A run without a best checkpoint (trained for no epoch yet): exit 1, naming the file.
  rmSync(join(single.dir, 'model'), { recursive: true, force: true });
  const r = cli(['export', '--run', single.dir, '--out', file]);
  assert.equal(r.status, 1);
  assert.match(r.stderr.trim(), /model\/model\.json: cannot read checkpoint/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.ok(!existsSync(file));
});
