/**
 * The ONNX Runtime reference of `bench:compare` (bench/reference/ort_reference.ts) on a tiny net:
 * it exports the same U-Net as `bus-lab bench`, times it in onnxruntime-node's session and checks
 * ORT's mask against ours on the same batch. No timing is asserted.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { it } from 'node:test';
import { countUNetFlops } from '../../src/engine/bench/flops';

const root = join(__dirname, '..', '..');

it('prints one JSON line with ORT img/s, GFLOP/s and the mask difference against ours', () => {
  const script = join(root, 'bench', 'reference', 'ort_reference.ts');
  const args = ['--import', 'tsx', script, '--size', '32', '--batch', '2', '--width', '4', '--steps', '1', '--warmup', '0', '--threads', '1', '--backend', 'wasm'];
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1', OMP_WAIT_POLICY: 'passive' } });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1);
  const out = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.equal(out.runtime, 'onnxruntime-node');
  assert.equal(out.batch, 2);
  assert.equal(out.threads, 1);
  assert.ok((out.inferImagesPerSecond as number) > 0);
  assert.equal(out.forwardGflopPerImage, countUNetFlops({ size: 32, width: 4, depth: 4, withClassifier: true }) / 1e9);
  assert.ok(Math.abs((out.inferGflopsPerSecond as number) - (out.inferImagesPerSecond as number) * (out.forwardGflopPerImage as number)) < 1e-9);
  assert.ok(typeof out.maxAbsDiff === 'number' && out.maxAbsDiff < 1e-4, `max |ORT - ours| = ${String(out.maxAbsDiff)}`);
  assert.match(String(out.diffAgainst), /^wasm /);
  // The inference path bus-lab bench times: the native graph with the accelerator, else tfjs ops.
  assert.match(String(out.oursInference), /^(native oneDNN graph|tfjs ops)/);
  if (String(out.oursInference).startsWith('native')) assert.ok((out.maxAbsDiffOpByOp as number) < 1e-4);
});

it('refuses a size the U-Net cannot halve four times, with a usage exit', () => {
  const script = join(root, 'bench', 'reference', 'ort_reference.ts');
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, '--size', '40'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--size must be a multiple of 16/);
});
