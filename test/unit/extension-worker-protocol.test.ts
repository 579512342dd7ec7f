import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  ProtocolError,
  describeInvalidHostMessage,
  isHostToWorkerMessage,
  isTerminalMessage,
  isWorkerToHostMessage,
  parseHostToWorkerMessage,
  parseWorkerToHostMessage,
} from '../../src/engine/worker/protocol';
import { EngineError, EngineJob } from '../../src/extension/workerClient/engineJob';
import { DEFAULT_TRAIN_SETTINGS, completeTrainConfig } from '../../src/extension/train/trainConfigDefaults';
import type { TrainEvent } from '../../src/engine/types';

const config = completeTrainConfig({ train: 'synthetic:site-a', external: ['synthetic:site-b'], epochs: 3 }, DEFAULT_TRAIN_SETTINGS);
const fakeWorker = join(__dirname, 'extension-fixtures', 'fakeEngineWorker.cjs');

describe('worker protocol validation', () => {
  it('accepts every well-formed host message', () => {
    for (const m of [
      { type: 'train', config, runsDir: '/runs' },
      { type: 'train', config, runsDir: '/runs', runId: 'r1', resume: true },
      { type: 'evaluate', runDir: '/runs/r1', datasets: ['synthetic:site-b'] },
      { type: 'checkDataset', spec: 'busi:/data/BUSI' },
      { type: 'listProviders', plugins: [{ modulePath: '/x/loss.js', source: 'a.b' }] },
      { type: 'compare', runDirs: ['/runs/a', '/runs/b'] },
      { type: 'cancel' },
    ]) {
      assert.equal(describeInvalidHostMessage(m), undefined, JSON.stringify(m));
      assert.ok(isHostToWorkerMessage(m));
    }
  });

  it('names what is wrong with a malformed host message', () => {
    assert.match(describeInvalidHostMessage(null)!, /not an object/);
    assert.match(describeInvalidHostMessage({ type: 'fly' })!, /unknown message type "fly"/);
    assert.match(describeInvalidHostMessage({ type: 'train', config, runsDir: '' })!, /runsDir/);
    assert.match(describeInvalidHostMessage({ type: 'train', config: { method: 'x' }, runsDir: '/r' })!, /config/);
    assert.match(describeInvalidHostMessage({ type: 'train', config, runsDir: '/r', resume: true })!, /needs a "runId"/);
    assert.match(describeInvalidHostMessage({ type: 'evaluate', runDir: '/r', datasets: [] })!, /datasets/);
    assert.match(describeInvalidHostMessage({ type: 'listProviders', plugins: [{}] })!, /modulePath/);
    assert.throws(() => parseHostToWorkerMessage({ type: 'checkDataset' }), ProtocolError);
  });

  it('validates worker messages', () => {
    assert.ok(isWorkerToHostMessage({ type: 'event', event: { type: 'log', level: 'info', message: 'hi' } }));
    assert.ok(isWorkerToHostMessage({ type: 'result', request: 'checkDataset', value: null }));
    assert.ok(isWorkerToHostMessage({ type: 'error', code: 'setup', message: 'bad' }));
    assert.ok(isWorkerToHostMessage({ type: 'error', code: 'evaluationExists', message: 'bad', slugs: ['busi'] }));
    assert.ok(!isWorkerToHostMessage({ type: 'result', value: null }), 'a result names its request');
    assert.ok(!isWorkerToHostMessage({ type: 'result', request: 'dance', value: null }));
    assert.ok(!isWorkerToHostMessage({ type: 'error', message: 'bad' }), 'an error has a code');
    assert.ok(!isWorkerToHostMessage({ type: 'error', code: 'evaluationExists', message: 'bad', slugs: 'busi' }));
    assert.ok(isWorkerToHostMessage({ type: 'providers', losses: [{ id: 'a', label: 'A', source: 'builtin' }], features: [] }));
    assert.ok(!isWorkerToHostMessage({ type: 'event', event: { type: 'party' } }));
    assert.ok(!isWorkerToHostMessage({ type: 'result' }));
    assert.ok(!isWorkerToHostMessage({ type: 'providers', losses: [{ id: 'a' }], features: [] }));
    assert.throws(() => parseWorkerToHostMessage({ type: 'error' }), /Invalid message from the engine worker/);
    assert.equal(isTerminalMessage({ type: 'event', event: { type: 'log', level: 'info', message: '' } }), false);
    assert.equal(isTerminalMessage({ type: 'error', code: 'failed', message: '' }), true);
    // The acknowledgement of `cancel` is not the end of the conversation.
    assert.equal(isTerminalMessage(parseWorkerToHostMessage({ type: 'stopping' })), false);
  });
});

