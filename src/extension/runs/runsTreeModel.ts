/**
 * The Runs view as plain data: run → external datasets (Dice mean) → metrics. The
 * TreeDataProvider turns these nodes into vscode.TreeItems one to one. No `vscode` import.
 *
 * contextValue conventions used by package.json menus:
 *   run nodes      `run.<status>` (run.running, run.finished, run.failed, run.cancelled, run.interrupted)
 *   dataset nodes  `externalDataset`
 *   metric nodes   `metric`
 */
import { isResumable } from '../../engine/runs/runStatus';
import type { MetricSummary, RunStatus } from '../../engine/types';
import type { ExternalResult, RunListing } from './runSummaries';
import { provenanceLines } from '../../shared/runProvenance';

export interface IconModel {
  /** A codicon id, e.g. `pass`, `sync~spin`. */
  id: string;
  /** A theme colour id, e.g. `testing.iconPassed`. */
  color?: string;
}

interface NodeBase {
  /** Stable across refreshes, so the tree keeps expansion and selection. */
  key: string;
  label: string;
  description?: string;
  tooltip?: string;
  icon?: IconModel;
  contextValue?: string;
  collapsible: boolean;
}

export interface RunNode extends NodeBase {
  kind: 'run';
  run: RunListing;
}

export interface DatasetNode extends NodeBase {
  kind: 'dataset';
  run: RunListing;
  result: ExternalResult;
}

export interface MetricNode extends NodeBase {
  kind: 'metric';
  runId: string;
}

export interface InfoNode extends NodeBase {
  kind: 'info';
  runId: string;
}

export type RunsTreeNode = RunNode | DatasetNode | MetricNode | InfoNode;

export const STATUS_ICONS: Record<RunStatus, IconModel> = {
  running: { id: 'sync~spin', color: 'charts.blue' },
  finished: { id: 'pass', color: 'testing.iconPassed' },
  failed: { id: 'error', color: 'testing.iconFailed' },
  cancelled: { id: 'debug-pause', color: 'charts.yellow' },
  interrupted: { id: 'debug-disconnect', color: 'charts.orange' },
};

const pad = (n: number) => String(n).padStart(2, '0');

/** Local `YYYY-MM-DD HH:MM`; the raw string when it is not a date. */
export function formatStartTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export const formatScore = (x: number | undefined, digits = 3): string => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits));

function describeSummary(s: MetricSummary): string {
  return `${formatScore(s.mean)} ± ${formatScore(s.std)} (95% CI ${formatScore(s.ci95[0])}–${formatScore(s.ci95[1])}, n=${s.n})`;
}

export function runNode(run: RunListing): RunNode {
  // Best first, so a narrow sidebar cuts the date rather than the score; "best" because the
  // dashboard also shows the last epoch's.
  const parts: string[] = [];
  if (run.bestValDice !== undefined) parts.push(`best val Dice ${formatScore(run.bestValDice)}`);
  if (run.name !== run.method) parts.push(run.method);
  parts.push(formatStartTime(run.createdAt));
  if (run.status === 'running') parts.push(`epoch ${run.epochsCompleted}/${run.epochs}`);
  if (isResumable(run.status)) parts.push(`${run.status} at epoch ${run.epochsCompleted}/${run.epochs}, resumable`);
  const tooltip = [
    run.name,
    `Id: ${run.id}`,
    `Status: ${run.status}${run.error ? ` — ${run.error}` : ''}`,
    ...(run.status === 'interrupted' ? ['Its training process is gone (killed, crashed or terminated); Resume continues from its last checkpoint.'] : []),
    ...(run.provenance ? provenanceLines(run.provenance) : [`Method: ${run.method}`]),
    `Training data: ${run.trainSpec}`,
    `Started: ${formatStartTime(run.createdAt)}`,
    `Epochs: ${run.epochsCompleted}/${run.epochs}`,
    `Best validation Dice: ${formatScore(run.bestValDice)}`,
    `Folder: ${run.dir}`,
  ].join('\n');
  return {
    kind: 'run',
    key: `run:${run.id}`,
    run,
    // The id is `<time>-<name>`: the name alone (the time is in the description, the id in the tooltip).
    label: run.name,
    description: parts.join(' · '),
    tooltip,
    icon: STATUS_ICONS[run.status],
    contextValue: `run.${run.status}`,
    collapsible: true,
  };
}

