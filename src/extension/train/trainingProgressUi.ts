/**
 * Shows a running training: a cancellable progress notification (percentage, epoch, ETA), a
 * status-bar item (epoch and validation Dice; click opens the dashboard), and every event as a
 * line in the "BUS Lab" output channel.
 */
import * as vscode from 'vscode';
import type { TrainEvent } from '../../engine/types';
import type { Log } from '../outputLog';
import { formatTrainEvent, initialProgress, progressMessage, reduceProgress, statusBarText, TrainingProgress } from './trainingProgress';
import type { TrainingService } from './trainingService';

const TERMINAL = new Set<TrainEvent['type']>(['finished', 'failed', 'cancelled']);

export function showTrainingProgress(service: TrainingService, log: Log): vscode.Disposable {
  const statusBar = vscode.window.createStatusBarItem('busLab.training', vscode.StatusBarAlignment.Left, 10);
  statusBar.name = 'BUS Lab Training';
  statusBar.command = 'busLab.openTrainingDashboard';
  let state: TrainingProgress | undefined;
  let reportToNotification: ((state: TrainingProgress) => void) | undefined;
  let endNotification: (() => void) | undefined;

  const update = () => {
    if (!state) return;
    statusBar.text = statusBarText(state);
    statusBar.tooltip = `BUS Lab: ${state.runId ?? 'training'} — ${progressMessage(state)}\nClick to open the Training Dashboard`;
    reportToNotification?.(state);
  };

  const openNotification = (runId: string) => {
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `BUS Lab: training ${runId}`, cancellable: true },
      (progress, token) => {
        let reported = 0;
        token.onCancellationRequested(() => {
          if (service.cancel()) log.info(`Cancel requested for ${runId}: the trainer saves a checkpoint and stops.`);
          progress.report({ message: 'Stopping after the current step (saving a checkpoint)…' });
        });
        reportToNotification = (s) => {
          const increment = Math.max(0, s.percent - reported);
          reported += increment;
          progress.report({ message: progressMessage(s), increment });
        };
        return new Promise<void>((resolve) => (endNotification = resolve));
      },
    );
  };

  const onEvent = (event: TrainEvent) => {
    const line = formatTrainEvent(event);
    if (line) (event.type === 'failed' ? log.error : event.type === 'log' && event.level === 'warn' ? log.warn : log.info)(line);
    if (event.type === 'started') {
      state = reduceProgress(initialProgress(event.record.config.epochs), event);
      openNotification(event.runId);
      statusBar.show();
    } else if (state) {
      state = reduceProgress(state, event);
    }
    update();
    if (TERMINAL.has(event.type)) {
      endNotification?.();
      endNotification = undefined;
      reportToNotification = undefined;
      statusBar.hide();
      state = undefined;
    }
  };

  const subscriptions = [
    service.onTrainEvent(onEvent),
    service.onDidChangeState(() => {
      void vscode.commands.executeCommand('setContext', 'busLab.trainingRunning', service.isRunning);
      if (!service.isRunning) {
        endNotification?.();
        endNotification = undefined;
        statusBar.hide();
      }
    }),
  ];
  return new vscode.Disposable(() => {
    for (const s of subscriptions) s.dispose();
    endNotification?.();
    statusBar.dispose();
  });
}
