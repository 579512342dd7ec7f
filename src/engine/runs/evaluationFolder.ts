/**
 * The evaluations of a run, `<run>/eval/<slug>/`: summary.json, per_image.csv and the gallery
 * pictures `images|masks|truth|prob/<file>.png`, where `<file>` is per_image.csv's `file` column.
 * Writing (the evaluator) and reading (tree, gallery, comparison) both go through here.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { EvaluationSummary, PerImageResult } from '../eval/evaluationTypes';
import type { MetricSummary, RunRecord } from '../types';
import { writeFileAtomic } from './atomicWrite';
import { formatPerImageCsv, parsePerImageCsv } from './perImageCsv';
import { isRecord } from '../../shared/isRecord';
import { readRunRecord } from './runFolder';

/** The gallery picture folders of an evaluation. */
export const PICTURE_FOLDERS = ['images', 'masks', 'truth', 'prob'] as const;
export type PictureFolder = (typeof PICTURE_FOLDERS)[number];

/** A slug is one path segment (the loaders' safe slugs, plus `@` for kept-both evaluations). */
export function isEvaluationSlug(slug: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/.test(slug) && !slug.includes('..');
}

/** `<runDir>/eval/<slug>`; throws on a slug that is not one safe segment. */
export function evaluationDir(runDir: string, slug: string): string {
  if (!isEvaluationSlug(slug)) throw new Error(`'${slug}' is not an evaluation name (one segment of letters, digits, . _ - @)`);
  return join(runDir, 'eval', slug);
}

/** The picture of a per_image.csv row: `<file>.png` (the evaluator's file-system-safe name). */
export function pictureName(row: Pick<PerImageResult, 'file'>): string {
  return `${row.file}.png`;
}

/** Whether `eval/<slug>/` holds a finished evaluation (summary.json is written last). */
export function hasEvaluation(runDir: string, slug: string): boolean {
  return existsSync(join(evaluationDir(runDir, slug), 'summary.json'));
}

/** The slug for keeping an existing evaluation beside a new one: `<slug>@<yyyymmdd-hhmmss>` (then `-2`, ...). */
export function keepBothSlug(runDir: string, slug: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  let candidate = `${slug}@${stamp}`;
  for (let i = 2; existsSync(join(runDir, 'eval', candidate)); i++) candidate = `${slug}@${stamp}-${i}`;
  return candidate;
}

/** Removes a previous table and summary first, so an interrupted evaluation is never taken for a finished one. */
export async function clearEvaluationResults(outDir: string): Promise<void> {
  await rm(join(outDir, 'summary.json'), { force: true });
  await rm(join(outDir, 'per_image.csv'), { force: true });
}