/** A second evaluation kept beside the first (eval/<slug>@<UTC time>) says when it was made. */
function keptEvaluationLabel(result: ExternalResult): string {
  const t = /@(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})/.exec(result.slug);
  return t ? `${result.dataset} (evaluated ${t[1]}-${t[2]}-${t[3]} ${t[4]}:${t[5]} UTC)` : result.dataset;
}

export function datasetNode(run: RunListing, result: ExternalResult): DatasetNode {
  const parts = [result.dice ? `Dice ${formatScore(result.dice.mean)}` : 'no Dice'];
  if (result.auc !== undefined) parts.push(`AUC ${formatScore(result.auc)}`);
  const cp = result.checkpoint;
  if (cp?.epoch !== undefined) parts.push(`epoch ${cp.epoch}`);
  const weights = cp ? `Evaluated: the ${cp.which === 'best' ? 'best' : 'last'} weights${cp.epoch !== undefined ? `, epoch ${cp.epoch}` : ''}` : 'Evaluated weights not recorded (an evaluation from before provenance was kept)';
  return {
    kind: 'dataset',
    key: `run:${run.id}/eval:${result.slug}`,
    run,
    result,
    label: keptEvaluationLabel(result),
    description: parts.join(' · '),
    tooltip: `${result.dataset} (eval/${result.slug})\n${weights}`,
    icon: { id: 'database' },
    contextValue: 'externalDataset',
    collapsible: true,
  };
}

/** Metric leaves of one evaluation: Dice first, then the other summaries by name, then AUC. */
export function metricNodes(run: RunListing, result: ExternalResult): MetricNode[] {
  const names = Object.keys(result.metrics).sort((a, b) => (a === 'dice' ? -1 : b === 'dice' ? 1 : a.localeCompare(b)));
  const nodes: MetricNode[] = names.map((name) => ({
    kind: 'metric',
    key: `run:${run.id}/eval:${result.slug}/metric:${name}`,
    runId: run.id,
    label: name,
    description: describeSummary(result.metrics[name]),
    tooltip: `median ${formatScore(result.metrics[name].median)}`,
    icon: { id: 'symbol-number' },
    contextValue: 'metric',
    collapsible: false,
  }));
  if (result.auc !== undefined) {
    nodes.push({
      kind: 'metric',
      key: `run:${run.id}/eval:${result.slug}/metric:auc`,
      runId: run.id,
      label: 'auc',
      description: result.aucCi95 ? `${formatScore(result.auc)} (95% CI ${formatScore(result.aucCi95[0])}–${formatScore(result.aucCi95[1])})` : formatScore(result.auc),
      icon: { id: 'graph-line' },
      contextValue: 'metric',
      collapsible: false,
    });
  }
  return nodes;
}

function info(run: RunListing, name: string, label: string, description?: string, icon?: string): InfoNode {
  return { kind: 'info', key: `run:${run.id}/info:${name}`, runId: run.id, label, description, icon: icon ? { id: icon } : undefined, collapsible: false };
}

/** Children of a run: the validation result, then one node per evaluated dataset. */
export function runChildren(run: RunListing): RunsTreeNode[] {
  const children: RunsTreeNode[] = [];
  if (run.error) children.push(info(run, 'error', 'Error', run.error, 'warning'));
  children.push(
    info(run, 'validation', 'Validation', `best Dice ${formatScore(run.bestValDice)} · ${run.epochsCompleted}/${run.epochs} epochs`, 'target'),
  );
  for (const result of run.external) children.push(datasetNode(run, result));
  const evaluatedCount = run.external.length;
  if (evaluatedCount === 0 && run.externalSpecs.length > 0) {
    const pending = run.status === 'running' ? 'pending' : 'not evaluated';
    children.push(info(run, 'pending', 'External datasets', `${run.externalSpecs.length} ${pending}`, 'circle-outline'));
  }
  return children;
}

/** The view's root level and each node's children. */
export function childrenOf(runs: readonly RunListing[], node?: RunsTreeNode): RunsTreeNode[] {
  if (!node) return runs.map(runNode);
  switch (node.kind) {
    case 'run':
      return runChildren(node.run);
    case 'dataset':
      return metricNodes(node.run, node.result);
    default:
      return [];
  }
}
