/**
 * Which run(s) a command acts on: the tree node(s) it was invoked on (context menu, with
 * multi-selection), a run id (notifications, API), or, from the palette, a quick pick.
 */
import * as vscode from 'vscode';
import type { RunStatus } from '../../engine/types';
import type { RunsRepository } from './runsRepository';
import type { RunListing } from './runSummaries';
import { formatScore, formatStartTime, RunsTreeNode, STATUS_ICONS } from './runsTreeModel';

function runOf(arg: unknown, repository: RunsRepository): RunListing | undefined {
  if (typeof arg === 'string') return repository.find(arg);
  if (arg && typeof arg === 'object' && 'kind' in arg) {
    const node = arg as RunsTreeNode;
    if (node.kind === 'run' || node.kind === 'dataset') return repository.find(node.run.id) ?? node.run;
    if (node.kind === 'metric' || node.kind === 'info') return repository.find(node.runId);
  }
  return undefined;
}

/** The runs named by a command's arguments `(node, selectedNodes)`; empty when none. */
export function runsFromArguments(repository: RunsRepository, arg: unknown, selected?: unknown): RunListing[] {
  const list = Array.isArray(selected) && selected.length > 0 ? selected : Array.isArray(arg) ? arg : [arg];
  const runs = list.map((a) => runOf(a, repository)).filter((r): r is RunListing => r !== undefined);
  return [...new Map(runs.map((r) => [r.id, r])).values()];
}

export interface PickRunOptions {
  placeHolder: string;
  statuses?: RunStatus[];
  /** Only runs passing this filter are offered. */
  filter?(run: RunListing): boolean;
}

function item(run: RunListing): vscode.QuickPickItem & { run: RunListing } {
  return {
    label: `$(${STATUS_ICONS[run.status].id.replace('~spin', '')}) ${run.name === run.method ? run.id : `${run.name} · ${run.id}`}`,
    description: `${run.method} · ${formatStartTime(run.createdAt)} · val Dice ${formatScore(run.bestValDice)}`,
    detail: run.external.length > 0 ? run.external.map((e) => `${e.dataset}: Dice ${formatScore(e.dice?.mean)}`).join(' · ') : undefined,
    run,
  };
}

async function candidates(repository: RunsRepository, options: PickRunOptions): Promise<RunListing[] | undefined> {
  const runs = (await repository.refresh()).filter((r) => (!options.statuses || options.statuses.includes(r.status)) && (!options.filter || options.filter(r)));
  if (runs.length === 0) {
    void vscode.window.showInformationMessage(`No ${options.statuses ? options.statuses.join(' or ') + ' ' : ''}runs in ${repository.directory}.`, 'Train BUS model').then((picked) => {
      if (picked) void vscode.commands.executeCommand('busLab.train');
    });
    return undefined;
  }
  return runs;
}

export async function pickRun(repository: RunsRepository, options: PickRunOptions): Promise<RunListing | undefined> {
  const runs = await candidates(repository, options);
  if (!runs) return undefined;
  const picked = await vscode.window.showQuickPick(runs.map(item), { placeHolder: options.placeHolder, matchOnDescription: true, matchOnDetail: true });
  return picked?.run;
}

export async function pickRuns(repository: RunsRepository, options: PickRunOptions & { minimum: number }): Promise<RunListing[] | undefined> {
  const runs = await candidates(repository, options);
  if (!runs) return undefined;
  const picked = await vscode.window.showQuickPick(runs.map(item), { placeHolder: options.placeHolder, canPickMany: true, matchOnDescription: true });
  if (!picked) return undefined;
  if (picked.length < options.minimum) {
    void vscode.window.showWarningMessage(`Pick at least ${options.minimum} runs.`);
    return undefined;
  }
  return picked.map((p) => p.run);
}

/** The run from the arguments, or one the user picks. */
export async function runFromArgumentsOrPick(repository: RunsRepository, arg: unknown, options: PickRunOptions): Promise<RunListing | undefined> {
  if (typeof arg === 'string' && !repository.find(arg)) await repository.refresh();
  const [run] = runsFromArguments(repository, arg);
  return run ?? pickRun(repository, options);
}
