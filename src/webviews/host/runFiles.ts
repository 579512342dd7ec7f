/**
 * What the panels show from the run folders, read through engine/runs (the one reader of run
 * folders): run options, metrics points (whole, or the new tail while a run writes), an evaluated
 * dataset as gallery items, comparison.json files. Every path is built with `resolveInsideRealSync`
 * from the runs folder: a run folder is data someone may have shared, and a symbolic link in it
 * (a run folder, an eval folder, run.json, a picture folder) must not lead outside. No `vscode` import.
 */
import type { PerImageResult } from '../../engine/eval/evaluationTypes';
import { listComparisonFiles as findComparisonFiles } from '../../engine/runs/comparisonFiles';
import { listEvaluationSlugs, readEvaluation } from '../../engine/runs/evaluationFolder';
import { readMetrics as readMetricsFile } from '../../engine/runs/metricsFile';
import { listRuns as listRunFolders, readRun } from '../../engine/runs/runFolder';
import type { RunRecord } from '../../engine/types';
import { parseMetricsRecords, type EpochPoint, type StepPoint } from '../dashboard/viewModel';
import type { FeaturePair, GalleryItem } from '../gallery/viewModel';
import { provenanceOf } from '../../shared/runProvenance';
import { isRunId, type GalleryDataset, type RunOption } from '../protocol';
import { resolveInsideRealSync } from './pathGuard';

/** The folder of a run, or undefined when the id is not a safe single segment or the folder is a link out of the runs folder. */
export function runDirOf(runsDir: string, runId: string): string | undefined {
  return isRunId(runId) ? resolveInsideRealSync(runsDir, runId) : undefined;
}

/** The eval folder of one dataset of a run, when it stays inside the run folder. */
export function evalDirOf(runDir: string, slug: string): string | undefined {
  return resolveInsideRealSync(runDir, 'eval', slug);
}

/** The run record with its effective status (`interrupted` for a dead `running` run), or undefined when the folder holds no readable run. */
export async function readRunRecord(runDir: string): Promise<RunRecord | undefined> {
  if (!resolveInsideRealSync(runDir, 'run.json')) return undefined;
  const read = await readRun(runDir);
  return read.kind === 'run' ? { ...read.record, status: read.status } : undefined;
}

export function runOptionOf(id: string, r: RunRecord | undefined): RunOption {
  const cfg = r?.config;
  return {
    id,
    name: r?.name || cfg?.name || id,
    method: typeof cfg?.method === 'string' ? cfg.method : '',
    status: r?.status ?? 'failed',
    createdAt: typeof r?.createdAt === 'string' ? r.createdAt : '',
    evaluated: Array.isArray(r?.evaluated) ? r.evaluated.filter((s): s is string => typeof s === 'string') : [],
    ...(provenanceOf(r) ? { provenance: provenanceOf(r) } : {}),
  };
}

/** Every run folder with a readable run.json, newest first. */
export async function listRuns(runsDir: string): Promise<RunOption[]> {
  const { runs } = await listRunFolders(runsDir);
  return runs
    .map((r) => ({ id: r.dir.split(/[\\/]/).pop() ?? r.record.id, record: { ...r.record, status: r.status } }))
    .filter((r) => runDirOf(runsDir, r.id) && resolveInsideRealSync(runsDir, r.id, 'run.json'))
    .map((r) => runOptionOf(r.id, r.record));
}

export interface MetricsRead {
  steps: StepPoint[];
  epochs: EpochPoint[];
  /** Byte offset just after the last complete line read (where a tail read continues). */
  offset: number;
  badLines: number;
}

/** Reads metrics.jsonl whole (only complete lines; a line being written is left for later). */
export async function readMetrics(runDir: string): Promise<MetricsRead> {
  return readMetricsFrom(runDir, 0);
}

/** Reads complete lines of metrics.jsonl from a byte offset (tailing a file a run appends to). */
export async function readMetricsFrom(runDir: string, offset: number): Promise<MetricsRead> {
  if (!resolveInsideRealSync(runDir, 'metrics.jsonl')) return { steps: [], epochs: [], offset, badLines: 0 };
  const read = await readMetricsFile(runDir, offset);
  const points = parseMetricsRecords(read.records);
  return { steps: points.steps, epochs: points.epochs, offset: read.offset, badLines: read.badLines + points.badLines };
}

const num = (v: number | undefined): number | null => (v === undefined || !Number.isFinite(v) ? null : v);

/** A per_image.csv row as a gallery item; `png` is the picture the evaluator wrote for it. */
export function galleryItemOf(row: PerImageResult, png: string): GalleryItem {
  const features: Record<string, FeaturePair> = {};
  for (const [name, f] of Object.entries(row.features)) features[name] = { true: num(f.true), pred: num(f.pred) };
  return {
    id: row.id,
    file: row.file,
    png,
    label: row.label,
    dice: num(row.dice),
    iou: num(row.iou),
    hd95: num(row.hd95),
    precision: num(row.precision),
    recall: num(row.recall),
    pMalignant: num(row.pMalignant),
    features,
    extra: {
      width: num(row.width),
      height: num(row.height),
      pixelSizeMm: num(row.pixelSizeMm),
      hd95Mm: num(row.hd95Mm),
      truthArea: num(row.truthArea),
      predictedArea: num(row.predictedArea),
      falsePositiveArea: num(row.falsePositiveArea),
      phi_pred: num(row.phiPredicted),
      phi_true: num(row.phiTrue),
    },
  };
}

/**
 * One evaluated dataset of a run for the gallery (without the webview URI, which the caller adds):
 * per_image.csv rows as items, the feature names, which picture folders exist, summary.json.
 * Undefined when the evaluation is missing or its per_image.csv is malformed.
 */
export async function readGalleryDataset(runDir: string, slug: string): Promise<Omit<GalleryDataset, 'baseUri'> | undefined> {
  const evalDir = evalDirOf(runDir, slug);
  if (!evalDir || !resolveInsideRealSync(evalDir, 'per_image.csv') || !resolveInsideRealSync(evalDir, 'summary.json')) return undefined;
  const read = await readEvaluation(runDir, slug);
  if (read.kind !== 'evaluation') return undefined;
  const ev = read.evaluation;
  // A picture folder that links elsewhere is not offered (the webview would load its files).
  const has = Object.fromEntries(Object.entries(ev.has).map(([folder, present]) => [folder, present && resolveInsideRealSync(evalDir, folder) !== undefined])) as typeof ev.has;
  const features: string[] = [];
  for (const row of ev.rows) for (const name of Object.keys(row.features)) if (!features.includes(name)) features.push(name);
  return {
    slug,
    name: ev.name,
    items: ev.rows.map((row, i) => galleryItemOf(row, ev.pictures[i])),
    features,
    has,
    ...(ev.summary !== undefined ? { summary: ev.summary } : {}),
  };
}

/** Dataset slugs with an eval folder: run.json's `evaluated` first, then any other folder found. */
export async function evaluatedSlugs(runDir: string, record: RunRecord | undefined): Promise<string[]> {
  return (await listEvaluationSlugs(runDir, record)).filter((s) => evalDirOf(runDir, s) !== undefined);
}

/** comparison.json files under the runs folder (depth <= 3), as forward-slash relative paths. */
export async function listComparisonFiles(runsDir: string, maxDepth = 3, maxFiles = 200): Promise<string[]> {
  return findComparisonFiles(runsDir, maxDepth, maxFiles);
}
