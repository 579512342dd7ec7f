/**
 * Run folders under kills, signals and concurrent writers, through the real CLI (from sources) on
 * tiny synthetic data: SIGKILL at seeded points then --resume, SIGTERM, a second writer, and the
 * metrics file after a kill between an epoch's records and its checkpoint.
 */
import assert from 'node:assert/strict';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readMetrics } from '../../src/engine/runs/metricsFile';
import { readRunRecord } from '../../src/engine/runs/runFolder';
import { readRunLock } from '../../src/engine/runs/runLock';
import { runStatusOf } from '../../src/engine/runs/runStatus';
import { runTraining } from '../../src/engine/train/trainer';
import type { MetricsRecord } from '../../src/engine/types';

const root = join(__dirname, '..', '..');
const env = { ...process.env, OMP_NUM_THREADS: '1', OMP_WAIT_POLICY: 'passive' };
/** 3 training batches per epoch, 2 epochs, one small external set: a few seconds per run. */
const TINY = ['--train', 'synthetic:site-a?count=30', '--external', 'synthetic:site-b?count=6', '--size', '16', '--width', '4', '--batch', '8', '--epochs', '2', '--method', 'mtl', '--backend', 'wasm', '--no-cache', '--lr', '0.003'];
const CLI = ['--import', 'tsx', join(root, 'test/helpers/cli.ts')];

function cli(args: string[]) {
  return spawnSync(process.execPath, [...CLI, ...args], { cwd: root, encoding: 'utf8', env });
}

function start(args: string[]): ChildProcess & { stderrText: () => string } {
  const child = spawn(process.execPath, [...CLI, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  child.stdout!.resume();
  return Object.assign(child, { stderrText: () => err });
}

const exited = (child: ChildProcess) => new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

const onlyRun = (out: string) => readdirSync(out).find((n) => !n.startsWith('.'));
function metrics(dir: string): MetricsRecord[] {
  if (!existsSync(join(dir, 'metrics.jsonl'))) return [];
  return readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.endsWith('}'))
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as MetricsRecord];
      } catch {
        return [];
      }
    });
}
const epochsOf = (m: MetricsRecord[]) => m.filter((r) => r.type === 'epoch').map((r) => r.epoch);
const stepsOf = (m: MetricsRecord[]) => m.filter((r) => r.type === 'step').map((r) => (r as { globalStep: number }).globalStep);

