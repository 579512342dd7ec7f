/**
 * Owns the one training run the extension may have going: starts it in an engine worker,
 * refuses a second, relays its TrainEvents, cancels it, and stops it cleanly on deactivation
 * (cancel, bounded wait, terminate), which leaves a resumable run. No `vscode` import: the UI
 * (progress notification, status bar) listens to its events.
 *
 * Stop Training must free the slot even when the worker cannot answer (a plugin loss stuck in a
 * loop blocks the worker's thread, so it never reads `cancel`): a worker that neither acknowledges
 * the stop request (protocol `stopping`) nor sends anything for `stopGraceMs` is terminated (a
 * slow but healthy step, or a long validation, acknowledges and is not cut short); a second stop
 * request terminates at once. A dead worker's run lock is released here (it names this process's
 * pid), so its run reads as `interrupted`.
 */
import { join } from 'node:path';
import type { RunRecord, TrainConfig, TrainEvent } from '../../engine/types';
import type { TrainRequest } from '../../engine/worker/protocol';
import { EngineError, EngineJob, EngineOutcome } from '../workerClient/engineJob';
import { DisposableLike, Signal } from '../util/signal';
import { releaseTerminatedTrainingLocks } from './terminatedTrainingLocks';

type TrainJob = Pick<EngineJob, 'done' | 'cancel' | 'stop' | 'terminate' | 'stopAcknowledged'>;

/** Starts the worker for a request; EngineJob in the extension, fakes in tests. */
export type TrainJobFactory = (request: TrainRequest, onEvent: (event: TrainEvent) => void) => TrainJob;

/** How long a worker may stay silent after a stop request before it is terminated. */
export const DEFAULT_STOP_GRACE_MS = 5000;

export interface TrainingServiceOptions {
  stopGraceMs?: number;
}

/** The worker did not answer a stop request and was terminated; its run (if it had one) is interrupted and resumable. */
export class TrainingTerminatedError extends Error {
  override name = 'TrainingTerminatedError';
  constructor(
    readonly runId: string | undefined,
    reason: string,
  ) {
    super(
      runId
        ? `Training ${runId} ${reason} and was terminated; the run is interrupted and resumes from its last checkpoint.`
        : `The training ${reason} and was terminated before it started a run.`,
    );
  }
}

export class TrainingBusyError extends Error {
  override name = 'TrainingBusyError';
  constructor(readonly runningRunId: string | undefined) {
    super(`A training run is already in progress${runningRunId ? ` (${runningRunId})` : ''}. Stop it before starting another.`);
  }
}

export interface StartedTraining {
  runId: string;
  runDir: string;
  config: TrainConfig;
  /** Resolves with the final record (finished or cancelled); rejects with EngineError on failure. */
  finished: Promise<RunRecord>;
}

export interface ActiveTraining {
  runId?: string;
  runDir?: string;
  config: TrainConfig;
  cancelRequested: boolean;
}

export class TrainingService implements DisposableLike {
  private readonly events = new Signal<TrainEvent>();
  private readonly stateChanged = new Signal<void>();
  private readonly starts = new Signal<StartedTraining>();
  /** Every event of the running training, as the engine sends it. */
  readonly onTrainEvent = this.events.event;
  /** Fires when a training starts or ends. */
  readonly onDidChangeState = this.stateChanged.event;
  /** Fires once per training after the engine reported `started`. */
  readonly onDidStart = this.starts.event;

  private job: TrainJob | undefined;
  private active: ActiveTraining | undefined;
  /** Why the running job's worker was terminated, once it was. */
  private terminatedBecause: string | undefined;
  private stopWatchdog: NodeJS.Timeout | undefined;
  private readonly stopGraceMs: number;

  constructor(
    private readonly createJob: TrainJobFactory,
    options: TrainingServiceOptions = {},
  ) {
    this.stopGraceMs = options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;
  }

  get current(): Readonly<ActiveTraining> | undefined {
    return this.active;
  }

  get isRunning(): boolean {
    return this.active !== undefined;
  }

