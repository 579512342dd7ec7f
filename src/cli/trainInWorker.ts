/**
 * The CLI's trainings run in a worker thread, so that the main thread stays free to answer
 * signals: a training that blocks (a plugin loss stuck in a loop) would otherwise make Ctrl-C and
 * SIGTERM do nothing. A stop request is passed on to the training, which stops at its next step
 * and saves a checkpoint; a training that does not even acknowledge the request within the grace
 * time (BUS_LAB_STOP_GRACE_SECONDS, default 5) is terminated, and so is one whose user asks twice
 * (main.ts exits). Either way the run keeps its last checkpoint, and its lock dies with this
 * process: it shows as `interrupted` and resumes with --resume.
 *
 * The worker is this same module file (the CLI bundle, or the source under tsx); the module's
 * top level starts the worker side when loaded in a worker with this role.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { RunLockedError } from '../engine/runs/runLock';
import { runTraining, TrainOptions, TrainSetupError } from '../engine/train/trainer';
import type { RunRecord, TrainConfig, TrainEvent } from '../engine/types';

const ROLE = 'bus-lab-cli-train';

type SerialOptions = Omit<TrainOptions, 'signal' | 'onEvent'>;
interface TrainWorkerData {
  role: typeof ROLE;
  config: Partial<TrainConfig>;
  options: SerialOptions;
}
type FromWorker =
  | { type: 'event'; event: TrainEvent }
  | { type: 'stopping' }
  | { type: 'result'; record: RunRecord }
  | { type: 'error'; kind: 'setup' | 'locked' | 'other'; message: string };

/** A training that did not answer a stop request in time and was terminated; its run is resumable. */
export class TrainingTerminatedError extends Error {
  override name = 'TrainingTerminatedError';
  constructor(
    readonly runId: string | undefined,
    graceSeconds: number,
  ) {
    super(
      `the training did not answer the stop request within ${graceSeconds} s and was terminated` +
        (runId ? `; run ${runId} resumes from its last checkpoint with --resume ${runId}` : ''),
    );
  }
}

export function stopGraceMs(): number {
  const env = Number(process.env.BUS_LAB_STOP_GRACE_SECONDS);
  return Number.isFinite(env) && env > 0 ? env * 1000 : 5000;
}

/** runTraining in a worker thread; same arguments and result. TrainSetupError and lock refusals are re-thrown as such. */
export function trainInWorker(config: Partial<TrainConfig>, options: TrainOptions): Promise<RunRecord> {
  const { signal, onEvent, ...serial } = options;
  const data: TrainWorkerData = { role: ROLE, config, options: serial };
  const worker = __filename.endsWith('.ts')
    ? // Running from sources under tsx (tests): the worker registers tsx itself.
      new Worker(`require('tsx/cjs'); require(${JSON.stringify(__filename)});`, { eval: true, workerData: data })
    : new Worker(__filename, { workerData: data });
  let runId = options.runId;
  let settled = false;
  const grace = stopGraceMs();
  let graceTimer: NodeJS.Timeout | undefined;
  return new Promise<RunRecord>((resolvePromise, rejectPromise) => {
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(graceTimer);
      signal?.removeEventListener('abort', onAbort);
      fn();
      // The worker released the run's lock before it answered; nothing of it is needed any more.
      void worker.terminate();
    };
    function onAbort() {
      worker.postMessage({ type: 'stop' });
      graceTimer = setTimeout(() => {
        finish(() => rejectPromise(new TrainingTerminatedError(runId, grace / 1000)));
      }, grace);
    }
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (msg: FromWorker) => {
      if (msg.type === 'event') {
        if (msg.event.type === 'started') runId = msg.event.runId;
        onEvent?.(msg.event);
      } else if (msg.type === 'stopping') clearTimeout(graceTimer);
      else if (msg.type === 'result') finish(() => resolvePromise(msg.record));
      else if (msg.type === 'error') {
        const err = msg.kind === 'setup' ? new TrainSetupError(msg.message) : new Error(msg.message);
        if (msg.kind === 'locked') err.name = 'RunLockedError';
        finish(() => rejectPromise(err));
      }
    });
    worker.on('error', (err) => finish(() => rejectPromise(err)));
    worker.on('exit', (code) => finish(() => rejectPromise(new Error(`the training stopped without a result (worker exit code ${code})${runId ? `; run ${runId} can be resumed with --resume ${runId}` : ''}`))));
  });
}

function workerSide(data: TrainWorkerData): void {
  const port = parentPort!;
  const abort = new AbortController();
  const post = (m: FromWorker) => port.postMessage(m);
  port.on('message', (m: { type?: string }) => {
    if (m?.type !== 'stop') return;
    post({ type: 'stopping' });
    abort.abort();
  });
  runTraining(data.config, { ...data.options, signal: abort.signal, onEvent: (event) => post({ type: 'event', event }) }).then(
    (record) => post({ type: 'result', record }),
    (err: unknown) => {
      const kind = err instanceof TrainSetupError ? 'setup' : err instanceof RunLockedError ? 'locked' : 'other';
      post({ type: 'error', kind, message: err instanceof Error ? err.message : String(err) });
    },
  );
}

if (!isMainThread && (workerData as TrainWorkerData | undefined)?.role === ROLE) workerSide(workerData as TrainWorkerData);
