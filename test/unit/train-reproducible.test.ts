/**
 * Same seed, same thread count: the same bits. Two `bus-lab train` runs of a width-16 U-Net at
 * 64 px (its 3x3 layers at 64, 32 and 16 px are the ones where the accelerator may run Winograd)
 * with one fixed thread must write identical losses, validation metrics and weights. Guards
 * against any choice that depends on timing or load (a per-shape algorithm picked by timing did).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const root = join(__dirname, '..', '..');
const CLI = ['--import', 'tsx', join(root, 'test/helpers/cli.ts')];
const env = { ...process.env, OMP_NUM_THREADS: '1', OMP_WAIT_POLICY: 'passive' };
const out = mkdtempSync(join(tmpdir(), 'bus-lab-repro-'));

function train(name: string): string {
  const dir = join(out, name);
  const args = ['train', '--method', 'birads', '--train', 'synthetic:site-a?count=24', '--epochs', '2', '--size', '64', '--width', '16', '--batch', '4', '--seed', '5', '--out', dir];
  const r = spawnSync(process.execPath, [...CLI, ...args], { cwd: root, encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stderr);
  const [run] = readdirSync(dir);
  return join(dir, run!);
}

/** Epoch losses and validation metrics, without the timings. */
function epochs(run: string): unknown[] {
  return readFileSync(join(run, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; losses?: unknown; val?: unknown })
    .filter((r) => r.type === 'epoch')
    .map((r) => ({ losses: r.losses, val: r.val }));
}

function weights(run: string): Buffer {
  const file = readdirSync(join(run, 'model')).find((f) => f.endsWith('.bin'))!;
  return readFileSync(join(run, 'model', file));
}

describe('reproducible training', () => {
  after(() => rmSync(out, { recursive: true, force: true }));

  it('the same seed and thread count give identical metrics and weights', { timeout: 300_000 }, () => {
    const a = train('a');
    const b = train('b');
    assert.deepEqual(epochs(b), epochs(a));
    assert.ok(weights(a).equals(weights(b)), 'the best checkpoints differ');
  });
});
