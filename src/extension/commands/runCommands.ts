/** Commands on one run: Reveal Run Folder, Delete Run, Evaluate Run on Dataset…, Refresh. */
import * as vscode from 'vscode';
import type { TrainEvent } from '../../engine/types';
import type { ExistingEvaluation } from '../../engine/eval/evaluationTypes';
import type { EngineClient } from '../workerClient/engineClient';
import { showError, type Log } from '../outputLog';
import { deleteRun } from '../../engine/runs/deleteRun';
import { pickRun, runFromArgumentsOrPick, runsFromArguments } from '../runs/runPicker';
import type { RunsRepository } from '../runs/runsRepository';
import type { RunListing } from '../runs/runSummaries';
import type { TrainingService } from '../train/trainingService';
import { checkTrusted } from '../workspaceTrust';
import { pickDatasetSpecs } from './datasetPicker';
import { evaluateAsking, existingEvaluationItems } from './existingEvaluation';

export interface RunCommandDeps {
  repository: RunsRepository;
  engine: EngineClient;
  service: TrainingService;
  log: Log;
  /** The decoded-dataset cache shared with training. */
  datasetCacheDir: string;
}

export function registerRunCommands(context: vscode.ExtensionContext, deps: RunCommandDeps): void {
  const { repository, engine, service, log, datasetCacheDir } = deps;

  const reveal = async (arg?: unknown) => {
    const run = await runFromArgumentsOrPick(repository, arg, { placeHolder: 'Run folder to reveal' });
    if (!run) return;
    const uri = vscode.Uri.file(run.dir);
    if (vscode.env.remoteName) await vscode.commands.executeCommand('revealInExplorer', uri);
    else await vscode.commands.executeCommand('revealFileInOS', uri);
  };

  const remove = async (arg?: unknown, selected?: unknown) => {
    let runs = runsFromArguments(repository, arg, selected);
    if (runs.length === 0) {
      const run = await pickRun(repository, { placeHolder: 'Run to delete', statuses: ['finished', 'failed', 'cancelled'] });
      if (!run) return;
      runs = [run];
    }
    const training = runs.find((r) => r.id === service.current?.runId);
    if (training) {
      void vscode.window.showWarningMessage(`Run ${training.id} is training. Stop it before deleting it.`);
      return;
    }
    const names = runs.map((r) => r.id).join(', ');
    const elsewhere = runs.some((r) => r.status === 'running') ? ' A run marked running may still be training in another window or the CLI.' : '';
    const confirm = await vscode.window.showWarningMessage(
      runs.length === 1 ? `Delete run ${names} and its folder?` : `Delete ${runs.length} runs (${names}) and their folders?`,
      { modal: true, detail: `The model, metrics and evaluations are deleted from disk. This cannot be undone.${elsewhere}` },
      'Delete',
    );
    if (confirm !== 'Delete') return;
    for (const run of runs) {
      try {
        await deleteRun(repository.directory, run.dir);
        log.info(`Deleted run ${run.id} (${run.dir})`);
      } catch (error) {
        void showError(log, `Could not delete ${run.dir}: ${(error as Error).message}`);
      }
    }
    await repository.refresh();
  };

  const evaluate = async (arg?: unknown) => {
    if (!checkTrusted('Evaluating a run')) return;
    const run = await runFromArgumentsOrPick(repository, arg, { placeHolder: 'Run to evaluate', statuses: ['finished', 'cancelled'] });
    if (!run) return;
    if (run.status === 'running' || run.status === 'failed') {
      void vscode.window.showWarningMessage(`Run ${run.id} is ${run.status}; only finished or cancelled runs can be evaluated.`);
      return;
    }
    const datasets = await pickDatasetSpecs(`Evaluate ${run.id} on…`, [run.trainSpec]);
    if (!datasets) return;
    await evaluateRun(run, datasets);
  };

  const evaluateRun = (run: RunListing, datasets: string[]) =>
    vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `BUS Lab: evaluating ${run.id}`, cancellable: true },
      async (progress, token) => {
        log.info(`Evaluating ${run.id} on ${datasets.join(', ')}`);
        const onEvent = (event: TrainEvent) => {
          if (event.type === 'evaluation') progress.report({ message: `${event.dataset}: ${event.done}/${event.total} images` });
          else if (event.type === 'log') log.info(`[${event.level}] ${event.message}`);
        };
        const start = (existing: ExistingEvaluation) => {
          const request = engine.evaluate(run.dir, datasets, onEvent, datasetCacheDir, existing);
          token.onCancellationRequested(() => request.cancel());
          return request.result;
        };
        const ask = async (slugs: readonly string[]) => {
          const picked = await vscode.window.showQuickPick(existingEvaluationItems(slugs), {
            title: `${run.name} was already evaluated on ${slugs.map((s) => `eval/${s}`).join(', ')}`,
            placeHolder: 'Overwrite it, keep both, or cancel?',
            ignoreFocusOut: true,
          });
          return picked?.choice;
        };
        try {
          if (!(await evaluateAsking(start, ask))) {
            log.info(`Evaluation of ${run.id} cancelled: kept the existing evaluation.`);
            return;
          }
          log.info(`Evaluated ${run.id} on ${datasets.length} dataset(s).`);
          await repository.refresh();
          void vscode.window.showInformationMessage(`Evaluated ${run.id} on ${datasets.length} dataset(s).`, 'Open Mask Gallery').then((picked) => {
            if (picked) void vscode.commands.executeCommand('busLab.openMaskGallery', run.id);
          });
        } catch (error) {
          await repository.refresh();
          if (token.isCancellationRequested) log.info(`Evaluation of ${run.id} cancelled.`);
          else void showError(log, `Evaluation of ${run.id} failed: ${(error as Error).message}`);
        }
      },
    );

  context.subscriptions.push(
    vscode.commands.registerCommand('busLab.revealRun', reveal),
    vscode.commands.registerCommand('busLab.deleteRun', remove),
    vscode.commands.registerCommand('busLab.evaluateRun', evaluate),
    vscode.commands.registerCommand('busLab.refreshRuns', () => repository.refresh()),
  );
}
