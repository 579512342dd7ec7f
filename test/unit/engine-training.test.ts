import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readMetrics } from '../../src/engine/runs/metricsFile';
import { readRunRecord } from '../../src/engine/runs/runFolder';
import { runTraining } from '../../src/engine/train/trainer';
import type { MetricsRecord, TrainConfig, TrainEvent } from '../../src/engine/types';
import { engineTf } from '../helpers/tf';

const root = join(__dirname, '..', '..');
const tiny: Partial<TrainConfig> = {
  train: 'synthetic:site-a?count=40',
  external: ['synthetic:site-b?count=8'],
  imageSize: 32,
  baseWidth: 8,
  batchSize: 8,
  learningRate: 3e-3,
  backend: 'wasm',
};

const epochRecords = (m: MetricsRecord[]) => m.filter((r): r is Extract<MetricsRecord, { type: 'epoch' }> => r.type === 'epoch');

test('a short birads training improves validation Dice, writes the run folder and evaluates externally', async () => {
  const runsDir = mkdtempSync(join(tmpdir(), 'bus-lab-train-'));
  const events: TrainEvent['type'][] = [];
  const tf = await engineTf();
  const tensorsAtStep: number[] = [];
  const record = await runTraining(
    { ...tiny, method: 'birads', epochs: 5 },
    {
      runsDir,
      onEvent: (e) => {
        events.push(e.type);
        if (e.type === 'step') tensorsAtStep.push(tf.memory().numTensors);
      },
    },
  );
  assert.equal(record.status, 'finished', record.error);
  const dir = join(runsDir, record.id);
  const epochs = epochRecords((await readMetrics(dir)).records);
  assert.equal(epochs.length, 5);
  const first = epochs[0].val.dice;
  const best = Math.max(...epochs.map((e) => e.val.dice));
  assert.ok(best > first, `validation Dice never rose above its first epoch (${first})`);
  for (const term of ['segmentation', 'classification', 'consistency', 'total']) assert.ok(term in epochs[0].losses, `loss term ${term} recorded`);
  assert.ok(epochs[4].phiScatter && epochs[4].phiScatter.length > 0, 'phi scatter recorded');
  assert.ok(epochs[4].featureWeights && 'shapeIrregularity' in epochs[4].featureWeights);
  assert.ok(existsSync(join(dir, 'model', 'model.json')) && existsSync(join(dir, 'checkpoint', 'model.json')));
  assert.deepEqual(record.evaluated, readdirSync(join(dir, 'eval')));
  assert.ok(existsSync(join(dir, 'eval', record.evaluated[0], 'summary.json')));
  assert.deepEqual(events.filter((e) => e !== 'log' && e !== 'step' && e !== 'evaluation').slice(0, 2), ['started', 'epoch']);
  assert.equal(events.at(-1), 'finished');
  // No tensor leaks: after the first epoch's warm-up the count is the same at every step.
  const steady = tensorsAtStep.slice(tensorsAtStep.length / 5);
  assert.ok(steady.every((n) => n === steady[0]), `tensor count drifts: ${steady.join(',')}`);
  const onDisk = await readRunRecord(dir);
  assert.equal(onDisk.status, 'finished');
  assert.equal(onDisk.backend?.name, 'wasm');
  assert.equal(onDisk.bestValDice, best);
});

test('cancel stops at the next step, leaves a resumable run, and resume finishes it', async () => {
  const runsDir = mkdtempSync(join(tmpdir(), 'bus-lab-cancel-'));
  const abort = new AbortController();
  let steps = 0;
  const cancelled = await runTraining(
    { ...tiny, method: 'mtl', epochs: 2, external: [] },
    {
      runsDir,
      signal: abort.signal,
      onEvent: (e) => {
        if (e.type === 'step' && ++steps === 6) abort.abort();
      },
    },
  );
  assert.equal(cancelled.status, 'cancelled');
  const dir = join(runsDir, cancelled.id);
  const ckpt = JSON.parse(readFileSync(join(dir, 'checkpoint', 'model.json'), 'utf8'));
  assert.equal(ckpt.state.globalStep, 6, 'stopped right after the step that saw the cancel');
  const resumed = await runTraining({}, { runsDir, runId: cancelled.id, resume: true });
  assert.equal(resumed.status, 'finished', resumed.error);
  assert.equal(resumed.epochsCompleted, 2);
  const steps2 = (await readMetrics(dir)).records.filter((r) => r.type === 'step').map((r) => (r as { globalStep: number }).globalStep);
  assert.deepEqual(steps2, Array.from({ length: steps2.length }, (_, i) => i + 1), 'resume continues the step count without gaps or repeats');
  await assert.rejects(runTraining({}, { runsDir, runId: cancelled.id, resume: true }), /already finished/);
});

test('a plugin loss that returns NaN fails the run with a message naming the plugin and step', async () => {
  const runsDir = mkdtempSync(join(tmpdir(), 'bus-lab-plugin-'));
  const record = await runTraining(
    { ...tiny, method: 'mtl', epochs: 1, external: [], plugins: [{ modulePath: join(root, 'test/fixtures/plugins/bad-plugin.js'), source: 'cli' }], extraLosses: [{ id: 'bad/nan', weight: 1 }] },
    { runsDir },
  );
  assert.equal(record.status, 'failed');
  assert.match(record.error ?? '', /bad\/nan.*NaN at epoch 1, step 1.*plugin/);
  assert.equal((await readRunRecord(join(runsDir, record.id))).status, 'failed');
});

function cli(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(root, 'test/helpers/cli.ts'), ...args], { cwd: root, encoding: 'utf8' });
}

test('bad configuration: one-line error naming the field, exit code 2, no run folder marked finished', () => {
  const out = mkdtempSync(join(tmpdir(), 'bus-lab-cli-'));
  const cases: [string[], RegExp][] = [
    [['--method', 'nope'], /method: unknown method 'nope'/],
    [['--epochs', '-1'], /epochs: must be a positive integer/],
    [['--train', 'busi:/definitely/not/here'], /\/definitely\/not\/here/],
    [['--colour', 'red'], /unknown option --colour/],
    [['--train', 'imagenet:/x'], /imagenet/],
  ];
  for (const [args, pattern] of cases) {
    const r = cli(['train', '--out', out, '--size', '32', '--epochs', '1', ...args]);
    assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status}, stderr ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `one line: ${r.stderr}`);
    assert.match(lines[0], pattern);
  }
  assert.deepEqual(readdirSync(out), [], 'no run folder was created');
});
