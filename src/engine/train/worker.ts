/**
 * The engine's worker_threads entry (bundled to dist/engine-worker.js). The extension host starts
 * one worker per request so that training never runs on the host's main thread; the protocol is
 * in workerProtocol.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { join } from 'node:path';
import { initBackend, runInBackground } from '../backend';
import { checkDataset } from '../data/health';
import { loadDataset } from '../data/load';
import { evaluateDataset } from '../eval/evaluate';
import { compareRuns, writeComparison } from '../experiments/compare';
import { exportRunToOnnx } from '../export/exportOnnx';
import { loadPredictor } from '../model/predictor';
import { listInputImages } from '../predict/inputImages';
import { predictImages } from '../predict/predictImages';
import { createRegistries } from '../plugins/builtins';
import { loadPlugins } from '../plugins/pluginLoader';
import { readRunRecord, RunStore } from '../runs/runStore';
import { runTraining, TrainSetupError } from './trainer';
import {
  EngineWorkerData,
  HostToWorkerMessage,
  parseHostToWorkerMessage,
  ProviderInfo,
  WorkerToHostMessage,
} from './workerProtocol';

const port = parentPort;
if (!port) throw new Error('engine-worker must run inside a worker_threads Worker');
const data = (workerData ?? {}) as EngineWorkerData;
// This worker runs inside the editor: its training yields the cores to the UI when both want them.
runInBackground();
const abort = new AbortController();
let busy = false;

function post(message: WorkerToHostMessage): void {
  port!.postMessage(message);
}

async function handle(msg: Exclude<HostToWorkerMessage, { type: 'cancel' }>): Promise<void> {
  switch (msg.type) {
    case 'train': {
      const record = await runTraining(msg.config, {
        runsDir: msg.runsDir,
        runId: msg.runId,
        resume: msg.resume,
        signal: abort.signal,
        onEvent: (event) => post({ type: 'event', event }),
      });
      if (record.status === 'failed') post({ type: 'error', message: record.error ?? 'training failed' });
      else post({ type: 'result', value: record });
      return;
    }
    case 'evaluate': {
      const record = await readRunRecord(msg.runDir);
      const { tf } = await initBackend(data.backend ?? record.config.backend, {
        nativeModulesPath: data.nativeModulesPath ?? record.config.nativeModulesPath,
        accelerator: data.accelerator ?? record.config.accelerator,
      });
      const predictor = await loadPredictor(tf, msg.runDir);
      const summaries: Record<string, unknown> = {};
      try {
        for (const spec of msg.datasets) {
          const dataset = await loadDataset(spec, { size: predictor.size, cacheDir: msg.cacheDir });
          const result = await evaluateDataset({
            tf,
            predictor,
            dataset,
            outDir: join(msg.runDir, 'eval', dataset.slug),
            seed: record.config.seed,
            signal: abort.signal,
            onProgress: (done, total) => post({ type: 'event', event: { type: 'evaluation', runId: record.id, dataset: dataset.slug, done, total } }),
          });
          summaries[dataset.slug] = result;
          if (!record.evaluated.includes(dataset.slug)) record.evaluated.push(dataset.slug);
        }
        record.updatedAt = new Date().toISOString();
        await new RunStore(join(msg.runDir, '..')).writeRecord(record);
      } finally {
        predictor.dispose();
      }
      post({ type: 'result', value: { runDir: msg.runDir, summaries } });
      return;
    }
    case 'predict': {
      const record = await readRunRecord(msg.runDir);
      const { tf } = await initBackend(data.backend ?? record.config.backend, {
        nativeModulesPath: data.nativeModulesPath ?? record.config.nativeModulesPath,
        accelerator: data.accelerator ?? record.config.accelerator,
      });
      const images = await listInputImages(msg.input, { exclude: msg.outDir });
      const summary = await predictImages({
        tf,
        runDir: msg.runDir,
        images,
        outDir: msg.outDir,
        threshold: msg.threshold,
        signal: abort.signal,
        onProgress: (done, total) => post({ type: 'event', event: { type: 'evaluation', runId: record.id, dataset: 'predict', done, total } }),
        onSkip: (_file, reason) => post({ type: 'event', event: { type: 'log', level: 'warn', message: `skipped ${reason}` } }),
      });
      post({ type: 'result', value: summary });
      return;
    }
    case 'exportOnnx': {
      const record = await readRunRecord(msg.runDir);
      const { tf } = await initBackend(data.backend ?? record.config.backend, {
        nativeModulesPath: data.nativeModulesPath ?? record.config.nativeModulesPath,
        accelerator: data.accelerator ?? record.config.accelerator,
      });
      post({ type: 'result', value: await exportRunToOnnx(tf, msg.runDir, msg.outFile) });
      return;
    }
    case 'checkDataset':
      post({ type: 'result', value: await checkDataset(msg.spec, {}) });
      return;
    case 'listProviders': {
      const { tf } = await initBackend(data.backend ?? 'auto', { nativeModulesPath: data.nativeModulesPath, accelerator: data.accelerator });
      const registries = createRegistries();
      loadPlugins(tf, msg.plugins, registries);
      const info = (p: { id: string; label: string; description?: string; source?: string }): ProviderInfo => ({
        id: p.id,
        label: p.label,
        description: p.description,
        source: p.source ?? 'builtin',
      });
      post({ type: 'providers', losses: registries.losses.list().map(info), features: registries.features.list().map(info) });
      return;
    }
    case 'compare': {
      const comparison = await compareRuns(msg.runDirs);
      if (msg.outDir) await writeComparison(msg.outDir, comparison);
      post({ type: 'result', value: comparison });
      return;
    }
  }
}

port.on('message', (raw: unknown) => {
  let msg: HostToWorkerMessage;
  try {
    msg = parseHostToWorkerMessage(raw);
  } catch (err) {
    post({ type: 'error', message: (err as Error).message });
    return;
  }
  if (msg.type === 'cancel') {
    abort.abort();
    return;
  }
  if (busy) {
    post({ type: 'error', message: 'the engine worker is busy with another request' });
    return;
  }
  busy = true;
  handle(msg)
    .catch((err: Error) => post({ type: 'error', message: err instanceof TrainSetupError ? err.message : err.message || String(err) }))
    .finally(() => {
      busy = false;
    });
});
