/**
 * Rewinding metrics.jsonl to a checkpoint. A run killed after appending an epoch's records but
 * before saving that epoch's checkpoint redoes the epoch on resume; without this the file would
 * hold the epoch twice. Called by the trainer, holding the run's lock, before it trains again.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomicWrite';

/** Where the checkpoint stands: epochs fully done and optimisation steps taken. */
export interface MetricsPosition {
  epochsCompleted: number;
  globalStep: number;
}

/**
 * Keeps the records the checkpoint includes (step records up to `globalStep`, epoch records up to
 * `epochsCompleted`) and drops the rest, together with broken lines (a line cut by a kill
 * mid-append). Rewrites the file atomically, and only when something is dropped; returns how many
 * lines were dropped.
 */
export async function rewindMetrics(runDir: string, to: MetricsPosition): Promise<number> {
  const file = join(runDir, 'metrics.jsonl');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  const lines = text.split('\n');
  // What follows the last newline is a line still (or never fully) written: dropped.
  const partial = lines.pop();
  const kept: string[] = [];
  let dropped = partial ? 1 : 0;
  for (const line of lines) {
    if (!line.trim()) continue;
    let v: { type?: unknown; epoch?: unknown; globalStep?: unknown } | undefined;
    try {
      v = JSON.parse(line);
    } catch {
      v = undefined;
    }
    const keep =
      (v?.type === 'step' && typeof v.globalStep === 'number' && v.globalStep <= to.globalStep) ||
      (v?.type === 'epoch' && typeof v.epoch === 'number' && v.epoch <= to.epochsCompleted);
    if (keep) kept.push(line);
    else dropped++;
  }
  if (dropped === 0) return 0;
  await writeFileAtomic(file, kept.length > 0 ? kept.join('\n') + '\n' : '');
  return dropped;
}
