/**
 * Stopping a CLI training whose thread is stuck in a plugin loss that never returns: the CLI's
 * main thread still answers (the training runs in a worker thread). A stop request it does not
 * acknowledge within BUS_LAB_STOP_GRACE_SECONDS ends it, as does a second Ctrl-C; the run is then
 * interrupted (no live lock) and resumable.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readRunRecord } from '../../src/engine/runs/runFolder';
import { runStatusOf } from '../../src/engine/runs/runStatus';

const root = join(__dirname, '..', '..');
const STUCK = ['--train', 'synthetic:site-a?count=16', '--size', '16', '--width', '4', '--batch', '8', '--epochs', '1', '--method', 'single', '--backend', 'wasm', '--no-cache', '--plugin', join(root, 'test/fixtures/plugins/stuck-loss.js'), '--extra-loss', 'stuck/loop:1'];

async function stuckTraining(signals: NodeJS.Signals[], graceSeconds: string) {
  const out = mkdtempSync(join(tmpdir(), 'bus-lab-stuck-'));
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test/helpers/cli.ts'), 'train', ...STUCK, '--out', out], {
    cwd: root,
    env: { ...process.env, OMP_NUM_THREADS: '1', OMP_WAIT_POLICY: 'passive', BUS_LAB_STOP_GRACE_SECONDS: graceSeconds },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d) => (stderr += d));
  child.stdout.on('data', (d) => (stdout += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  // The first step calls the stuck loss right after the 'training ...' line.
  for (let t = 0; !/training single/.test(stdout); t++) {
    assert.ok(t < 12_000, `the training did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  await new Promise((r) => setTimeout(r, 500));
  const asked = Date.now();
  for (const s of signals) {
    child.kill(s);
    await new Promise((r) => setTimeout(r, 200));
  }
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await exited;
  clearTimeout(killer);
  const id = readdirSync(out)[0];
  return { code, stderr, seconds: (Date.now() - asked) / 1000, dir: join(out, id) };
}

test('SIGTERM to a training stuck in a plugin: not acknowledged within the grace time, it is terminated; exit 130, the run interrupted', async () => {
  const r = await stuckTraining(['SIGTERM'], '1');
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /did not answer the stop request within 1 s and was terminated; run \S+ resumes .*--resume/);
  assert.ok(r.seconds < 30, `took ${r.seconds} s`);
  const record = await readRunRecord(r.dir);
  assert.equal(runStatusOf(r.dir, record), 'interrupted');
  assert.ok(!existsSync(join(r.dir, 'checkpoint')), 'nothing saved by a stuck training');
});

test('a second Ctrl-C quits at once, long before the grace time', async () => {
  const r = await stuckTraining(['SIGINT', 'SIGINT'], '60');
  assert.equal(r.code, 130, r.stderr);
  assert.ok(r.seconds < 30, `took ${r.seconds} s`);
  assert.equal(runStatusOf(r.dir, await readRunRecord(r.dir)), 'interrupted');
});
