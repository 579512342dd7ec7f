// The exported ONNX model, run in ONNX Runtime on real BUSI images, predicts what the engine
// predicts (mask and p_malignant within 1e-4). Skips visibly without the datasets.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { initBackend } from '../../src/engine/backend';
import { loadDataset } from '../../src/engine/data';
import { exportRunToOnnx } from '../../src/engine/export/exportOnnx';
import { loadPredictor } from '../../src/engine/model/predictor';
import { REAL, skipUnlessPresent } from '../helpers/datasets';
import { trainTinyRun } from '../helpers/tinyRun';

const BUSI = join(REAL.busi, 'Dataset_BUSI_with_GT');

test('ONNX Runtime on the exported model equals the engine on real BUSI images (1e-4)', { skip: skipUnlessPresent(BUSI) }, async () => {
  const S = 64;
  const run = await trainTinyRun('birads', { imageSize: S });
  const file = join(mkdtempSync(join(tmpdir(), 'bus-lab-onnx-busi-')), 'model.onnx');
  // The engine's default backend (wasm with the native accelerator where it is built).
  const { tf } = await initBackend('auto');
  await exportRunToOnnx(tf, run.dir, file);
  const ds = await loadDataset(`busi:${BUSI}`, { size: S, limit: 40, includeNormal: true });
  const n = ds.items.length;
  assert.ok(n >= 30, `only ${n} BUSI images loaded`);
  assert.ok(new Set(ds.items.map((s) => s.label)).size === 3, 'benign, malignant and normal images');
  const px = S * S;
  const images = new Float32Array(n * px);
  ds.items.forEach((s, i) => images.set(s.image, i * px));

  const predictor = await loadPredictor(tf, run.dir);
  const engine = await predictor.predict(images, n);
  predictor.dispose();
  const session = await ort.InferenceSession.create(file);
  const res = await session.run({ image: new ort.Tensor('float32', images, [n, 1, S, S]) });
  await session.release();

  const mask = res.mask.data as Float32Array;
  const pm = res.p_malignant.data as Float32Array;
  let dMask = 0;
  for (let i = 0; i < mask.length; i++) dMask = Math.max(dMask, Math.abs(mask[i] - engine.seg[i]));
  let dP = 0;
  for (let i = 0; i < n; i++) dP = Math.max(dP, Math.abs(pm[i] - engine.pMalignant[i]));
  assert.ok(dMask < 1e-4, `mask differs by up to ${dMask}`);
  assert.ok(dP < 1e-4, `p_malignant differs by up to ${dP}`);
  // Not a degenerate model: the masks vary across images.
  const means = Array.from({ length: n }, (_, i) => mask.subarray(i * px, (i + 1) * px).reduce((a, b) => a + b, 0) / px);
  assert.ok(Math.max(...means) - Math.min(...means) > 1e-3, 'the predicted masks differ between images');
});
