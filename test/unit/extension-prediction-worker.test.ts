// Segment Image and Export Model as ONNX go through the real bundled engine worker
// (dist/engine-worker.js): the extension host only posts the request and gets the result. Also
// the message validation of both requests and of the Segmentation view. Skips the worker part
// visibly when the bundle is absent.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import type { TrainEvent } from '../../src/engine/types';
import { describeInvalidHostMessage } from '../../src/engine/worker/protocol';
import { EngineClient } from '../../src/extension/workerClient/engineClient';
import { parsePredictionMessage } from '../../src/webviews/protocol';
import { tempDir, writeGreyPng } from '../helpers/datasets';
import { TinyRun, trainTinyRun } from '../helpers/tinyRun';

const root = join(__dirname, '..', '..');
const workerPath = join(root, 'dist', 'engine-worker.js');
const skip = existsSync(workerPath) ? false : 'dist/engine-worker.js not built (npm run build)';

test('predict and exportOnnx requests are validated field by field', () => {
  assert.equal(describeInvalidHostMessage({ type: 'predict', runDir: '/r', input: '/i', outDir: '/o' }), undefined);
  assert.equal(describeInvalidHostMessage({ type: 'predict', runDir: '/r', input: '/i', outDir: '/o', threshold: 0.3 }), undefined);
  assert.match(describeInvalidHostMessage({ type: 'predict', runDir: '/r', outDir: '/o' })!, /predict: "input"/);
  assert.match(describeInvalidHostMessage({ type: 'predict', runDir: '/r', input: '/i', outDir: '/o', threshold: 3 })!, /threshold/);
  assert.equal(describeInvalidHostMessage({ type: 'exportOnnx', runDir: '/r', outFile: '/m.onnx' }), undefined);
  assert.match(describeInvalidHostMessage({ type: 'exportOnnx', runDir: '/r' })!, /exportOnnx: "outFile"/);
});

test('the Segmentation view may only ask to save a named mask or overlay', () => {
  assert.deepEqual(parsePredictionMessage({ type: 'saveOutput', name: 'benign_1', kind: 'mask' }), { type: 'saveOutput', name: 'benign_1', kind: 'mask' });
  assert.equal(parsePredictionMessage({ type: 'saveOutput', name: '../run.json', kind: 'mask' }), undefined);
  assert.equal(parsePredictionMessage({ type: 'saveOutput', name: 'a', kind: 'prob' }), undefined);
  assert.deepEqual(parsePredictionMessage({ type: 'ready' }), { type: 'ready' });
});

describe('Segment Image and Export Model as ONNX in the engine worker', { skip }, () => {
  let run: TinyRun;
  const { dir } = tempDir('bus-lab-ext-predict-');
  before(async () => {
    run = await trainTinyRun('mtl');
  });

  it('segments a folder: a result per image, skipped files reported as warnings and progress as events', { timeout: 120_000 }, async () => {
    writeGreyPng(join(dir, 'in', 'one.png'), 48, 40, Array.from({ length: 48 * 40 }, (_, i) => (i * 37) % 256));
    writeGreyPng(join(dir, 'in', 'two.png'), 30, 30, Array.from({ length: 900 }, (_, i) => (i * 11) % 256));
    writeFileSync(join(dir, 'in', 'bad.jpg'), 'nope');
    const events: TrainEvent[] = [];
    const engine = new EngineClient({ workerPath, workerData: () => ({ backend: 'auto' }), log: () => undefined });
    const summary = await engine.predict(run.dir, join(dir, 'in'), join(dir, 'out'), (e) => events.push(e)).result;
    assert.deepEqual(summary.rows.map((r) => r.file), ['one.png', 'two.png']);
    assert.deepEqual(summary.skipped.map((s) => s.file), ['bad.jpg']);
    assert.ok(events.some((e) => e.type === 'log' && e.level === 'warn' && /bad\.jpg/.test(e.message)));
    assert.ok(events.some((e) => e.type === 'evaluation' && e.dataset === 'predict' && e.done === e.total));
    assert.ok(existsSync(join(dir, 'out', 'overlays', 'one.png')) && existsSync(join(dir, 'out', 'predictions.csv')));
    assert.equal(summary.method, 'mtl');
    assert.ok(summary.rows.every((r) => r.phi === undefined), 'an mtl run has no phi');
  });

  it('exports an ONNX model that ONNX Runtime loads', { timeout: 120_000 }, async () => {
    const engine = new EngineClient({ workerPath, workerData: () => ({ backend: 'auto' }), log: () => undefined });
    const file = join(dir, 'model.onnx');
    const result = await engine.exportOnnx(run.dir, file).result;
    assert.equal(result.file, file);
    assert.equal(result.bytes, readFileSync(file).length);
    const session = await ort.InferenceSession.create(file);
    assert.deepEqual(session.outputNames, ['mask', 'p_malignant']);
    await session.release();
    await assert.rejects(engine.exportOnnx(join(dir, 'no-run'), file).result, /no-run/);
  });
});
