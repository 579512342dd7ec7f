/**
 * Reading a run folder's run.json: one status list, one validation, and a typed answer for a
 * folder that is not a run (no run.json) instead of an error whose text callers would match.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { isRecord } from '../../shared/isRecord';
import type { RunRecord, RunStatus } from '../types';
import { runStatusOf } from './runStatus';

/**
 * Every run status. run.json holds the first four; `interrupted` is what a `running` run is when
 * no live process holds its lock (runStatus.ts); readers report it as the run's `status`.
 */
export const RUN_STATUSES: readonly RunStatus[] = ['running', 'finished', 'failed', 'cancelled', 'interrupted'];

export function isRunStatus(v: unknown): v is RunStatus {
  return typeof v === 'string' && (RUN_STATUSES as readonly string[]).includes(v);
}

/** What a folder holds: a run, no run at all (no run.json: a folder being created, or a stranger), or a broken run.json. */
export type RunRead =
  /** `status`: the effective status (run.json's, or `interrupted` for a `running` run without a live lock). */
  | { kind: 'run'; dir: string; record: RunRecord; status: RunStatus }
  | { kind: 'notARun'; dir: string }
  | { kind: 'unreadable'; dir: string; problem: string };

/** Thrown by readRunRecord; `kind` says whether the folder is no run or a broken one. */
export class RunFolderError extends Error {
  override name = 'RunFolderError';
  constructor(
    readonly kind: 'notARun' | 'unreadable',
    message: string,
  ) {
    super(message);
  }
}

/** Reads `<dir>/run.json` and checks its shape (id, status, config); a missing id is the folder name. */
export async function readRun(dir: string): Promise<RunRead> {
  const path = join(dir, 'run.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'notARun', dir };
    return { kind: 'unreadable', dir, problem: `${path}: cannot read (${(err as Error).message})` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { kind: 'unreadable', dir, problem: `${path}: invalid JSON (${(err as Error).message})` };
  }
  if (!isRecord(raw)) return { kind: 'unreadable', dir, problem: `${path}: not a JSON object` };
  if (!isRunStatus(raw.status)) return { kind: 'unreadable', dir, problem: `${path}: field "status" must be one of ${RUN_STATUSES.join(', ')}, not ${JSON.stringify(raw.status)}` };
  if (!isRecord(raw.config)) return { kind: 'unreadable', dir, problem: `${path}: field "config" must be an object` };
  if (raw.id !== undefined && typeof raw.id !== 'string') return { kind: 'unreadable', dir, problem: `${path}: field "id" must be a string` };
  const record = raw as unknown as RunRecord;
  if (!record.id) record.id = basename(dir);
  if (!Array.isArray(record.evaluated)) record.evaluated = [];
  return { kind: 'run', dir, record, status: runStatusOf(dir, record) };
}

/** Whether `dir` holds a run.json (a run, or a broken one: readRun tells which). */
export function isRunFolder(dir: string): boolean {
  return existsSync(join(dir, 'run.json'));
}

/** The run record of `dir`; throws a RunFolderError with a one-line message naming run.json. */
export async function readRunRecord(dir: string): Promise<RunRecord> {
  const read = await readRun(dir);
  if (read.kind === 'run') return read.record;
  if (read.kind === 'notARun') throw new RunFolderError('notARun', `${join(dir, 'run.json')}: not found (not a run folder)`);
  throw new RunFolderError('unreadable', read.problem);
}

export interface RunList {
  /** Newest first (createdAt, then id); `status` is the effective status. */
  runs: { dir: string; record: RunRecord; status: RunStatus }[];
  /** One line per folder whose run.json is broken; folders without run.json are not runs and not problems. */
  problems: string[];
}

/** Every run folder directly under `runsDir`. A missing runs folder is an empty list. */
export async function listRuns(runsDir: string): Promise<RunList> {
  let names: string[];
  try {
    names = (await readdir(runsDir, { withFileTypes: true })).filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { runs: [], problems: [] };
    return { runs: [], problems: [`${runsDir}: ${(err as Error).message}`] };
  }
  const reads = await Promise.all(names.map((name) => readRun(join(runsDir, name))));
  const runs: RunList['runs'] = [];
  const problems: string[] = [];
  for (const r of reads) {
    if (r.kind === 'run') runs.push({ dir: r.dir, record: r.record, status: r.status });
    else if (r.kind === 'unreadable') problems.push(r.problem);
  }
  runs.sort((a, b) => String(b.record.createdAt).localeCompare(String(a.record.createdAt)) || a.record.id.localeCompare(b.record.id));
  return { runs, problems };
}
