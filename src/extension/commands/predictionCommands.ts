/**
 * Using a trained model from the editor: *BUS: Segment Image...* (explorer context menu on
 * .png/.jpg/.jpeg and folders, and the palette) and *BUS: Export Model as ONNX...* (a run in the
 * Runs view). Both run in the engine worker; the host only picks, shows progress and opens views.
 */
import { basename, join } from 'node:path';
import { stat } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { TrainEvent } from '../../engine/types';
import type { EngineClient } from '../workerClient/engineClient';
import { showError, type Log } from '../outputLog';
import type { PanelCommands } from '../../webviews/host/registerPanels';
import { pickRun, runFromArgumentsOrPick } from '../runs/runPicker';
import type { RunsRepository } from '../runs/runsRepository';
import { checkTrusted } from '../workspaceTrust';

export interface PredictionCommandDeps {
  repository: RunsRepository;
  engine: EngineClient;
  panels: PanelCommands;
  log: Log;
}

/** A file-system-safe folder name for `<run>/predictions/<name>/`. */
export function predictionFolderName(source: string): string {
  return source.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[_.]+|[_.]+$/g, '').slice(0, 80) || 'images';
}

export function registerPredictionCommands(context: vscode.ExtensionContext, deps: PredictionCommandDeps): void {
  const { repository, engine, panels, log } = deps;

  const segmentImage = async (arg?: unknown) => {
    if (!checkTrusted('Segmenting images')) return;
    let target = arg instanceof vscode.Uri ? arg : undefined;
    if (!target) {
      const picked = await vscode.window.showOpenDialog({
        canSelectFiles: true,
        canSelectFolders: true,
        canSelectMany: false,
        filters: { Images: ['png', 'jpg', 'jpeg'] },
        openLabel: 'Segment',
        title: 'BUS: Segment an image, or every image in a folder',
      });
      target = picked?.[0];
    }
    if (!target) return;
    const input = target.fsPath;
    const isFolder = (await stat(input).catch(() => undefined))?.isDirectory() ?? false;
    // Runs are listed newest first, so the most recent finished run is the default choice.
    const run = await pickRun(repository, { placeHolder: `Run to segment ${basename(input)} with (most recent first)`, statuses: ['finished'] });
    if (!run) return;
    const source = basename(input);
    const outDir = join(run.dir, 'predictions', predictionFolderName(source));
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `BUS Lab: segmenting ${source}`, cancellable: true },
      async (progress, token) => {
        log.info(`Segmenting ${input} with ${run.id} -> ${outDir}`);
        const onEvent = (event: TrainEvent) => {
          if (event.type === 'evaluation' && isFolder) progress.report({ message: `${event.done}/${event.total} images` });
          else if (event.type === 'log') log.info(`[${event.level}] ${event.message}`);
        };
        const request = engine.predict(run.dir, input, outDir, onEvent);
        token.onCancellationRequested(() => request.cancel());
        try {
          const summary = await request.result;
          log.info(`Segmented ${summary.rows.length} image(s) in ${summary.seconds.toFixed(1)} s; ${summary.skipped.length} skipped.`);
          if (summary.rows.length === 0) {
            void showError(log, `No image could be read: ${summary.skipped.map((s) => s.reason).join('; ')}`);
            return;
          }
          if (summary.skipped.length > 0) void vscode.window.showWarningMessage(`Skipped ${summary.skipped.length} file(s) that could not be read; see the BUS Lab log.`);
          panels.openPrediction({ summary, runName: run.name, source });
        } catch (error) {
          if (token.isCancellationRequested) log.info(`Segmentation of ${source} cancelled.`);
          else void showError(log, `Segmenting ${source} failed: ${(error as Error).message}`);
        }
      },
    );
  };

  const exportOnnx = async (arg?: unknown) => {
    if (!checkTrusted('Exporting a model')) return;
    const run = await runFromArgumentsOrPick(repository, arg, { placeHolder: 'Run to export as ONNX', statuses: ['finished', 'cancelled'] });
    if (!run) return;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(run.dir);
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(folder, `${run.id}.onnx`),
      filters: { 'ONNX model': ['onnx'] },
      saveLabel: 'Export',
      title: `Export ${run.id} as ONNX`,
    });
    if (!target) return;
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `BUS Lab: exporting ${run.id} as ONNX` }, async () => {
      try {
        const result = await engine.exportOnnx(run.dir, target.fsPath).result;
        log.info(`Exported ${run.id} to ${result.file} (${result.bytes} bytes, outputs ${result.outputs.join(', ')})`);
        const choice = await vscode.window.showInformationMessage(`Exported ${run.id} to ${basename(result.file)} (${(result.bytes / 1e6).toFixed(1)} MB).`, 'Reveal');
        if (choice === 'Reveal') await vscode.commands.executeCommand(vscode.env.remoteName ? 'revealInExplorer' : 'revealFileInOS', target);
      } catch (error) {
        void showError(log, `Export of ${run.id} failed: ${(error as Error).message}`);
      }
    });
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('busLab.segmentImage', segmentImage),
    vscode.commands.registerCommand('busLab.exportOnnx', exportOnnx),
  );
}
