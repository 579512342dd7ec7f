/**
 * The engine's worker_threads entry (bundled to dist/engine-worker.js). The extension host starts
 * one worker per request so that training never runs on the host's main thread; the protocol is
 * in workerProtocol.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend, runInBackground } from '../backend';
import { checkDataset } from '../data/health';
import { evaluateRun } from '../eval/evaluateRun';
import { compareRuns, writeComparison } from '../experiments/compare';
import { exportRunToOnnx } from '../export/exportOnnx';
import { listInputImages } from '../predict/inputImages';
import { predictImages } from '../predict/predictImages';
import { createRegistries } from '../plugins/builtins';
import { loadPlugins } from '../plugins/pluginLoader';
import { readRunRecord } from '../runs/runFolder';
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
      // Backend paths come from the host's settings (workerData), never from run.json.
      const { tf } = await initBackend(data.backend ?? record.config.backend ?? 'auto', { nativeModulesPath: data.nativeModulesPath, accelerator: data.accelerator });
      const evaluation = await evaluateRun({
        tf,
        runDir: msg.runDir,
        datasets: msg.datasets,
        cacheDir: msg.cacheDir,
        existing: msg.existing ?? 'refuse',
        signal: abort.signal,
        onProgress: (slug, done, total) => post({ type: 'event', event: { type: 'evaluation', runId: record.id, dataset: slug, done, total } }),
      });
      post({ type: 'result', value: { runDir: msg.runDir, summaries: Object.fromEntries(evaluation.evaluations.map((e) => [e.slug, e.summary])) } });
      return;
    }
    case 'predict': {
      const record = await readRunRecord(msg.runDir);
      const { tf } = await initBackend(data.backend ?? record.config.backend ?? 'auto', { nativeModulesPath: data.nativeModulesPath, accelerator: data.accelerator });
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
      const { tf } = await initBackend(data.backend ?? record.config.backend ?? 'auto', { nativeModulesPath: data.nativeModulesPath, accelerator: data.accelerator });
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
      const comparison = await compareRuns(msg.runDirs, { baseline: msg.baseline, seed: msg.seed, resamples: msg.resamples });
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
