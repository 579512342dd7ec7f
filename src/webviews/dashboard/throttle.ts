/**
 * Batches live training records per run and flushes them at most once per `intervalMs`, so a fast
 * training (hundreds of steps a second) never floods a webview. No `vscode` import.
 */
import type { TrainEvent } from '../../engine/types';
import type { RunDelta } from '../protocol';
import { mergeEpochs, mergeSteps, toEpochPoint, toStepPoint } from './viewModel';

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** Trailing-edge throttle: `schedule()` runs `fn` once, no sooner than `intervalMs` after the last run. */
export class Throttle {
  private last = -Infinity;
  private timer: unknown;

  constructor(
    private readonly fn: () => void,
    private readonly intervalMs: number,
    private readonly clock: Clock = realClock,
  ) {}

  schedule(): void {
    if (this.timer !== undefined) return;
    const wait = Math.max(0, this.last + this.intervalMs - this.clock.now());
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.last = this.clock.now();
      this.fn();
    }, wait);
  }

  get pending(): boolean {
    return this.timer !== undefined;
  }

  dispose(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** Collects step/epoch/status changes per run from TrainEvents until `take()`. */
export class DeltaBuffer {
  private readonly deltas = new Map<string, RunDelta>();

  private get(runId: string): RunDelta {
    let d = this.deltas.get(runId);
    if (!d) {
      d = { runId, steps: [], epochs: [] };
      this.deltas.set(runId, d);
    }
    return d;
  }

  /** Adds an event; returns the run id it concerns (or undefined for events without one). */
  add(e: TrainEvent): string | undefined {
    switch (e.type) {
      case 'step': {
        const p = toStepPoint(e.record);
        const d = this.get(e.runId);
        if (p) mergeSteps(d.steps, [p]);
        d.totalSteps = e.totalSteps;
        return e.runId;
      }
      case 'epoch': {
        const p = toEpochPoint(e.record);
        const d = this.get(e.runId);
        if (p) mergeEpochs(d.epochs, [p]);
        d.totalEpochs = e.totalEpochs;
        return e.runId;
      }
      case 'started':
        this.get(e.runId).status = 'running';
        this.get(e.runId).totalSteps = e.totalSteps;
        return e.runId;
      case 'finished':
      case 'cancelled':
        this.get(e.runId).status = e.type;
        return e.runId;
      case 'failed':
        if (e.runId) this.get(e.runId).status = 'failed';
        return e.runId;
      default:
        return undefined;
    }
  }

  get size(): number {
    return this.deltas.size;
  }

  /** Removes and returns the deltas for the runs `keep` accepts; the rest are discarded. */
  take(keep: (runId: string) => boolean = () => true): RunDelta[] {
    const out = [...this.deltas.values()].filter((d) => keep(d.runId));
    this.deltas.clear();
    return out;
  }
}
