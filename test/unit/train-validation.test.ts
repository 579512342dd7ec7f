// Validate first (issue 15): configuration errors exit 2 before a run folder exists, a resumed run
// loads no code named in its run.json, and --resume cannot leave --out.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runTraining } from '../../src/engine/train/trainer';
import type { TrainConfig } from '../../src/engine/types';

const root = join(__dirname, '..', '..');
const fixtures = join(root, 'test', 'fixtures', 'plugins');

function cli(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(root, 'test/helpers/cli.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1', OMP_WAIT_POLICY: 'passive', ...env },
  });
}

test('unknown features, extra losses and methods exit 2 with one line and make no run folder', () => {
  const out = mkdtempSync(join(tmpdir(), 'bus-lab-validate-'));
  const cases: [string[], RegExp][] = [
    [['--features', 'bogus'], /features: unknown feature 'bogus' \(known: shapeIrregularity/],
    [['--method', 'mtl', '--extra-loss', 'nope:1'], /extraLosses: unknown loss 'nope'/],
    [['--method', 'Segmentation'], /method: unknown method 'Segmentation'/],
    [['--resume', '../../x'], /--resume: run id '\.\.\/\.\.\/x' is not a folder name inside the runs folder/],
    [['--resume', '/etc'], /--resume: run id '\/etc' is not a folder name/],
  ];
  for (const [args, pattern] of cases) {
    const r = cli(['train', '--out', join(out, 'runs'), '--train', 'synthetic:site-a?count=20', '--size', '32', '--epochs', '1', '--backend', 'wasm', '--no-cache', ...args]);
    assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status}, stderr ${r.stderr}`);
    const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('backend:'));
    assert.equal(lines.length, 1, `one line: ${r.stderr}`);
    assert.match(lines[0], pattern);
  }
  assert.deepEqual(readdirSync(out), [], 'no runs folder, no run folder');
});

test('resume never loads the plugins or the accelerator named in run.json; a run with plugins asks for them again', async () => {
  const runsDir = mkdtempSync(join(tmpdir(), 'bus-lab-resume-code-'));
  const marker = join(runsDir, 'loaded.txt');
  const tversky = join(fixtures, 'tversky-plugin.js');
  const abort = new AbortController();
  const config: Partial<TrainConfig> = {
    method: 'mtl',
    extraLosses: [{ id: 'test/tversky', weight: 1 }],
    plugins: [{ modulePath: tversky, source: 'cli' }],
    train: 'synthetic:site-a?count=40',
    imageSize: 32,
    baseWidth: 4,
    batchSize: 8,
    epochs: 1,
    backend: 'wasm',
  };
  const cancelled = await runTraining(config, { runsDir, signal: abort.signal, onEvent: (e) => e.type === 'step' && abort.abort() });
  assert.equal(cancelled.status, 'cancelled', cancelled.error);
  // Someone edits the shared run folder: its run.json now names code to run.
  const file = join(runsDir, cancelled.id, 'run.json');
  const record = JSON.parse(readFileSync(file, 'utf8'));
  const evil = join(fixtures, 'marker-plugin.js');
  record.config.plugins = [{ modulePath: evil, source: 'cli' }, { modulePath: tversky, source: 'cli' }];
  record.config.accelerator = evil;
  record.config.nativeModulesPath = fixtures;
  writeFileSync(file, JSON.stringify(record));
  process.env.BUS_LAB_TEST_MARKER = marker;
  try {
    const r = cli(['train', '--out', runsDir, '--resume', cancelled.id], { BUS_LAB_TEST_MARKER: marker });
    assert.equal(r.status, 2, r.stderr);
    assert.equal(
      r.stderr.trim(),
      `bus-lab train: resume: run ${cancelled.id} was trained with plugins marker-plugin.js, tversky-plugin.js: pass them again with --plugin (plugin paths are never read from run.json)`,
    );
    const resumed = await runTraining({ plugins: [{ modulePath: tversky, source: 'cli' }] }, { runsDir, runId: cancelled.id, resume: true });
    assert.equal(resumed.status, 'finished', resumed.error);
    assert.equal(existsSync(marker), false, `a file named in run.json was loaded: ${existsSync(marker) ? readFileSync(marker, 'utf8') : ''}`);
    const after = JSON.parse(readFileSync(file, 'utf8'));
    assert.deepEqual(after.config.plugins.map((p: { modulePath: string }) => p.modulePath), [tversky], 'run.json records the plugins actually used');
    assert.equal(after.config.accelerator, undefined);
  } finally {
    delete process.env.BUS_LAB_TEST_MARKER;
  }
});

test('ablate checks every variant (method, features, extra losses) before its first run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bus-lab-ablate-validate-'));
  const cases: [unknown, RegExp][] = [
    [{ name: 'late-typo', method: 'birads', features: ['orientation', 'bogus'] }, /variant 'late-typo': features: unknown feature 'bogus'/],
    [{ name: 'extra', method: 'mtl', extraLosses: [{ id: 'nope', weight: 1 }] }, /variant 'extra': extraLosses: unknown loss 'nope'/],
    [{ name: 'mystery', method: 'nope' }, /mystery.*unknown method 'nope'/],
  ];
  for (const [variant, pattern] of cases) {
    const file = join(dir, 'grid.json');
    const grid = {
      name: 'grid',
      train: 'synthetic:site-a?count=20',
      external: [],
      seeds: [1],
      settings: { imageSize: 32, epochs: 1, batchSize: 8, baseWidth: 4, backend: 'wasm' },
      methods: ['single', variant],
    };
    writeFileSync(file, JSON.stringify(grid));
    const out = join(dir, 'out');
    const r = cli(['ablate', file, '--out', out]);
    assert.equal(r.status, 2, `exit ${r.status}; ${r.stderr}`);
    assert.match(r.stderr.trim(), pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.equal(existsSync(out) ? readdirSync(out).length : 0, 0, 'nothing trained before the bad variant was found');
  }
});
