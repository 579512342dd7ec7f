/** Check Dataset… (the engine's health check of a dataset) and Configure Datasets. */
import * as vscode from 'vscode';
import { openSetting } from '../config/settings';
import type { EngineClient } from '../engine/engineClient';
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
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `BUS Lab: checking ${spec}`, cancellable: true }, async (progress, token) => {
        const request = engine.checkDataset(spec, (event) => {
          if (event.type === 'log') {
            log.info(`[${event.level}] ${event.message}`);
            progress.report({ message: event.message });
          }
        });
        token.onCancellationRequested(() => request.cancel());
        try {
          const report = await request.result;
          log.info(`Dataset check ${spec}: ${JSON.stringify(report, null, 2)}`);
          const problems = Array.isArray(report?.problems) ? report.problems : [];
          const count = typeof report?.count === 'number' ? `${report.count} images` : 'checked';
          if (report?.ok === false || problems.length > 0) {
            const picked = await vscode.window.showWarningMessage(`${spec}: ${count}, ${problems.length} problem(s): ${problems.slice(0, 2).join('; ')}${problems.length > 2 ? '…' : ''}`, 'Show Log');
            if (picked) log.show();
          } else {
            const picked = await vscode.window.showInformationMessage(`${spec}: ${count}, no problems found.`, 'Show Log');
            if (picked) log.show();
          }
          return report;
        } catch (error) {
          if (!token.isCancellationRequested) void showError(log, `Dataset check failed: ${(error as Error).message}`);
          return undefined;
        }
      });
    }),
    vscode.commands.registerCommand('busLab.configureDatasets', () => openSetting('busLab.datasets')),
  );
}