/** Writes per_image.csv, then summary.json (last: its presence marks the evaluation finished). */
export async function writeEvaluationResults(outDir: string, rows: readonly PerImageResult[], summary: EvaluationSummary): Promise<void> {
  await writeFileAtomic(join(outDir, 'per_image.csv'), formatPerImageCsv(rows));
  await writeFileAtomic(join(outDir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
}

/**
 * Dataset slugs with an eval folder: run.json's `evaluated` first (in its order), then any other
 * folder found, sorted. Unsafe names are left out.
 */
export async function listEvaluationSlugs(runDir: string, record: Pick<RunRecord, 'evaluated'> | undefined): Promise<string[]> {
  const listed = Array.isArray(record?.evaluated) ? record.evaluated.filter((s): s is string => typeof s === 'string') : [];
  let found: string[] = [];
  try {
    found = (await readdir(join(runDir, 'eval'), { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    // no eval folder yet
  }
  return [...listed.filter((s) => found.includes(s)), ...found.filter((s) => !listed.includes(s)).sort()].filter(isEvaluationSlug);
}

/**
 * summary.json of `eval/<slug>/`, or undefined when absent or not a JSON object. Older summaries
 * without `metrics` (metrics at the top level) are read too.
 */
export async function readEvaluationSummary(runDir: string, slug: string): Promise<EvaluationSummary | undefined> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(join(evaluationDir(runDir, slug), 'summary.json'), 'utf8'));
  } catch {
    return undefined;
  }
  if (!isRecord(raw)) return undefined;
  const metrics = isRecord(raw.metrics) ? { ...raw.metrics } : {};
  for (const [k, v] of Object.entries(raw)) if (isRecord(v) && typeof v.mean === 'number' && typeof v.n === 'number' && !(k in metrics)) metrics[k] = v;
  const dataset = typeof raw.dataset === 'string' ? raw.dataset : typeof raw.name === 'string' ? raw.name : slug;
  return { ...(raw as unknown as EvaluationSummary), dataset, slug, metrics: metrics as EvaluationSummary['metrics'] };
}

/** per_image.csv rows of `eval/<slug>/`; throws a one-line error naming the file and line when malformed. */
export async function readPerImageRows(runDir: string, slug: string): Promise<PerImageResult[]> {
  const path = join(evaluationDir(runDir, slug), 'per_image.csv');
  return parsePerImageCsv(await readFile(path, 'utf8'), path);
}

/** One evaluation for the gallery: rows with their picture names, which picture folders exist, the summary. */
export interface EvaluationRead {
  slug: string;
  dir: string;
  /** The dataset's human name (summary.json's `dataset`, else the slug). */
  name: string;
  rows: PerImageResult[];
  /** `pictureName(row)` of each row, in row order. */
  pictures: string[];
  has: Record<PictureFolder, boolean>;
  summary?: EvaluationSummary;
}

export type EvaluationResult = { kind: 'evaluation'; evaluation: EvaluationRead } | { kind: 'missing'; slug: string } | { kind: 'unreadable'; slug: string; problem: string };

export async function readEvaluation(runDir: string, slug: string): Promise<EvaluationResult> {
  if (!isEvaluationSlug(slug)) return { kind: 'missing', slug };
  const dir = evaluationDir(runDir, slug);
  if (!existsSync(join(dir, 'per_image.csv'))) return { kind: 'missing', slug };
  let rows: PerImageResult[];
  try {
    rows = await readPerImageRows(runDir, slug);
  } catch (err) {
    return { kind: 'unreadable', slug, problem: (err as Error).message };
  }
  const summary = await readEvaluationSummary(runDir, slug);
  const has = Object.fromEntries(PICTURE_FOLDERS.map((f) => [f, existsSync(join(dir, f))])) as Record<PictureFolder, boolean>;
  return { kind: 'evaluation', evaluation: { slug, dir, name: summary?.dataset ?? slug, rows, pictures: rows.map(pictureName), has, ...(summary ? { summary } : {}) } };
}

/** A finished evaluation's rows, for comparison. */
export interface DatasetResults {
  slug: string;
  name: string;
  rows: PerImageResult[];
  /** summary.json's Dice summary (mean, bootstrap CI with the evaluation's seed), as the Runs tree shows it. */
  dice?: MetricSummary;
}

function isMetricSummary(v: unknown): v is MetricSummary {
  if (!isRecord(v) || !Array.isArray(v.ci95) || v.ci95.length !== 2) return false;
  return [v.n, v.mean, v.median, v.std, v.ci95[0], v.ci95[1]].every((x) => typeof x === 'number' && Number.isFinite(x));
}

export interface RunEvaluations {
  dir: string;
  record: RunRecord;
  datasets: Map<string, DatasetResults>;
}

/**
 * run.json and every finished evaluation (summary.json + per_image.csv; one without summary.json
 * was interrupted and is left out). Throws on a missing run.json or a malformed file.
 */
export async function readRunEvaluations(dir: string): Promise<RunEvaluations> {
  const record = await readRunRecord(dir);
  const datasets = new Map<string, DatasetResults>();
  const slugs = (await listEvaluationSlugs(dir, undefined)).sort();
  for (const slug of slugs) {
    const evalDir = evaluationDir(dir, slug);
    const summaryPath = join(evalDir, 'summary.json');
    if (!existsSync(summaryPath) || !existsSync(join(evalDir, 'per_image.csv'))) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(summaryPath, 'utf8'));
    } catch (err) {
      throw new Error(`${summaryPath}: invalid JSON (${(err as Error).message})`);
    }
    const name = isRecord(parsed) && typeof parsed.dataset === 'string' ? parsed.dataset : slug;
    const metrics = isRecord(parsed) && isRecord(parsed.metrics) ? parsed.metrics : undefined;
    datasets.set(slug, { slug, name, rows: await readPerImageRows(dir, slug), ...(isMetricSummary(metrics?.dice) ? { dice: metrics.dice } : {}) });
  }
  return { dir, record, datasets };
}
