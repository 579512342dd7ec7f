/**
 * One request to the engine, run in its own `worker_threads` Worker (dist/engine-worker.js):
 * start the worker, post the request, pass events on, settle with the worker's terminal message,
 * then end the worker. Nothing of the engine runs on the extension host's main thread.
 * No `vscode` import: unit-tested with a fake worker script.
 */
import { Worker } from 'node:worker_threads';
import type { TrainEvent } from '../../engine/types';
import {
  EngineWorkerData,
  HostToWorkerMessage,
  ProvidersMessage,
  ResultMessage,
  WorkerErrorCode,
  parseHostToWorkerMessage,
  parseWorkerToHostMessage,
} from '../../engine/worker/protocol';

/**
 * The engine reported a failure (bad dataset path, plugin error...) in one line. `code` says
 * which kind (the worker's WorkerErrorCode; `crashed` when the worker died without answering);
 * `slugs` names the existing evaluations of an `evaluationExists`.
 */
export class EngineError extends Error {
  override name = 'EngineError';
  constructor(
    message: string,
    readonly code: WorkerErrorCode | 'crashed' = 'crashed',
    readonly slugs: readonly string[] = [],
  ) {
    super(message);
  }
}

export interface EngineJobOptions {
  workerPath: string;
  workerData?: EngineWorkerData;
  onEvent?(event: TrainEvent): void;
  /** Lines the worker printed (stdout/stderr) and protocol problems. */
  onLog?(line: string): void;
}

type Request = Exclude<HostToWorkerMessage, { type: 'cancel' }>;
export type EngineOutcome = ResultMessage | { type: 'providers'; value: Omit<ProvidersMessage, 'type'> };

function forwardLines(stream: NodeJS.ReadableStream | null | undefined, log: (line: string) => void) {
  if (!stream) return;
  let pending = '';
  stream.setEncoding?.('utf8');
  stream.on('data', (chunk: string | Buffer) => {
    pending += chunk.toString();
    const lines = pending.split(/\r?\n/);
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.length > 0) log(line);
  });
  stream.on('end', () => {
    if (pending.length > 0) log(pending);
    pending = '';
  });
}

export class EngineJob {
  /** Settles with the terminal message: resolves on `result`/`providers`, rejects on `error` or a dead worker. */
  readonly done: Promise<EngineOutcome>;
  private readonly worker: Worker;
  private settled = false;
  private exited = false;
  private readonly exitPromise: Promise<void>;
  private cancelRequested = false;
  private acknowledged = false;

  constructor(request: Request, private readonly options: EngineJobOptions) {
    parseHostToWorkerMessage(request);
    const log = options.onLog ?? (() => undefined);
    this.worker = new Worker(options.workerPath, { workerData: options.workerData ?? {}, stdout: true, stderr: true });
    forwardLines(this.worker.stdout, (l) => log(l));
    forwardLines(this.worker.stderr, (l) => log(l));
    this.exitPromise = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.done = new Promise<EngineOutcome>((resolve, reject) => {
      const settle = (fn: () => void) => {
        if (this.settled) return;
        this.settled = true;
        fn();
        // The worker has said all it will; end it (the engine wrote its files before answering).
        if (!this.exited) void this.worker.terminate().catch(() => undefined);
      };
      this.worker.on('message', (raw: unknown) => {
        let message;
        try {
          message = parseWorkerToHostMessage(raw);
        } catch (error) {
          log(`[engine] ${(error as Error).message}`);
          return;
        }
        switch (message.type) {
          case 'stopping':
            this.acknowledged = true;
            return;
          case 'event':
            try {
              options.onEvent?.(message.event);
            } catch (error) {
              log(`[engine] event handler failed: ${(error as Error).message}`);
            }
            return;
          case 'result':
            return settle(() => resolve(message));
          case 'providers':
            return settle(() => resolve({ type: 'providers', value: { losses: message.losses, features: message.features } }));
          case 'error':
            return settle(() => reject(new EngineError(message.message, message.code, message.slugs ?? [])));
        }
      });
      this.worker.on('error', (error: Error) => settle(() => reject(new EngineError(`The engine worker crashed: ${error.message}`))));
      this.worker.on('exit', (code) => {
        this.exited = true;
        settle(() =>
          reject(
            new EngineError(
              this.cancelRequested ? 'The engine worker was stopped.' : `The engine worker stopped unexpectedly (exit code ${code}).`,
            ),
          ),
        );
      });
    });
    // Nobody may be listening yet; the rejection is still delivered to later `await job.done`.
    this.done.catch(() => undefined);
    this.worker.postMessage(request);
  }

  /** The worker read the cancel request (its thread is not stuck): it stops at its next step. */
  get stopAcknowledged(): boolean {
    return this.acknowledged;
  }

  /** Asks the engine to stop at its next step (training saves a checkpoint and answers). */
  cancel(): void {
    if (this.settled || this.exited) return;
    this.cancelRequested = true;
    this.worker.postMessage({ type: 'cancel' } satisfies HostToWorkerMessage);
  }

  /** Ends the worker at once. */
  async terminate(): Promise<void> {
    this.cancelRequested = true;
    if (!this.exited) await this.worker.terminate().catch(() => undefined);
  }

  /**
   * Cancel, wait up to `timeoutMs` for the engine to answer (checkpoint saved, run marked
   * cancelled), then terminate. True when the engine answered in time.
   */
  async stop(timeoutMs: number): Promise<boolean> {
    if (this.settled || this.exited) {
      await this.terminate();
      return true;
    }
    this.cancel();
    let timer: NodeJS.Timeout | undefined;
    const answered = await Promise.race([
      this.done.then(
        () => true,
        () => true,
      ),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    if (timer) clearTimeout(timer);
    await this.terminate();
    await this.exitPromise;
    return answered;
  }
}
