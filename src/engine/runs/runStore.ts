/**
 * Writing run folders: `run.json`, `metrics.jsonl`, `model/` (best), `checkpoint/` (last, for
 * resume) and `eval/<dataset>/`. See docs/ARCHITECTURE.md. run.json is always replaced
 * atomically. Reading is in runFolder.ts, metricsFile.ts and evaluationFolder.ts.
 */
import { appendFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { MetricsRecord, RunRecord } from '../types';
import { fileSystemError, makeFolder, writeFileAtomic } from './atomicWrite';
import { readRunRecord } from './runFolder';
import { runIdProblem } from './runId';

export class RunStore {
  constructor(readonly runsDir: string) {}

  /** The folder of run `id`; an id that would lead outside the runs folder (`../x`, `a/b`) is refused. */
  runDir(id: string): string {
    const problem = runIdProblem(id);
    if (problem) throw new Error(problem);
    return join(this.runsDir, id);
  }

  /** A new, unique, sortable id: `<yyyymmdd-hhmmss>-<name>`, suffixed when taken. */
  newRunId(name: string, now = new Date()): string {
    const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    const safe = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'run';
    let id = `${stamp}-${safe}`;
    for (let i = 2; existsSync(this.runDir(id)); i++) id = `${stamp}-${safe}-${i}`;
    return id;
  }

  /**
   * Makes the run folder, runs `inFolder` (e.g. taking its lock), writes run.json. If a file-system
   * error stops that (a full disk, a read-only --out), the folders it made are removed again, so no
   * empty run folder is left behind, and the error names the path and the operation.
   */
  async create(record: RunRecord, inFolder?: (dir: string) => void | Promise<void>): Promise<string> {
    const dir = this.runDir(record.id);
    const made = await makeFolder(dir);
    try {
      await inFolder?.(dir);
      await this.writeRecord(record);
    } catch (err) {
      const fsError = (err as NodeJS.ErrnoException)?.code !== undefined;
      // Only errors of the disk: a lock held by another process is not ours to clean up after.
      if (made && fsError) await rm(made, { recursive: true, force: true });
      throw fsError ? fileSystemError('create run folder', dir, err) : err;
    }
    return dir;
  }

  async writeRecord(record: RunRecord): Promise<void> {
    await writeFileAtomic(join(this.runDir(record.id), 'run.json'), JSON.stringify(record, null, 2) + '\n');
  }

  async readRecord(id: string): Promise<RunRecord> {
    return readRunRecord(this.runDir(id));
  }

  /** metrics.jsonl is append-only; one whole line per write, so a reader never sees half a record. */
  async appendMetrics(id: string, records: MetricsRecord[]): Promise<void> {
    if (records.length === 0) return;
    const file = join(this.runDir(id), 'metrics.jsonl');
    try {
      await appendFile(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    } catch (err) {
      throw fileSystemError('append to', file, err);
    }
  }
}

/** Adds a finished evaluation's slug to `<runDir>/run.json`'s `evaluated` (re-read first; written atomically). */
export async function addEvaluated(runDir: string, slug: string): Promise<RunRecord> {
  const record = await readRunRecord(runDir);
  if (!record.evaluated.includes(slug)) record.evaluated.push(slug);
  record.updatedAt = new Date().toISOString();
  await writeFileAtomic(join(runDir, 'run.json'), JSON.stringify(record, null, 2) + '\n');
  return record;
}
