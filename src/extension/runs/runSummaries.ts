/**
 * The Runs view's and `getRuns()`'s picture of the run folders: engine/runs reads run.json and
 * each `eval/<slug>/summary.json`; this turns them into RunListing. A broken run.json is a
 * problem line, a folder without one is no run. No `vscode` import.
 */
import type { EvaluationSummary } from '../../engine/eval/evaluationTypes';
import { listEvaluationSlugs, readEvaluationSummary } from '../../engine/runs/evaluationFolder';
import { listRuns as listRunFolders, readRunRecord } from '../../engine/runs/runFolder';
import { runStatusOf } from '../../engine/runs/runStatus';
import type { MetricSummary, RunRecord, RunSummary } from '../../engine/types';
import { provenanceOf, type RunProvenance } from '../../shared/runProvenance';

/** One external (or validation) evaluation of a run, with every metric its summary.json holds. */
export interface ExternalResult {
  dataset: string;
  slug: string;
  dice?: MetricSummary;
  auc?: number;
  aucCi95?: [number, number];
  /** Every MetricSummary-shaped entry of summary.json, by name (dice, iou, hd95, ...). */
  metrics: Record<string, MetricSummary>;
  /** The weights evaluated (summary.json `checkpoint`); absent in summaries written before it was recorded. */
  checkpoint?: { which: 'best' | 'last'; epoch?: number };
}

/** A RunSummary with the extra detail the Runs view shows. */
export interface RunListing extends RunSummary {
  external: ExternalResult[];
  updatedAt: string;
  finishedAt?: string;
  error?: string;
  /** Dataset specs the run was configured to evaluate (evaluated or not yet). */
  externalSpecs: string[];
  trainSpec: string;
  /** Method, seed, lambda, phi settings, image size, best epoch (the tree's tooltip). */
  provenance?: RunProvenance;
}

export interface RunListResult {
  runs: RunListing[];
  /** One line per run folder that could not be read. */
  problems: string[];
}

/** An evaluation's summary as the Runs view shows it. */
export function externalResultOf(slug: string, summary: EvaluationSummary): ExternalResult {
  const metrics: Record<string, MetricSummary> = {};
  for (const [name, value] of Object.entries(summary.metrics ?? {})) if (value && typeof value.mean === 'number') metrics[name] = value;
  const result: ExternalResult = { dataset: summary.dataset, slug, metrics };
  if (metrics.dice) result.dice = metrics.dice;
  if (summary.checkpoint) result.checkpoint = { which: summary.checkpoint.which, ...(summary.checkpoint.epoch !== undefined ? { epoch: summary.checkpoint.epoch } : {}) };
  // Older summaries held a bare number.
  const auc: unknown = summary.auc;
  if (typeof auc === 'number') result.auc = auc;
  else if (summary.auc && typeof summary.auc.value === 'number') {
    result.auc = summary.auc.value;
    const ci = summary.auc.ci95;
    if (Array.isArray(ci) && ci.length === 2 && ci.every((x) => typeof x === 'number')) result.aucCi95 = [ci[0], ci[1]];
  }
  return result;
}

async function externalResults(runDir: string, record: RunRecord): Promise<ExternalResult[]> {
  const external: ExternalResult[] = [];
  for (const slug of await listEvaluationSlugs(runDir, record)) {
    const summary = await readEvaluationSummary(runDir, slug);
    if (summary) external.push(externalResultOf(slug, summary));
  }
  return external.sort((a, b) => a.dataset.localeCompare(b.dataset));
}

export function toRunListing(runDir: string, record: RunRecord, external: ExternalResult[]): RunListing {
  const config = record.config;
  return {
    id: record.id,
    dir: runDir,
    name: record.name || config.name || config.method,
    method: config.method,
    status: record.status,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    ...(record.finishedAt ? { finishedAt: record.finishedAt } : {}),
    ...(record.error ? { error: record.error } : {}),
    ...(record.bestValDice !== undefined ? { bestValDice: record.bestValDice } : {}),
    epochsCompleted: record.epochsCompleted ?? 0,
    epochs: config.epochs,
    trainSpec: config.train,
    externalSpecs: Array.isArray(config.external) ? config.external : [],
    external,
    ...(provenanceOf(record) ? { provenance: provenanceOf(record) } : {}),
  };
}

/** Reads one run folder (status as the lock makes it: a dead `running` run is `interrupted`); throws a one-line error when run.json is missing or malformed. */
export async function readRun(runDir: string): Promise<RunListing> {
  const record = await readRunRecord(runDir);
  const effective = { ...record, status: runStatusOf(runDir, record) };
  return toRunListing(runDir, effective, await externalResults(runDir, record));
}

/** Every run in `runsDir`, newest first. A missing runs folder is an empty list. */
export async function listRuns(runsDir: string): Promise<RunListResult> {
  const { runs, problems } = await listRunFolders(runsDir);
  return { runs: await Promise.all(runs.map(async (r) => toRunListing(r.dir, { ...r.record, status: r.status }, await externalResults(r.dir, r.record)))), problems };
}
