/**
 * Lists the runs in a runs folder for the Runs view and `getRuns()`: reads each
 * `<runs>/<id>/run.json` (RunRecord) and its `eval/<slug>/summary.json` files into RunSummary.
 * Read-only and forgiving: a folder without a readable run.json is reported as a problem, not
 * thrown. No `vscode` import.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readRunRecord } from '../../engine/runs/runStore';
import type { MetricSummary, RunRecord, RunStatus, RunSummary } from '../../engine/types';

/** One external (or validation) evaluation of a run, with every metric its summary.json holds. */
export interface ExternalResult {
  dataset: string;
  slug: string;
  dice?: MetricSummary;
  auc?: number;
  aucCi95?: [number, number];
  /** Every MetricSummary-shaped entry of summary.json, by name (dice, iou, hd95, ...). */
  metrics: Record<string, MetricSummary>;
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
}

export interface RunListResult {
  runs: RunListing[];
  /** One line per run folder that could not be read. */
  problems: string[];
}

const STATUSES: readonly RunStatus[] = ['running', 'finished', 'failed', 'cancelled'];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isMetricSummary(v: unknown): v is MetricSummary {
  return isRecord(v) && typeof v.mean === 'number' && typeof v.n === 'number';
}

function asRunRecord(v: unknown): RunRecord | undefined {
  if (!isRecord(v) || typeof v.id !== 'string' || !STATUSES.includes(v.status as RunStatus) || !isRecord(v.config)) return undefined;
  return v as unknown as RunRecord;
}

async function readJson(path: string): Promise<unknown> {
  return JSON.parse(await readFile(path, 'utf8'));
}

/** Reads `eval/<slug>/summary.json` into an ExternalResult, or undefined when absent/unreadable. */
export async function readEvalSummary(runDir: string, slug: string): Promise<ExternalResult | undefined> {
  let raw: unknown;
  try {
    raw = await readJson(join(runDir, 'eval', slug, 'summary.json'));
  } catch {
    return undefined;
  }
  if (!isRecord(raw)) return undefined;
  const metrics: Record<string, MetricSummary> = {};
  const sources = [raw, isRecord(raw.metrics) ? raw.metrics : {}];
  for (const source of sources) for (const [name, value] of Object.entries(source)) if (isMetricSummary(value)) metrics[name] = value;
  const result: ExternalResult = {
    dataset: typeof raw.dataset === 'string' ? raw.dataset : typeof raw.name === 'string' ? raw.name : slug,
    slug,
    metrics,
  };
  if (metrics.dice) result.dice = metrics.dice;
  if (typeof raw.auc === 'number') result.auc = raw.auc;
  else if (isRecord(raw.auc) && typeof raw.auc.value === 'number') {
    result.auc = raw.auc.value;
    const ci = raw.auc.ci95;
    if (Array.isArray(ci) && ci.length === 2 && ci.every((x) => typeof x === 'number')) result.aucCi95 = [ci[0], ci[1]];
  }
  return result;
}

async function listEvalSlugs(runDir: string, record: RunRecord): Promise<string[]> {
  const slugs = new Set(Array.isArray(record.evaluated) ? record.evaluated : []);
  try {
    for (const d of await readdir(join(runDir, 'eval'), { withFileTypes: true })) if (d.isDirectory()) slugs.add(d.name);
  } catch {
    // no eval folder yet
  }
  return [...slugs];
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
  };
}

/** Reads one run folder; throws with a clear message when run.json is missing or malformed. */
export async function readRun(runDir: string): Promise<RunListing> {
  const record = asRunRecord(await readRunRecord(runDir));
  if (!record) throw new Error(`${runDir}: run.json is not a run record`);
  const external: ExternalResult[] = [];
  for (const slug of await listEvalSlugs(runDir, record)) {
    const summary = await readEvalSummary(runDir, slug);
    if (summary) external.push(summary);
  }
  external.sort((a, b) => a.dataset.localeCompare(b.dataset));
  return toRunListing(runDir, record, external);
}

/** Every run in `runsDir`, newest first. A missing runs folder is an empty list. */
export async function listRuns(runsDir: string): Promise<RunListResult> {
  let entries;
  try {
    entries = await readdir(runsDir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { runs: [], problems: [] };
    return { runs: [], problems: [`${runsDir}: ${(error as Error).message}`] };
  }
  const runs: RunListing[] = [];
  const problems: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const dir = join(runsDir, entry.name);
    try {
      runs.push(await readRun(dir));
    } catch (error) {
      // A folder being created right now has no run.json yet: not worth a problem line.
      if (!/not found/.test((error as Error).message)) problems.push((error as Error).message);
    }
  }
  runs.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id));
  return { runs, problems };
}