  /**
   * Starts training; resolves once the engine has created the run folder (event `started`),
   * rejects with TrainingBusyError while another runs, or EngineError when the engine fails first.
   */
  start(request: Omit<TrainRequest, 'type'>): Promise<StartedTraining> {
    if (this.active) return Promise.reject(new TrainingBusyError(this.active.runId));
    const active: ActiveTraining = { config: request.config, cancelRequested: false, ...(request.runId ? { runId: request.runId } : {}) };
    this.active = active;
    this.terminatedBecause = undefined;
    return new Promise<StartedTraining>((resolveStarted, rejectStarted) => {
      let started = false;
      // Assigned once the job exists; `onStarted` needs it and may be called earlier.
      const pending: { finished?: Promise<RunRecord> } = {};
      let earlyStart: Extract<TrainEvent, { type: 'started' }> | undefined;
      let failureRelayed = false;
      const onStarted = (event: Extract<TrainEvent, { type: 'started' }>) => {
        const finished = pending.finished;
        if (!finished) {
          earlyStart = event; // a job that reports synchronously, before `finished` exists
          return;
        }
        started = true;
        active.runId = event.runId;
        active.runDir = event.runDir;
        const info: StartedTraining = { runId: event.runId, runDir: event.runDir, config: request.config, finished };
        this.events.fire(event);
        this.starts.fire(info);
        resolveStarted(info);
      };
      let job: TrainJob;
      try {
        job = this.createJob({ type: 'train', ...request }, (event) => {
          // The worker is alive and working towards its answer.
          if (this.active === active && this.stopWatchdog) this.armStopWatchdog();
          if (event.type === 'failed') failureRelayed = true;
          if (event.type === 'started' && !started && !earlyStart) onStarted(event);
          else this.events.fire(event);
        });
      } catch (error) {
        this.active = undefined;
        rejectStarted(error);
        return;
      }
      this.job = job;
      this.stateChanged.fire();
      const finished = job.done.then(
        (outcome: EngineOutcome) => {
          const record = outcome.value as RunRecord;
          if (record && record.status === 'failed') throw new EngineError(record.error ?? 'Training failed.');
          return record;
        },
        (error: unknown) => {
          if (error instanceof EngineError && error.code === 'crashed') {
            // The worker is gone without releasing its run's lock; the run is interrupted.
            releaseTerminatedTrainingLocks(request.runsDir, active.runDir ?? (request.resume && request.runId ? join(request.runsDir, request.runId) : undefined));
            if (this.terminatedBecause && this.active === active) error = new TrainingTerminatedError(active.runId, this.terminatedBecause);
          }
          // The engine may fail before or after `started`; make sure listeners hear about it once.
          if (!failureRelayed) this.events.fire({ type: 'failed', ...(active.runId ? { runId: active.runId } : {}), error: (error as Error).message });
          throw error;
        },
      );
      finished.catch(() => undefined);
      void finished
        .finally(() => {
          if (this.active === active) {
            this.clearStopWatchdog();
            this.active = undefined;
            this.job = undefined;
            this.stateChanged.fire();
          }
        })
        .catch(() => undefined);
      finished.then(
        () => {
          if (!started) rejectStarted(new EngineError('The engine finished without starting a run.'));
        },
        (error) => {
          if (!started) rejectStarted(error);
        },
      );
      pending.finished = finished;
      if (earlyStart) onStarted(earlyStart);
    });
  }

  /**
   * Asks the running training to stop at its next step (it saves a checkpoint); a worker silent
   * for the grace time after that, or asked a second time, is terminated. False when none runs.
   */
  cancel(): boolean {
    if (!this.active || !this.job) return false;
    if (this.active.cancelRequested) {
      this.terminate('was stopped a second time');
      return true;
    }
    this.active.cancelRequested = true;
    this.job.cancel();
    this.armStopWatchdog();
    return true;
  }

  /** Cancel, wait at most `timeoutMs` for the checkpoint, then terminate the worker. */
  async stop(timeoutMs: number): Promise<void> {
    const job = this.job;
    if (!job || !this.active) return;
    this.active.cancelRequested = true;
    this.clearStopWatchdog();
    this.terminatedBecause ??= `did not answer the stop request within ${timeoutMs / 1000} s`;
    await job.stop(timeoutMs);
  }

  private armStopWatchdog(): void {
    this.clearStopWatchdog();
    this.stopWatchdog = setTimeout(() => {
      this.stopWatchdog = undefined;
      // Stopping at its next step; a second stop request still terminates it.
      if (this.job?.stopAcknowledged) return;
      this.terminate(`did not answer the stop request within ${this.stopGraceMs / 1000} s`);
    }, this.stopGraceMs);
  }

  private clearStopWatchdog(): void {
    if (this.stopWatchdog) clearTimeout(this.stopWatchdog);
    this.stopWatchdog = undefined;
  }

  private terminate(reason: string): void {
    this.clearStopWatchdog();
    if (!this.job) return;
    this.terminatedBecause ??= reason;
    void this.job.terminate();
  }

  dispose(): void {
    this.events.dispose();
    this.stateChanged.dispose();
    this.starts.dispose();
  }
}