/** The uninterrupted reference run (trained once). */
let reference: { bestValDice: number; dice: number } | undefined;
async function referenceResult() {
  if (reference) return reference;
  const out = mkdtempSync(join(tmpdir(), 'bus-lab-ref-'));
  const r = cli(['train', ...TINY, '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  const dir = join(out, onlyRun(out)!);
  reference = { bestValDice: (await readRunRecord(dir)).bestValDice!, dice: evalDice(dir) };
  return reference;
}
function evalDice(dir: string): number {
  const slug = readdirSync(join(dir, 'eval'))[0];
  return JSON.parse(readFileSync(join(dir, 'eval', slug, 'summary.json'), 'utf8')).metrics.dice.mean;
}

/** A small seeded generator (mulberry32), so the kill points are the same on every run. */
function seeded(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('SIGKILL at seeded points (loading, first epoch, checkpoint writes, second epoch, evaluation), each followed by --resume: the result of an uninterrupted run, no duplicate records', async (t) => {
  const ref = await referenceResult();
  const rand = seeded(15);
  const steps = 3; // batches per epoch (24 training images / 8)

  // Killed while loading: either no run folder yet, or one that resumes (checked with the rest).
  const early = mkdtempSync(join(tmpdir(), 'bus-lab-kill-'));
  const loading = start(['train', ...TINY, '--out', early]);
  const loadingDone = exited(loading);
  await sleep(300 + rand() * 1500);
  loading.kill('SIGKILL');
  await loadingDone;
  const earlyId = onlyRun(early);
  t.diagnostic(`loading: ${earlyId ? readdirSync(join(early, earlyId)).join(',') : 'no run folder'}`);
  if (earlyId) assert.ok(!existsSync(join(early, earlyId, 'checkpoint')), 'killed while loading');

  // One run killed at each later point in turn, every process after the first a --resume; the
  // probes only become true through progress the new process makes.
  const out = earlyId && existsSync(join(early, earlyId, 'run.json')) ? early : mkdtempSync(join(tmpdir(), 'bus-lab-kill-'));
  const points: { name: string; when: (dir: string) => boolean }[] = [
    { name: 'first epoch, before any checkpoint', when: (d) => stepsOf(metrics(d)).length >= 1 + Math.floor(rand() * (steps - 1)) },
    { name: 'first checkpoint being written', when: (d) => existsSync(join(d, 'checkpoint')) },
    { name: 'second epoch', when: (d) => stepsOf(metrics(d)).length >= steps + 1 + Math.floor(rand() * (steps - 1)) },
    { name: 'second checkpoint being written', when: (d) => epochsOf(metrics(d)).includes(2) },
    { name: 'evaluation', when: (d) => existsSync(join(d, 'eval')) },
  ];
  for (const point of points) {
    const id = onlyRun(out);
    const child = start(id ? ['train', '--resume', id, '--out', out] : ['train', ...TINY, '--out', out]);
    const done = exited(child);
    await until(point.name, () => {
      const name = onlyRun(out);
      return name !== undefined && existsSync(join(out, name, 'run.json')) && point.when(join(out, name));
    });
    child.kill('SIGKILL');
    const { signal } = await done;
    assert.equal(signal, 'SIGKILL', `${point.name}: the run ended before the kill (${child.stderrText()})`);
    const dir = join(out, onlyRun(out)!);
    const record = await readRunRecord(dir);
    t.diagnostic(`${point.name}: killed with ${record.epochsCompleted} epochs done, checkpoint ${existsSync(join(dir, 'checkpoint', 'model.json')) ? 'present' : 'absent'}, ${stepsOf(metrics(dir)).length} step records`);
    assert.equal(record.status, 'running');
    assert.equal(runStatusOf(dir, record), 'interrupted', `${point.name}: a killed run shows as interrupted`);
  }
  const id = onlyRun(out)!;
  const dir = join(out, id);
  const listed = cli(['runs', '--out', out, '--json']);
  assert.equal(listed.status, 0, listed.stderr);
  assert.match(listed.stderr, new RegExp(`${id}\\s+interrupted\\s+epoch 2/2`));
  assert.deepEqual(JSON.parse(listed.stdout.trim().split('\n').at(-1)!).map((x: { status: string; resumable: boolean }) => [x.status, x.resumable]), [['interrupted', true]]);
  const r = cli(['train', '--resume', id, '--out', out]);
  assert.equal(r.status, 0, `final resume exit ${r.status}: ${r.stderr}`);
  const after = await readRunRecord(dir);
  assert.equal(after.status, 'finished');
  assert.deepEqual(epochsOf(metrics(dir)), [1, 2], 'each epoch recorded once');
  assert.deepEqual(stepsOf(metrics(dir)), [1, 2, 3, 4, 5, 6], 'each step recorded once');
  assert.equal(after.bestValDice, ref.bestValDice, 'best validation Dice as uninterrupted');
  assert.equal(evalDice(dir), ref.dice, 'external Dice as uninterrupted');
  const stray = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? stray(join(d, e.name)) : e.name.includes('.tmp-') ? [e.name] : []));
  assert.deepEqual(stray(dir), [], 'no stray temporary files');
  assert.equal(readRunLock(dir), undefined, 'lock released');
});

test('SIGTERM stops as cleanly as Ctrl-C: exit 130, run cancelled with a checkpoint at its last step; a second writer meanwhile is refused naming the holder', async () => {
  const out = mkdtempSync(join(tmpdir(), 'bus-lab-term-'));
  const child = start(['train', ...TINY, '--epochs', '5000', '--out', out]);
  const done = exited(child);
  const dir = await until('the first checkpoint', () => {
    const id = onlyRun(out);
    return id && existsSync(join(out, id, 'checkpoint', 'model.json')) ? join(out, id) : undefined;
  });
  const id = onlyRun(out)!;
  const second = cli(['train', '--resume', id, '--out', out]);
  assert.notEqual(second.status, 0);
  const lines = second.stderr.trim().split('\n');
  assert.equal(lines.length, 1, second.stderr);
  assert.match(lines[0], new RegExp(`in use: train by pid ${child.pid} on ${hostname()} since \\d{4}-`));
  assert.equal(runStatusOf(dir, await readRunRecord(dir)), 'running');

  child.kill('SIGTERM');
  const { code } = await done;
  assert.equal(code, 130, child.stderrText());
  const record = await readRunRecord(dir);
  assert.equal(record.status, 'cancelled');
  assert.equal(readRunLock(dir), undefined, 'lock released');
  const ckpt = JSON.parse(readFileSync(join(dir, 'checkpoint', 'model.json'), 'utf8'));
  assert.equal(ckpt.state.globalStep, Math.max(...stepsOf(metrics(dir))), 'checkpoint at the last recorded step');
});

test('resume drops metrics records past the checkpoint (killed after an epoch was recorded, before it was saved) and a cut last line', async () => {
  const runsDir = mkdtempSync(join(tmpdir(), 'bus-lab-dup-'));
  const abort = new AbortController();
  let steps = 0;
  const config = { train: 'synthetic:site-a?count=30', external: [], imageSize: 16, baseWidth: 4, batchSize: 8, epochs: 2, method: 'mtl' as const, backend: 'wasm' as const };
  const cancelled = await runTraining(config, { runsDir, signal: abort.signal, onEvent: (e) => e.type === 'step' && ++steps === 4 && abort.abort() });
  assert.equal(cancelled.status, 'cancelled');
  const dir = join(runsDir, cancelled.id);
  // What a kill leaves when it lands after epoch 2's records were appended but before its checkpoint.
  const m = metrics(dir);
  const epoch1 = m.find((r) => r.type === 'epoch')!;
  const step4 = m.filter((r) => r.type === 'step').at(-1)!;
  appendFileSync(join(dir, 'metrics.jsonl'), [5, 6].map((g) => JSON.stringify({ ...step4, globalStep: g, step: g - 3 })).join('\n') + '\n');
  appendFileSync(join(dir, 'metrics.jsonl'), JSON.stringify({ ...epoch1, epoch: 2 }) + '\n{"type":"step","epo');
  const resumed = await runTraining({}, { runsDir, runId: cancelled.id, resume: true });
  assert.equal(resumed.status, 'finished', resumed.error);
  const after = await readMetrics(dir);
  assert.equal(after.badLines, 0);
  assert.deepEqual(epochsOf(after.records), [1, 2]);
  assert.deepEqual(stepsOf(after.records), [1, 2, 3, 4, 5, 6]);
});
