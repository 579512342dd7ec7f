/**
 * Reading metrics.jsonl, whole or from a byte offset (tailing a run that still appends to it).
 * Only complete lines are read: the trainer appends whole lines ending in '\n', so a line without
 * its newline is still being written and is left for the next read.
 */
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { MetricsRecord } from '../types';
import { isRecord } from '../../shared/isRecord';

export interface MetricsRead {
  records: MetricsRecord[];
  /** Byte offset just after the last complete line read (where the next read continues). */
  offset: number;
  /** Complete lines that were not a step or epoch record. */
  badLines: number;
}

function parseLines(text: string): { records: MetricsRecord[]; badLines: number } {
  const records: MetricsRecord[] = [];
  let badLines = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      badLines++;
      continue;
    }
    if (isRecord(v) && (v.type === 'step' || v.type === 'epoch') && typeof v.epoch === 'number') records.push(v as unknown as MetricsRecord);
    else badLines++;
  }
  return { records, badLines };
}

/** Reads the complete lines of `<runDir>/metrics.jsonl` from `offset` (0: the whole file). A file shorter than the offset was replaced: read from 0. */
export async function readMetrics(runDir: string, offset = 0): Promise<MetricsRead> {
  const file = join(runDir, 'metrics.jsonl');
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    return { records: [], offset, badLines: 0 };
  }
  if (size < offset) offset = 0;
  if (size === offset) return { records: [], offset, badLines: 0 };
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(size - offset);
    const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
    const lastNl = buf.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (lastNl < 0) return { records: [], offset, badLines: 0 };
    return { ...parseLines(buf.subarray(0, lastNl + 1).toString('utf8')), offset: offset + lastNl + 1 };
  } finally {
    await fh.close();
  }
}
