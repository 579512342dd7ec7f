/** Commands that start and stop training: Train BUS model, Stop Training, Resume. */
import * as vscode from 'vscode';
import { readRunRecord } from '../../engine/runs/runFolder';
import { isResumable, RESUMABLE_STATUSES } from '../../engine/runs/runStatus';
import { showError, type Log } from '../outputLog';
import type { ProviderCatalog } from '../providers/providerCatalog';
import { runFromArgumentsOrPick } from '../runs/runPicker';
import type { RunsRepository } from '../runs/runsRepository';
import { checkTrusted } from '../workspaceTrust';
import type { TrainingLauncher } from '../train/trainingLauncher';
import type { TrainingService } from '../train/trainingService';
import { runTrainWizard } from '../train/trainWizard';
import { answersToConfig } from '../train/trainWizardModel';

export interface TrainCommandDeps {
  launcher: TrainingLauncher;
  service: TrainingService;
  catalog: ProviderCatalog;
  repository: RunsRepository;
  log: Log;
}

export function registerTrainCommands(context: vscode.ExtensionContext, deps: TrainCommandDeps): void {
  const { launcher, service, catalog, repository, log } = deps;
  context.subscriptions.push(
    vscode.commands.registerCommand('busLab.train', async () => {
      if (!checkTrusted('Training')) return;
      if (service.isRunning) {
        // The launcher shows the refusal with its actions.
        await launcher.launch({}, { interactive: true });
        return;
      }
      const answers = await runTrainWizard(catalog);
      if (answers) await launcher.launch(answersToConfig(answers), { interactive: true });
    }),

    vscode.commands.registerCommand('busLab.stopTraining', () => {
      const again = service.current?.cancelRequested === true;
      const name = service.current?.runId ?? 'the running training';
      if (!service.cancel()) {
        void vscode.window.showInformationMessage('No training is running.');
        return;
      }
      // A worker that does not answer is terminated after a few seconds, or now on a second request.
      log.info(again ? `Stop requested again for ${name}: terminating the engine worker.` : `Stop requested for ${name}.`);
      void vscode.window.setStatusBarMessage(again ? '$(debug-stop) BUS Lab: terminating the training…' : '$(debug-pause) BUS Lab: stopping after the current step…', 5000);
    }),

    vscode.commands.registerCommand('busLab.resumeRun', async (arg?: unknown) => {
      const run = await runFromArgumentsOrPick(repository, arg, { placeHolder: 'Run to resume', statuses: [...RESUMABLE_STATUSES] });
      if (!run) return;
      if (!isResumable(run.status)) {
        void vscode.window.showInformationMessage(`Run ${run.id} is ${run.status}; only ${RESUMABLE_STATUSES.join(', ')} runs can be resumed.`);
        return;
      }
      try {
        const record = await readRunRecord(run.dir);
        await launcher.resume(run, record);
      } catch (error) {
        void showError(log, `Cannot resume ${run.id}: ${(error as Error).message}`);
      }
    }),
  );
}
