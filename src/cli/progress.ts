/**
 * Turns TrainEvents into terminal output: a one-line progress bar redrawn in place on a terminal,
 * plain log lines otherwise (CI logs, pipes).
 */
import type { TrainEvent } from '../engine/types';
import type { CliIO } from './command';

export function createTrainProgress(io: CliIO): { onEvent: (e: TrainEvent) => void; done: () => void } {
  const stream = process.stderr;
  const bar = io.isTTY && !process.env.CI;
  let barVisible = false;
  const clearBar = () => {
    if (barVisible) stream.write('\r\x1b[2K');
    barVisible = false;
  };
  const line = (text: string) => {
    clearBar();
    io.info(text);
  };
  return {
    onEvent(e) {
      switch (e.type) {
        case 'log':
          if (e.level === 'warn') {
            clearBar();
            io.warn(e.message);
          } else line(e.message);
          break;
        case 'started':
          line(`run ${e.runId} -> ${e.runDir}`);
          break;
        case 'step':
          if (bar) {
            const done = e.record.globalStep / e.totalSteps;
            const width = 30;
            const filled = Math.round(done * width);
            stream.write(
              `\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(done * 100).toFixed(0).padStart(3)}% ` +
                `epoch ${e.record.epoch} step ${e.record.globalStep}/${e.totalSteps} loss ${e.record.losses.total.toFixed(4)} ${e.record.imagesPerSecond.toFixed(1)} img/s`,
            );
            barVisible = true;
          }
          break;
        case 'evaluation':
          if (bar) {
            stream.write(`\r\x1b[2Kevaluating ${e.dataset}: ${e.done}/${e.total}`);
            barVisible = true;
          } else if (e.done === e.total) line(`evaluated ${e.dataset}: ${e.total} images`);
          break;
        case 'finished':
          line(`finished ${e.runId}: best validation Dice ${e.record.bestValDice?.toFixed(4) ?? 'n/a'} (epoch ${e.record.bestEpoch ?? '-'})`);
          break;
        case 'failed':
          clearBar();
          break;
        case 'cancelled':
          line(`cancelled ${e.runId}; resume with --resume ${e.runId}`);
          break;
        default:
          break;
      }
    },
    done: clearBar,
  };
}
