/**
 * docs/SCALING.md's SLURM array script and Kubernetes indexed-Job command, run as local processes
 * started at once over one --out on a 4-run synthetic grid; and two plain `ablate`s at once.
 * `bus-lab` is the CLI from sources (a shim on PATH).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const root = join(__dirname, '..', '..');
const doc = readFileSync(join(root, 'docs/SCALING.md'), 'utf8');

function shim(): string {
  const bin = mkdtempSync(join(tmpdir(), 'bus-lab-bin-'));
  writeFileSync(join(bin, 'bus-lab'), `#!/bin/sh\nexec "${process.execPath}" --import tsx "${join(root, 'test/helpers/cli.ts')}" "$@"\n`);
  chmodSync(join(bin, 'bus-lab'), 0o755);
  return bin;
}
const bin = shim();

function grid(): { config: string; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'bus-lab-scale-'));
  const config = join(dir, 'grid.json');
  writeFileSync(
    config,
    JSON.stringify({
      name: 'grid',
      train: 'synthetic:site-a?count=20',
      external: ['synthetic:site-b?count=6'],
      seeds: [1, 2],
      baseline: 'single',
      settings: { imageSize: 16, epochs: 1, batchSize: 8, baseWidth: 4, backend: 'wasm', augment: false, cacheDir: join(dir, 'cache') },
      methods: ['single', 'mtl'],
    }),
  );
  return { config, out: join(dir, 'out') };
}

interface Ended {
  code: number | null;
  out: string;
}

/** Runs `sh -c script` once per env, all at once. */
function together(script: string, envs: Record<string, string>[]): Promise<Ended[]> {
  return Promise.all(
    envs.map(
      (extra) =>
        new Promise<Ended>((resolve) => {
          const child = spawn('/bin/bash', ['-c', script], {
            cwd: root,
            env: { ...process.env, OMP_NUM_THREADS: '1', OMP_WAIT_POLICY: 'passive', PATH: `${bin}:${process.env.PATH}`, ...extra },
          });
          let out = '';
          child.stdout.on('data', (d) => (out += d));
          child.stderr.on('data', (d) => (out += d));
          child.on('exit', (code) => resolve({ code, out }));
        }),
    ),
  );
}

/** Exactly the 4 runs, finished, each trained once: one epoch record, step records without repeats. */
function checkGrid(out: string, logs: string[]): void {
  const runs = readdirSync(out, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  assert.deepEqual(runs, ['mtl-seed1', 'mtl-seed2', 'single-seed1', 'single-seed2']);
  for (const run of runs) {
    assert.equal(JSON.parse(readFileSync(join(out, run, 'run.json'), 'utf8')).status, 'finished', run);
    const records = readFileSync(join(out, run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(records.filter((r) => r.type === 'epoch').map((r) => r.epoch), [1], `${run}: one epoch record`);
    const steps = records.filter((r) => r.type === 'step').map((r) => r.globalStep);
    assert.deepEqual(steps, [...new Set(steps)], `${run}: no repeated steps`);
    const starts = logs.join('\n').match(new RegExp(`${run}: (starting|resuming)`, 'g')) ?? [];
    assert.equal(starts.length, 1, `${run} trained once: ${logs.join('\n')}`);
  }
}

/** A plain ablate afterwards trains nothing and writes the comparison. */
function plainAfterwards(config: string, out: string): void {
  const r = spawnSync('/bin/bash', ['-c', `bus-lab ablate "${config}" --out "${out}"`], { cwd: root, encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal((r.stdout.match(/finished, skipping/g) ?? []).length, 4, r.stdout);
  assert.doesNotMatch(r.stdout, /starting|resuming/);
  assert.ok(readdirSync(out).includes('comparison.json'));
}

test('the SLURM array script of docs/SCALING.md, as 2 tasks at once: exactly the 4 runs, then a plain ablate trains nothing and compares', async () => {
  const block = /```bash\n(#!\/bin\/bash\n#SBATCH[\s\S]*?)```/.exec(doc);
  assert.ok(block, 'the sbatch script in docs/SCALING.md');
  const { config, out } = grid();
  const tasks = [0, 1].map((id) => ({ SLURM_ARRAY_TASK_ID: String(id), SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_COUNT: '2', SLURM_CPUS_PER_TASK: '1', CONFIG: config, OUT: out }));
  const ended = await together(block[1], tasks);
  for (const e of ended) assert.equal(e.code, 0, e.out);
  checkGrid(out, ended.map((e) => e.out));
  assert.deepEqual(readdirSync(out).filter((n) => n.startsWith('ablation.shard-')).sort(), ['ablation.shard-1-of-2.json', 'ablation.shard-2-of-2.json']);
  plainAfterwards(config, out);
});

test('the Kubernetes indexed-Job command of docs/SCALING.md, as 2 pods at once: exactly the 4 runs, then a plain ablate trains nothing and compares', async () => {
  const args = /args: \['(.*)'\]/.exec(doc);
  assert.ok(args && /completionMode: Indexed/.test(doc), 'the Job manifest in docs/SCALING.md');
  const { config, out } = grid();
  const pods = [0, 1].map((i) => ({ JOB_COMPLETION_INDEX: String(i), SHARDS: '2', CONFIG: config, OUT: out }));
  const ended = await together(args[1], pods);
  for (const e of ended) assert.equal(e.code, 0, e.out);
  checkGrid(out, ended.map((e) => e.out));
  plainAfterwards(config, out);
});

test('two plain ablates at once on one grid train each run once; a run the other holds is named with its holder', async () => {
  const { config, out } = grid();
  const ended = await together(`bus-lab ablate "${config}" --out "${out}"`, [{}, {}]);
  const logs = ended.map((e) => e.out);
  checkGrid(out, logs);
  for (const e of ended) {
    // Exit 1 only for a process that skipped a run the other still held, named in one line.
    if (e.code !== 0) {
      assert.equal(e.code, 1, e.out);
      assert.match(e.out, /in use \((ablate) by pid \d+ on .+ since .+\), skipping/);
    }
  }
  plainAfterwards(config, out);
});