describe('EngineJob (fake worker)', () => {
  it('resolves with the result and passes workerData', async () => {
    const job = new EngineJob({ type: 'checkDataset', spec: 'ok' }, { workerPath: fakeWorker, workerData: { backend: 'cpu' } });
    const outcome = await job.done;
    assert.equal(outcome.type, 'result');
    assert.deepEqual((outcome.value as unknown as { workerData: unknown }).workerData, { backend: 'cpu' });
  });

  it('rejects with the engine error message', async () => {
    const job = new EngineJob({ type: 'checkDataset', spec: 'bad' }, { workerPath: fakeWorker });
    await assert.rejects(job.done, (e: Error) => e instanceof EngineError && e.message === 'Dataset folder not found: /nope' && e.code === 'setup');
  });

  it('rejects when the worker exits or throws without answering', async () => {
    await assert.rejects(new EngineJob({ type: 'checkDataset', spec: 'crash' }, { workerPath: fakeWorker }).done, /stopped unexpectedly \(exit code 3\)/);
    await assert.rejects(new EngineJob({ type: 'checkDataset', spec: 'throw' }, { workerPath: fakeWorker }).done, /crashed: boom in worker/);
  });

  it('logs malformed messages and worker output, and keeps going', async () => {
    const lines: string[] = [];
    const job = new EngineJob({ type: 'checkDataset', spec: 'garbage' }, { workerPath: fakeWorker, onLog: (l) => lines.push(l) });
    assert.deepEqual(await job.done, { type: 'result', request: 'checkDataset', value: 'after garbage' });
    assert.ok(lines.some((l) => /Invalid message from the engine worker/.test(l)));
  });

  it('answers listProviders with providers', async () => {
    const outcome = await new EngineJob({ type: 'listProviders', plugins: [] }, { workerPath: fakeWorker }).done;
    assert.equal(outcome.type, 'providers');
  });

  it('streams training events and finishes', async () => {
    const events: TrainEvent[] = [];
    const job = new EngineJob({ type: 'train', config, runsDir: '/runs' }, { workerPath: fakeWorker, onEvent: (e) => events.push(e) });
    const outcome = await job.done;
    assert.equal((outcome.value as { status: string }).status, 'finished');
    assert.deepEqual(events.map((e) => e.type), ['started', 'epoch', 'epoch', 'epoch', 'finished']);
  });

  it('stop() sends cancel and waits for the cancelled run', async () => {
    const events: TrainEvent[] = [];
    const job = new EngineJob({ type: 'train', config: { ...config, epochs: 1000 }, runsDir: '/runs' }, { workerPath: fakeWorker, onEvent: (e) => events.push(e) });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(await job.stop(5000), true);
    const outcome = await job.done;
    assert.equal((outcome.value as { status: string }).status, 'cancelled');
    assert.equal(events.at(-1)?.type, 'cancelled');
  });

  it('stop() terminates a worker that does not answer in time', async () => {
    const job = new EngineJob({ type: 'checkDataset', spec: 'silent' }, { workerPath: fakeWorker });
    const started = Date.now();
    assert.equal(await job.stop(200), false);
    assert.ok(Date.now() - started < 3000);
    await assert.rejects(job.done, /stopped/);
  });

  it('refuses to send a malformed request', () => {
    assert.throws(() => new EngineJob({ type: 'evaluate', runDir: '', datasets: [] }, { workerPath: fakeWorker }), ProtocolError);
  });
});
