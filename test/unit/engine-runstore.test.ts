import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadCheckpoint, saveCheckpoint } from '../../src/engine/model/checkpoint';
import { loadPredictor, ModelDescription } from '../../src/engine/model/predictor';
import { createUNet } from '../../src/engine/model/unet';
import { writeFileAtomic } from '../../src/engine/runs/atomicWrite';
import { readMetrics } from '../../src/engine/runs/metricsFile';
import { listRuns } from '../../src/engine/runs/runFolder';
import { RunStore } from '../../src/engine/runs/runStore';
import type { Tensor4D } from '../../src/engine/tf';
import { engineTf } from '../helpers/tf';

const root = join(__dirname, '..', '..');

test('a process killed while rewriting run.json leaves a complete previous version', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bus-lab-atomic-'));
  const path = join(dir, 'run.json');
  await writeFileAtomic(path, JSON.stringify({ version: 0, pad: '' }));
  // The child rewrites a 4 MB run.json in a loop; we kill it mid-write several times.
  const script = `
    const { writeFileAtomic } = require(${JSON.stringify(join(root, 'src/engine/runs/atomicWrite.ts'))});
    (async () => { for (let i = 1; ; i++) await writeFileAtomic(${JSON.stringify(path)}, JSON.stringify({ version: i, pad: 'x'.repeat(4e6) })); })();`;
  for (let k = 0; k < 3; k++) {
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 700 + 150 * k));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    const parsed = JSON.parse(readFileSync(path, 'utf8'));
    assert.equal(typeof parsed.version, 'number');
  }
  // Temporary files may be left by the kill, but never under the real name.
  assert.ok(readdirSync(dir).includes('run.json'));
});

test('run store: unique ids, run.json round trip, metrics tolerate a torn last line', async () => {
  const store = new RunStore(mkdtempSync(join(tmpdir(), 'bus-lab-runs-')));
  const id = store.newRunId('birads', new Date('2026-01-02T03:04:05Z'));
  assert.equal(id, '20260102-030405-birads');
  const now = new Date().toISOString();
  const record = { formatVersion: 1 as const, id, name: 'birads', status: 'running' as const, config: {} as never, versions: {}, createdAt: now, updatedAt: now, epochsCompleted: 0, evaluated: [] };
  await store.create(record);
  assert.equal(store.newRunId('birads', new Date('2026-01-02T03:04:05Z')), '20260102-030405-birads-2');
  assert.deepEqual((await store.readRecord(id)).status, 'running');
  await store.appendMetrics(id, [{ type: 'step', epoch: 1, step: 1, globalStep: 1, losses: { total: 1 }, learningRate: 1e-3, imagesPerSecond: 2, time: now }]);
  writeFileSync(join(store.runDir(id), 'metrics.jsonl'), readFileSync(join(store.runDir(id), 'metrics.jsonl'), 'utf8') + '{"type":"ep', 'utf8');
  assert.equal((await readMetrics(store.runDir(id))).records.length, 1);
  assert.equal((await listRuns(store.runsDir)).runs.length, 1);
});

test('a checkpoint round-trips the network: the predictor reproduces the trained outputs', async () => {
  const tf = await engineTf();
  const dir = mkdtempSync(join(tmpdir(), 'bus-lab-ckpt-'));
  const options = { baseWidth: 4, depth: 4, withClassifier: true, seed: 3 };
  const net = createUNet(tf, options);
  // Move batch-norm statistics away from their initial values so the test sees them restored.
  const x = tf.randomUniform([2, 32, 32, 1], 0, 1, 'float32', 1) as Tensor4D;
  tf.tidy(() => net.forward(x, true).seg);
  net.commitBatchNormUpdates();
  const description: ModelDescription = { architecture: 'unet', inputSize: 32, method: 'mtl', ...options };
  await saveCheckpoint(tf, join(dir, 'model'), description, net.variables, { epoch: 1 });
  await saveCheckpoint(tf, join(dir, 'model'), description, net.variables, { epoch: 2 });
  assert.equal(readdirSync(join(dir, 'model')).filter((f) => f.endsWith('.bin')).length, 1, 'stale weight files are removed');
  const { manifest } = await loadCheckpoint(tf, join(dir, 'model'));
  assert.equal(manifest.state.epoch, 2);
  const expected = tf.tidy(() => net.forward(x, false).seg);
  const predictor = await loadPredictor(tf, dir);
  const { seg, pMalignant } = await predictor.predict((await x.data()) as Float32Array, 2);
  const ref = await expected.data();
  let maxDiff = 0;
  for (let i = 0; i < ref.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ref[i] - seg[i]));
  assert.ok(maxDiff < 1e-5, `max difference ${maxDiff}`);
  assert.ok(pMalignant.every((p) => p > 0 && p < 1));
  predictor.dispose();
  net.dispose();
  tf.dispose([x, expected]);
});
