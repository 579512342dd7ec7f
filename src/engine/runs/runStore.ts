/**
 * Writing run folders: `run.json`, `metrics.jsonl`, `model/` (best), `checkpoint/` (last, for
 * resume) and `eval/<dataset>/`. See docs/ARCHITECTURE.md. run.json is always replaced
 * atomically. Reading is in runFolder.ts, metricsFile.ts and evaluationFolder.ts.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { MetricsRecord, RunRecord } from '../types';
import { writeFileAtomic } from './atomicWrite';
import { readRunRecord } from './runFolder';

export class RunStore {
  constructor(readonly runsDir: string) {}

  runDir(id: string): string {
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

  async create(record: RunRecord): Promise<string> {
    const dir = this.runDir(record.id);
    await mkdir(dir, { recursive: true });
    await this.writeRecord(record);
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
    await appendFile(join(this.runDir(id), 'metrics.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
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
