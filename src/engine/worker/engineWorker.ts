/**
 * The engine's worker_threads entry (bundled to dist/engine-worker.js): serves one request per
 * worker (train, evaluate, checkDataset, listProviders, compare, predict, exportOnnx), so no
 * engine work runs on the extension host's main thread. The contract is protocol.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend, runInBackground } from '../backend';
import { checkDataset } from '../data/health';
import { setMaxImagePixels } from '../data/image/decode';
import { EvaluationExistsError, evaluateRun } from '../eval/evaluateRun';
import { compareRuns, writeComparison } from '../experiments/compare';
import { exportRunToOnnx } from '../export/exportOnnx';
import { listInputImages } from '../predict/inputImages';
import { predictImages } from '../predict/predictImages';
import { createRegistries } from '../plugins/builtins';
import { loadPlugins } from '../plugins/pluginLoader';
import { readRunRecord, RunFolderError } from '../runs/runFolder';
import { RunLockedError } from '../runs/runLock';
import type { TF } from '../tf';
import { runTraining, TrainSetupError } from '../train/trainer';
import type { RunRecord } from '../types';
import {
  EngineWorkerData,
  ErrorMessage,
  HostToWorkerMessage,
  parseHostToWorkerMessage,
  ProtocolError,
  ProviderInfo,
  WorkerToHostMessage,
} from './protocol';

const port = parentPort;
if (!port) throw new Error('engine-worker must run inside a worker_threads Worker');
const data = (workerData ?? {}) as EngineWorkerData;
if (data.maxImagePixels !== undefined) setMaxImagePixels(data.maxImagePixels, 'the busLab.data.maxImagePixels setting');
// This worker runs inside the editor: its training yields the cores to the UI when both want them.
runInBackground();
const abort = new AbortController();
let busy = false;

function post(message: WorkerToHostMessage): void {
  port!.postMessage(message);
}

/** A run's record and the backend to load it on: the run's backend name, with native-module and accelerator paths from the host's settings (workerData), never from run.json. */
async function runBackend(runDir: string): Promise<{ record: RunRecord; tf: TF }> {
  const record = await readRunRecord(runDir);
  const { tf } = await initBackend(data.backend ?? record.config.backend ?? 'auto', { nativeModulesPath: data.nativeModulesPath, accelerator: data.accelerator });
  return { record, tf };
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
      if (record.status === 'failed') post({ type: 'error', code: 'failed', message: record.error ?? 'training failed' });
      else post({ type: 'result', request: 'train', value: record });
      return;
    }
    case 'evaluate': {
      const { record, tf } = await runBackend(msg.runDir);
      const evaluation = await evaluateRun({
        tf,
        runDir: msg.runDir,
        datasets: msg.datasets,
        cacheDir: msg.cacheDir,
        existing: msg.existing ?? 'refuse',
        signal: abort.signal,
        onProgress: (slug, done, total) => post({ type: 'event', event: { type: 'evaluation', runId: record.id, dataset: slug, done, total } }),
      });
      post({
        type: 'result',
        request: 'evaluate',
        value: {
          runDir: msg.runDir,
          checkpoint: evaluation.checkpoint,
          threshold: evaluation.threshold,
          summaries: Object.fromEntries(evaluation.evaluations.map((e) => [e.slug, e.summary])),
          cancelled: evaluation.cancelled,
        },
      });
      return;
    }
    case 'predict': {
      const { record, tf } = await runBackend(msg.runDir);
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
      post({ type: 'result', request: 'predict', value: summary });
      return;
    }
    case 'exportOnnx': {
      const { tf } = await runBackend(msg.runDir);
      post({ type: 'result', request: 'exportOnnx', value: await exportRunToOnnx(tf, msg.runDir, msg.outFile) });
      return;
    }
    case 'checkDataset':
      post({ type: 'result', request: 'checkDataset', value: await checkDataset(msg.spec, {}) });
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
      post({ type: 'result', request: 'compare', value: comparison });
      return;
    }
  }
}

/** The error message for what a request threw: its kind as a code, one line of text. */
function errorMessageOf(err: unknown): ErrorMessage {
  const message = err instanceof Error ? err.message || err.name : String(err);
  if (err instanceof EvaluationExistsError) return { type: 'error', code: 'evaluationExists', message, slugs: err.slugs };
  if (err instanceof TrainSetupError) return { type: 'error', code: 'setup', message };
  if (err instanceof RunFolderError) return { type: 'error', code: 'notARun', message };
  if (err instanceof RunLockedError) return { type: 'error', code: 'runLocked', message };
  if (err instanceof ProtocolError) return { type: 'error', code: 'invalidRequest', message };
  return { type: 'error', code: 'failed', message };
}

port.on('message', (raw: unknown) => {
  let msg: HostToWorkerMessage;
  try {
    msg = parseHostToWorkerMessage(raw);
  } catch (err) {
    post(errorMessageOf(err));
    return;
  }
  if (msg.type === 'cancel') {
    abort.abort();
    post({ type: 'stopping' });
    return;
  }
  if (busy) {
    post({ type: 'error', code: 'busy', message: 'the engine worker is busy with another request' });
    return;
  }
  busy = true;
  handle(msg)
    .catch((err: unknown) => post(errorMessageOf(err)))
    .finally(() => {
      busy = false;
    });
});
