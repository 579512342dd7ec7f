/** Commands that open the webview panels: Training Dashboard, Mask Gallery, Compare Runs (Ablation). */
import * as vscode from 'vscode';
import type { PanelCommands } from '../../webviews/host/registerPanels';
import { pickRuns, runFromArgumentsOrPick, runsFromArguments } from '../runs/runPicker';
import type { RunsRepository } from '../runs/runsRepository';
import type { RunsTreeNode } from '../runs/runsTreeModel';
import type { RunListing } from '../runs/runSummaries';
import { runnerBaseline } from '../../engine/experiments/comparisonFile';
import type { TrainingService } from '../train/trainingService';

export interface PanelCommandDeps {
  panels: PanelCommands;
  repository: RunsRepository;
  service: TrainingService;
}

export function registerPanelCommands(context: vscode.ExtensionContext, deps: PanelCommandDeps): void {
  const { panels, repository, service } = deps;
  context.subscriptions.push(
    vscode.commands.registerCommand('busLab.openTrainingDashboard', async (arg?: unknown) => {
      await repository.refresh();
      const [run] = runsFromArguments(repository, arg);
      panels.openTrainingDashboard(run?.id ?? service.current?.runId);
    }),

    vscode.commands.registerCommand('busLab.openMaskGallery', async (arg?: unknown) => {
      const run = await runFromArgumentsOrPick(repository, arg, { placeHolder: 'Run whose predicted masks to show', filter: (r) => r.external.length > 0 });
      if (!run) return;
      const dataset = arg && typeof arg === 'object' && (arg as RunsTreeNode).kind === 'dataset' ? (arg as Extract<RunsTreeNode, { kind: 'dataset' }>).result.slug : undefined;
      panels.openMaskGallery(run.id, dataset);
    }),

    vscode.commands.registerCommand('busLab.compareRuns', async (arg?: unknown, selected?: unknown) => {
      let runs = runsFromArguments(repository, arg, selected);
      if (runs.length < 2) {
        const picked = await pickRuns(repository, { placeHolder: 'Runs to compare (two or more)', statuses: ['finished', 'cancelled'], minimum: 2 });
        if (!picked) return;
        runs = picked;
      }
      const baseline = await pickBaseline(repository.directory, runs);
      if (!baseline) return;
      panels.openAblationComparison(runs.map((r) => r.id), baseline);
    }),
  );
}

/**
 * Asks which run is the baseline every difference and p-value refers to; the one an ablation
 * runner's comparison of these runs used is offered first (else the first run).
 */
async function pickBaseline(runsDir: string, runs: readonly RunListing[]): Promise<string | undefined> {
  const suggested = await runnerBaseline(
    runsDir,
    runs.map((r) => r.id),
  ).catch(() => undefined);
  const ordered = suggested ? [...runs.filter((r) => r.id === suggested.runId), ...runs.filter((r) => r.id !== suggested.runId)] : [...runs];
  const items = ordered.map((r) => ({
    label: r.name,
    description: suggested && r.id === suggested.runId ? `${r.id} · baseline of ${suggested.file}` : `${r.id} · ${r.method}`,
    id: r.id,
  }));
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Compare Runs: baseline',
    placeHolder: 'Baseline for the differences and p-values (another one can be chosen in the comparison)',
  });
  return picked?.id;
}
