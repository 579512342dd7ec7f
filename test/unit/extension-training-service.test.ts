import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { acquireRunLock, readRunLock } from '../../src/engine/runs/runLock';
import { runStatusOf } from '../../src/engine/runs/runStatus';
import type { TrainEvent } from '../../src/engine/types';
import { EngineJob } from '../../src/extension/workerClient/engineJob';
import { DEFAULT_TRAIN_SETTINGS, completeTrainConfig } from '../../src/extension/train/trainConfigDefaults';
import { formatDuration, formatTrainEvent, initialProgress, progressMessage, reduceProgress, statusBarText } from '../../src/extension/train/trainingProgress';
import { TrainingBusyError, TrainingService, TrainingTerminatedError } from '../../src/extension/train/trainingService';

const fakeWorker = join(__dirname, 'extension-fixtures', 'fakeEngineWorker.cjs');
const config = (epochs: number) => completeTrainConfig({ train: 'synthetic:site-a', epochs }, DEFAULT_TRAIN_SETTINGS);
const service = () => new TrainingService((request, onEvent) => new EngineJob(request, { workerPath: fakeWorker, onEvent }));

describe('TrainingService', () => {
  it('starts, relays events, and finishes', async () => {
    const s = service();
    const events: string[] = [];
    s.onTrainEvent((e) => events.push(e.type));
    const started = await s.start({ config: config(2), runsDir: '/runs', runId: 'r1' });
    assert.equal(started.runId, 'r1');
    assert.equal(started.runDir, '/runs/r1');
    assert.ok(s.isRunning);
    const record = await started.finished;
    assert.equal(record.status, 'finished');
    await new Promise((r) => setImmediate(r));
    assert.equal(s.isRunning, false);
    assert.deepEqual(events, ['started', 'epoch', 'epoch', 'finished']);
  });

  it('refuses a second training while one runs, and allows one after', async () => {
    const s = service();
    const first = await s.start({ config: config(1000), runsDir: '/runs' });
    await assert.rejects(s.start({ config: config(1), runsDir: '/runs' }), (e: Error) => e instanceof TrainingBusyError && /run-1/.test(e.message));
    assert.equal(s.cancel(), true);
    assert.equal((await first.finished).status, 'cancelled');
    await new Promise((r) => setImmediate(r));
    const second = await s.start({ config: config(1), runsDir: '/runs' });
    assert.equal((await second.finished).status, 'finished');
  });

  it('stop() cancels and waits for the resumable run', async () => {
    const s = service();
    const events: TrainEvent[] = [];
    s.onTrainEvent((e) => events.push(e));
    const started = await s.start({ config: config(1000), runsDir: '/runs' });
    await s.stop(5000);
    assert.equal((await started.finished).status, 'cancelled');
    assert.equal(events.at(-1)?.type, 'cancelled');
    assert.equal(s.cancel(), false);
  });

  it('rejects start when the engine fails before the run exists', async () => {
    const s = service();
    const failures: TrainEvent[] = [];
    s.onTrainEvent((e) => e.type === 'failed' && failures.push(e));
    // The fake worker never answers a train request with an empty runsDir... so use a factory that errors.
    const failing = new TrainingService((request, onEvent) => new EngineJob({ type: 'checkDataset', spec: 'bad' }, { workerPath: fakeWorker, onEvent }));
    failing.onTrainEvent((e) => e.type === 'failed' && failures.push(e));
    await assert.rejects(failing.start({ config: config(1), runsDir: '/runs' }), /Dataset folder not found/);
    assert.equal(failures.length, 1);
    assert.equal(failing.isRunning, false);
    s.dispose();
  });
});

