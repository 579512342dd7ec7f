/**
 * What the progress notification, the status-bar item and the output channel say about a
 * training run, folded from its TrainEvents. No `vscode` import.
 */
import type { TrainEvent } from '../../engine/types';
import { formatDuration as formatSharedDuration } from '../../webviews/dashboard/viewModel';

export interface TrainingProgress {
  runId?: string;
  phase: 'starting' | 'training' | 'evaluating' | 'finished' | 'failed' | 'cancelled';
  epoch: number;
  totalEpochs: number;
  globalStep: number;
  totalSteps: number;
  /** 0–100, training steps only (evaluation shows its own count). */
  percent: number;
  etaSeconds?: number;
  lastValDice?: number;
  bestValDice?: number;
  evaluation?: { dataset: string; done: number; total: number };
  startedAt: number;
}

export function initialProgress(totalEpochs: number, now = Date.now()): TrainingProgress {
  return { phase: 'starting', epoch: 0, totalEpochs, globalStep: 0, totalSteps: 0, percent: 0, startedAt: now };
}

const clampPercent = (x: number) => Math.max(0, Math.min(100, x));

export function reduceProgress(state: TrainingProgress, event: TrainEvent, now = Date.now()): TrainingProgress {
  switch (event.type) {
    case 'started':
      return {
        ...state,
        runId: event.runId,
        phase: 'training',
        totalSteps: event.totalSteps,
        totalEpochs: event.record.config.epochs,
        epoch: event.record.epochsCompleted ?? 0,
        bestValDice: event.record.bestValDice,
        startedAt: now,
      };
    case 'step': {
      const totalSteps = event.totalSteps || state.totalSteps;
      const fraction = totalSteps > 0 ? event.record.globalStep / totalSteps : 0;
      const elapsed = (now - state.startedAt) / 1000;
      const eta = fraction > 0 && fraction < 1 ? (elapsed * (1 - fraction)) / fraction : state.etaSeconds;
      return {
        ...state,
        phase: 'training',
        epoch: Math.max(state.epoch, event.record.epoch - 1),
        globalStep: event.record.globalStep,
        totalSteps,
        percent: clampPercent(fraction * 100),
        ...(eta !== undefined ? { etaSeconds: eta } : {}),
      };
    }
    case 'epoch': {
      const dice = event.record.val.dice;
      return {
        ...state,
        phase: 'training',
        epoch: event.record.epoch,
        totalEpochs: event.totalEpochs,
        percent: clampPercent(Math.max(state.percent, (event.record.epoch / Math.max(1, event.totalEpochs)) * 100)),
        etaSeconds: event.record.etaSeconds,
        lastValDice: dice,
        bestValDice: state.bestValDice === undefined || dice > state.bestValDice ? dice : state.bestValDice,
      };
    }
    case 'checkpoint':
      return event.best ? { ...state, bestValDice: event.valDice } : state;
    case 'evaluation':
      return { ...state, phase: 'evaluating', percent: 100, evaluation: { dataset: event.dataset, done: event.done, total: event.total } };
    case 'finished':
      return { ...state, phase: 'finished', percent: 100, bestValDice: event.record.bestValDice ?? state.bestValDice };
    case 'failed':
      return { ...state, phase: 'failed' };
    case 'cancelled':
      return { ...state, phase: 'cancelled' };
    default:
      return state;
  }
}

/** `1h 02m`, `3m 05s`, `42s`. */
export function formatDuration(seconds: number | undefined): string {
  return formatSharedDuration(seconds, 'compact');
}

const dice = (x: number | undefined) => (x === undefined ? '–' : x.toFixed(3));

/** The progress notification's message. */
export function progressMessage(p: TrainingProgress): string {
  switch (p.phase) {
    case 'starting':
      return 'Loading data and starting the engine…';
    case 'evaluating':
      return p.evaluation ? `Evaluating on ${p.evaluation.dataset}: ${p.evaluation.done}/${p.evaluation.total} images` : 'Evaluating…';
    case 'training': {
      const parts = [`${Math.floor(p.percent)}%`, `epoch ${Math.min(p.epoch + (p.percent < 100 ? 1 : 0), p.totalEpochs)}/${p.totalEpochs}`];
      if (p.lastValDice !== undefined) parts.push(`val Dice ${dice(p.lastValDice)}`);
      parts.push(`ETA ${formatDuration(p.etaSeconds)}`);
      return parts.join(' · ');
    }
    default:
      return p.phase;
  }
}

/** The status-bar item's text (codicons allowed). */
export function statusBarText(p: TrainingProgress): string {
  const icon = p.phase === 'evaluating' ? '$(beaker)' : '$(sync~spin)';
  const shownEpoch = p.phase === 'training' ? Math.min(p.epoch + 1, p.totalEpochs) : p.epoch;
  return `${icon} BUS ${p.phase === 'evaluating' ? 'eval' : `epoch ${shownEpoch}/${p.totalEpochs}`} · val Dice ${dice(p.lastValDice ?? p.bestValDice)}`;
}

/** One line for the output channel, or undefined for events too frequent to log (steps). */
export function formatTrainEvent(event: TrainEvent): string | undefined {
  switch (event.type) {
    case 'started':
      return `Run ${event.runId} started in ${event.runDir} (${event.record.config.method}, ${event.record.config.epochs} epochs, ${event.totalSteps} steps${event.record.backend ? `, backend ${event.record.backend.name}` : ''})`;
    case 'log':
      return `[${event.level}] ${event.message}`;
    case 'step':
      return undefined;
    case 'epoch': {
      const r = event.record;
      const losses = Object.entries(r.losses)
        .map(([k, v]) => `${k}=${v.toFixed(4)}`)
        .join(' ');
      return `Epoch ${r.epoch}/${event.totalEpochs}: ${losses} · val Dice ${dice(r.val.dice)} IoU ${dice(r.val.iou)}${r.val.auc !== undefined ? ` AUC ${dice(r.val.auc)}` : ''} · ${r.imagesPerSecond.toFixed(1)} img/s · ${formatDuration(r.seconds)} · ETA ${formatDuration(r.etaSeconds)}`;
    }
    case 'checkpoint':
      return `Checkpoint at epoch ${event.epoch} (val Dice ${dice(event.valDice)})${event.best ? ' — new best' : ''}`;
    case 'evaluation':
      return event.done === 0 || event.done === event.total ? `Evaluating ${event.dataset}: ${event.done}/${event.total}` : undefined;
    case 'finished':
      return `Run ${event.runId} finished: best val Dice ${dice(event.record.bestValDice)} at epoch ${event.record.bestEpoch ?? '–'}`;
    case 'failed':
      return `Run ${event.runId ?? ''} failed: ${event.error}`;
    case 'cancelled':
      return `Run ${event.runId} cancelled after ${event.record.epochsCompleted} epochs (resumable)`;
  }
}
