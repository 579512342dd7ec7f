/** Check Dataset… (the engine's health check of a dataset) and Configure Datasets. */
import * as vscode from 'vscode';
import { openSetting } from '../config/settings';
import type { EngineClient } from '../workerClient/engineClient';
import { describeHealthReport } from '../datasets/healthReportText';
import { showError, type Log } from '../outputLog';
import { pickDatasetSpec } from './datasetPicker';

export interface DatasetCommandDeps {
  engine: EngineClient;
  log: Log;
}

export function registerDatasetCommands(context: vscode.ExtensionContext, deps: DatasetCommandDeps): void {
  const { engine, log } = deps;
  context.subscriptions.push(
    vscode.commands.registerCommand('busLab.checkDataset', async (specArg?: unknown) => {
      const spec = typeof specArg === 'string' ? specArg : await pickDatasetSpec('Check dataset');
      if (!spec) return;
      // Returns the report, so other code (and tests) can run the check with a spec argument.
      const report = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `BUS Lab: checking ${spec}`, cancellable: true },
        async (progress, token) => {
          const request = engine.checkDataset(spec, (event) => {
            if (event.type === 'log') {
              log.info(`[${event.level}] ${event.message}`);
              progress.report({ message: event.message });
            }
          });
          token.onCancellationRequested(() => request.cancel());
          try {
            return await request.result;
          } catch (error) {
            if (!token.isCancellationRequested) void showError(log, `Dataset check failed: ${(error as Error).message}`);
            return undefined;
          }
        },
      );
      if (!report) return undefined;
      const text = describeHealthReport(report);
      for (const line of text.details) log.info(line);
      const show = text.ok ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
      void show(text.summary, 'Show Log').then((picked) => {
        if (picked) log.show();
      });
      return report;
    }),
    vscode.commands.registerCommand('busLab.configureDatasets', () => openSetting('busLab.datasets')),
  );
}