/** Settles with `promise`, or rejects after `ms` naming `what` (a hung stop must fail the test, not hang it). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}

describe('TrainingService: Stop Training with a worker that cannot answer', () => {
  const services: TrainingService[] = [];
  const hanging = (grace: number) => {
    const s = new TrainingService((request, onEvent) => new EngineJob(request, { workerPath: fakeWorker, onEvent }), { stopGraceMs: grace });
    services.push(s);
    return s;
  };
  // A failed test must not leave a spinning worker thread behind (the test process would never end).
  afterEach(async () => {
    for (const s of services.splice(0)) await s.stop(100);
  });

  it('terminates a worker stuck in a loop after the grace time, frees the slot, and leaves the run interrupted', async () => {
    const runsDir = mkdtempSync(join(tmpdir(), 'bus-lab-stop-'));
    try {
      const s = hanging(200);
      const events: TrainEvent[] = [];
      s.onTrainEvent((e) => events.push(e));
      const started = await s.start({ config: { ...config(1000), name: 'hang' }, runsDir, runId: 'stuck' });
      // The engine's worker takes the run's lock inside this process (a worker thread shares its pid).
      acquireRunLock(started.runDir, 'train', { createFolder: true });
      assert.equal(runStatusOf(started.runDir, { status: 'running' }), 'running');
      assert.equal(s.cancel(), true);
      await assert.rejects(within(started.finished, 5000, 'the stopped training'), (e: Error) => e instanceof TrainingTerminatedError && /stuck did not answer the stop request within 0.2 s.*resumes from its last checkpoint/.test(e.message));
      await new Promise((r) => setImmediate(r));
      assert.equal(s.isRunning, false);
      assert.equal(readRunLock(started.runDir), undefined, 'the dead worker still holds the run lock');
      assert.equal(runStatusOf(started.runDir, { status: 'running' }), 'interrupted');
      assert.equal(events.at(-1)?.type, 'failed');
      const second = await s.start({ config: config(1), runsDir, runId: 'next' });
      assert.equal((await second.finished).status, 'finished');
    } finally {
      rmSync(runsDir, { recursive: true, force: true });
    }
  });

  it('a second stop request terminates at once', async () => {
    const s = hanging(60_000);
    const started = await s.start({ config: { ...config(1000), name: 'hang' }, runsDir: '/runs', runId: 'twice' });
    s.cancel();
    s.cancel();
    await assert.rejects(within(started.finished, 5000, 'the twice-stopped training'), /twice was stopped a second time and was terminated/);
  });

  it('a worker that acknowledged the stop request is not cut short, however long it then takes', async () => {
    const s = hanging(150);
    const started = await s.start({ config: { ...config(1000), name: 'quietStop' }, runsDir: '/runs', runId: 'quiet' });
    s.cancel();
    assert.equal((await within(started.finished, 5000, 'the quiet stop')).status, 'cancelled');
  });

  it('a worker that keeps reporting while it stops is not cut short', async () => {
    const s = hanging(150);
    const started = await s.start({ config: { ...config(1000), name: 'slowStop' }, runsDir: '/runs', runId: 'slow' });
    s.cancel();
    assert.equal((await within(started.finished, 5000, 'the slow stop')).status, 'cancelled');
  });

  it('a worker stuck before it reported its run folder: the training lock it took in the runs folder is released', async () => {
    const runsDir = mkdtempSync(join(tmpdir(), 'bus-lab-stop-'));
    try {
      const s = hanging(100);
      const starting = s.start({ config: { ...config(1000), name: 'hangEarly' }, runsDir });
      acquireRunLock(join(runsDir, 'early'), 'train', { createFolder: true });
      assert.equal(s.cancel(), true);
      await assert.rejects(within(starting, 5000, 'the stopped start'), (e: Error) => e instanceof TrainingTerminatedError && /terminated before it started a run/.test(e.message));
      assert.equal(readRunLock(join(runsDir, 'early')), undefined);
      assert.equal(s.isRunning, false);
    } finally {
      rmSync(runsDir, { recursive: true, force: true });
    }
  });

  it('a lock this process took for evaluation is left alone', async () => {
    const runsDir = mkdtempSync(join(tmpdir(), 'bus-lab-stop-'));
    try {
      const s = hanging(100);
      const started = await s.start({ config: { ...config(1000), name: 'hang' }, runsDir, runId: 'evaluating' });
      acquireRunLock(started.runDir, 'evaluate', { createFolder: true });
      s.cancel();
      await assert.rejects(started.finished, TrainingTerminatedError);
      assert.equal(readRunLock(started.runDir)?.holder.purpose, 'evaluate');
    } finally {
      rmSync(runsDir, { recursive: true, force: true });
    }
  });
});

describe('training progress', () => {
  const started: TrainEvent = { type: 'started', runId: 'r', runDir: '/r', totalSteps: 100, record: { config: config(10), epochsCompleted: 0 } as never };
  it('folds events into progress, message and status bar text', () => {
    let p = reduceProgress(initialProgress(10, 0), started, 0);
    assert.equal(progressMessage(p), '0% · epoch 1/10 · ETA –');
    p = reduceProgress(p, { type: 'step', runId: 'r', totalSteps: 100, record: { type: 'step', epoch: 1, step: 5, globalStep: 5, losses: {}, learningRate: 0, imagesPerSecond: 1, time: '' } }, 10_000);
    assert.equal(p.percent, 5);
    assert.equal(Math.round(p.etaSeconds!), 190);
    const epoch: TrainEvent = { type: 'epoch', runId: 'r', totalEpochs: 10, record: { type: 'epoch', epoch: 1, losses: { dice: 0.5 }, val: { dice: 0.61, iou: 0.5 }, learningRate: 0, imagesPerSecond: 3, etaSeconds: 125, seconds: 14, time: '' } };
    p = reduceProgress(p, epoch, 20_000);
    assert.equal(p.percent, 10);
    assert.equal(progressMessage(p), '10% · epoch 2/10 · val Dice 0.610 · ETA 2m 05s');
    assert.equal(statusBarText(p), '$(sync~spin) BUS epoch 2/10 · val Dice 0.610');
    assert.equal(p.bestValDice, 0.61);
    p = reduceProgress(p, { type: 'evaluation', runId: 'r', dataset: 'synthetic site-b', done: 3, total: 8 });
    assert.equal(progressMessage(p), 'Evaluating on synthetic site-b: 3/8 images');
    assert.match(formatTrainEvent(epoch)!, /^Epoch 1\/10: dice=0.5000 · val Dice 0.610 IoU 0.500 · 3.0 img\/s · 14s · ETA 2m 05s$/);
    assert.equal(formatDuration(3725), '1h 02m');
    assert.equal(formatTrainEvent({ type: 'failed', error: 'x' }), 'Run  failed: x');
  });
});
