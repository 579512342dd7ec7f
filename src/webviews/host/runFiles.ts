/**
 * Reads what the panels show from the run folders: run.json, metrics.jsonl (whole, or its new
 * tail while a run writes it), eval/<slug>/per_image.csv and summary.json, comparison.json files.
 * Every path is built with `resolveInside` from the runs folder. No `vscode` import.
 */
import { existsSync } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunRecord, RunStatus } from '../../engine/types';
import { isRunId, type GalleryDataset, type RunOption } from '../protocol';
import { parseCsv } from '../common/csv';
import { buildGalleryItems, stem } from '../gallery/viewModel';
import { parseMetricsJsonl, type EpochPoint, type StepPoint } from '../dashboard/viewModel';
import { resolveInside } from './pathGuard';

const STATUSES: readonly RunStatus[] = ['running', 'finished', 'failed', 'cancelled'];

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The folder of a run, or undefined when the id is not a safe single segment. */
export function runDirOf(runsDir: string, runId: string): string | undefined {
  return isRunId(runId) ? resolveInside(runsDir, runId) : undefined;
}

export async function readRunRecord(runDir: string): Promise<RunRecord | undefined> {
  try {
    const raw: unknown = JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8'));
    if (!isObj(raw) || typeof raw.id !== 'string' || !STATUSES.includes(raw.status as RunStatus)) return undefined;
    return raw as unknown as RunRecord;
  } catch {
    return undefined;
  }
}

export function runOptionOf(id: string, r: RunRecord | undefined): RunOption {
  const cfg = isObj(r?.config) ? r.config : undefined;
  return {
    id,
    name: typeof r?.name === 'string' && r.name ? r.name : (cfg?.name ?? id),
    method: typeof cfg?.method === 'string' ? cfg.method : '',
    status: r?.status ?? 'failed',
    createdAt: typeof r?.createdAt === 'string' ? r.createdAt : '',
    evaluated: Array.isArray(r?.evaluated) ? r.evaluated.filter((s): s is string => typeof s === 'string') : [],
  };
}

/** Every run folder with a readable run.json, newest first. */
export async function listRuns(runsDir: string): Promise<RunOption[]> {
  let entries: string[];
  try {
    entries = (await readdir(runsDir, { withFileTypes: true })).filter((d) => d.isDirectory() && isRunId(d.name)).map((d) => d.name);
  } catch {
    return [];
  }
  const runs = await Promise.all(
    entries.map(async (id) => {
      const rec = await readRunRecord(join(runsDir, id));
      return rec ? runOptionOf(id, rec) : undefined;
    }),
  );
  return runs.filter((r): r is RunOption => r !== undefined).sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id));
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
  const file = join(runDir, 'metrics.jsonl');
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    return { steps: [], epochs: [], offset, badLines: 0 };
  }
  if (size < offset) offset = 0; // truncated or replaced: start over
  if (size === offset) return { steps: [], epochs: [], offset, badLines: 0 };
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(size - offset);
    const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
    const lastNl = buf.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (lastNl < 0) return { steps: [], epochs: [], offset, badLines: 0 };
    const parsed = parseMetricsJsonl(buf.subarray(0, lastNl + 1).toString('utf8'));
    return { ...parsed, offset: offset + lastNl + 1 };
  } finally {
    await fh.close();
  }
}

async function readJsonMaybe(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Decides the image file name of a row. The evaluator writes `<file>.png` (per_image.csv's `file`
 * column is the file-system-safe base name); older or foreign folders may use `<id>.png` or the
 * source file's stem. The first row decides, by which file exists.
 */
export function choosePngNaming(evalDir: string, sample: { id: string; file: string } | undefined): (r: { id: string; file: string }) => string {
  const byFile = (r: { id: string; file: string }) => (/\.png$/i.test(r.file) ? (r.file.split(/[\\/]/).pop() ?? r.file) : `${r.file}.png`);
  if (!sample) return byFile;
  const candidates: ((r: { id: string; file: string }) => string)[] = [byFile, (r) => `${r.id}.png`, (r) => `${stem(r.file)}.png`];
  for (const sub of ['images', 'masks', 'truth']) {
    for (const c of candidates) {
      const p = resolveInside(evalDir, sub, c(sample));
      if (p && existsSync(p)) return c;
    }
  }
  return byFile;
}

/**
 * One evaluated dataset of a run for the gallery (without the webview URI, which the caller adds):
 * per_image.csv rows as items, the feature names, which overlay folders exist, summary.json.
 */
export async function readGalleryDataset(runDir: string, slug: string): Promise<Omit<GalleryDataset, 'baseUri'> | undefined> {
  const evalDir = resolveInside(runDir, 'eval', slug);
  if (!evalDir || slug.includes('/') || slug.includes('\\')) return undefined;
  let text: string;
  try {
    text = await readFile(join(evalDir, 'per_image.csv'), 'utf8');
  } catch {
    return undefined;
  }
  const table = parseCsv(text);
  const idCol = table.header.findIndex((h) => h.toLowerCase() === 'id');
  const fileCol = table.header.findIndex((h) => h.toLowerCase() === 'file');
  const first = table.rows[0];
  const sample = first ? { id: (idCol >= 0 ? first[idCol] : '') || stem(fileCol >= 0 ? first[fileCol] : '0'), file: fileCol >= 0 ? first[fileCol] : '' } : undefined;
  if (sample && !sample.file) sample.file = sample.id;
  const { items, features } = buildGalleryItems(table, choosePngNaming(evalDir, sample));
  const summary = await readJsonMaybe(join(evalDir, 'summary.json'));
  const name = isObj(summary) ? (typeof summary.dataset === 'string' ? summary.dataset : typeof summary.name === 'string' ? summary.name : slug) : slug;
  const has = {
    images: existsSync(join(evalDir, 'images')),
    truth: existsSync(join(evalDir, 'truth')),
    masks: existsSync(join(evalDir, 'masks')),
    prob: existsSync(join(evalDir, 'prob')),
  };
  return { slug, name, items, features, has, ...(summary !== undefined ? { summary } : {}) };
}

/** Dataset slugs with an eval folder: run.json's `evaluated` first, then any other folder found. */
export async function evaluatedSlugs(runDir: string, record: RunRecord | undefined): Promise<string[]> {
  const listed = Array.isArray(record?.evaluated) ? record.evaluated.filter((s) => typeof s === 'string') : [];
  let found: string[] = [];
  try {
    found = (await readdir(join(runDir, 'eval'), { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    // no eval folder yet
  }
  const out = [...listed.filter((s) => found.includes(s)), ...found.filter((s) => !listed.includes(s)).sort()];
  return out.filter((s) => resolveInside(runDir, 'eval', s) !== undefined);
}

/** comparison.json files under the runs folder (depth <= 3), as forward-slash relative paths. */
export async function listComparisonFiles(runsDir: string, maxDepth = 3, maxFiles = 200): Promise<string[]> {
  const out: string[] = [];
  async function walk(dir: string, rel: string[], depth: number): Promise<void> {
    if (out.length >= maxFiles) return;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (out.length >= maxFiles) return;
      if (e.isFile() && e.name === 'comparison.json') out.push([...rel, e.name].join('/'));
      else if (e.isDirectory() && depth < maxDepth && !e.name.startsWith('.') && !['model', 'checkpoint', 'images', 'masks', 'truth', 'prob'].includes(e.name)) {
        await walk(join(dir, e.name), [...rel, e.name], depth + 1);
      }
    }
  }
  await walk(runsDir, [], 0);
  return out.sort();
}
