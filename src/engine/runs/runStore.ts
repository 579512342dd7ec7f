/**
 * The run folder: `run.json`, `metrics.jsonl`, `model/` (best), `checkpoint/` (last, for resume)
 * and `eval/<dataset>/`. See docs/ARCHITECTURE.md. run.json is always replaced atomically.
 */
import { appendFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { MetricsRecord, RunRecord } from '../types';
import { writeFileAtomic } from './atomicWrite';

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

  async list(): Promise<RunRecord[]> {
    if (!existsSync(this.runsDir)) return [];
    const out: RunRecord[] = [];
    for (const entry of await readdir(this.runsDir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      try {
        out.push(await this.readRecord(entry.name));
      } catch {
        // Not a run folder (or one being created); listing skips it.
      }
    }
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }
}

export async function readRunRecord(runDir: string): Promise<RunRecord> {
  const path = join(runDir, 'run.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new Error(`${path}: not found (not a run folder?)`);
  }
  try {
    return JSON.parse(text) as RunRecord;
  } catch (err) {
    throw new Error(`${path}: invalid JSON (${(err as Error).message})`);
  }
}

/** Reads metrics.jsonl, ignoring a trailing partial line of a run that is still being written. */
export async function readMetrics(runDir: string): Promise<MetricsRecord[]> {
  const path = join(runDir, 'metrics.jsonl');
  if (!existsSync(path)) return [];
  const out: MetricsRecord[] = [];
  for (const line of (await readFile(path, 'utf8')).split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      // A torn last line while the trainer appends; the next read will have it whole.
    }
  }
  return out;
}
