/**
 * Run locks left behind by a training worker that the extension terminated. The engine's worker is
 * a thread of the extension host, so its lock names the host's pid, which is still alive: without
 * this the run would read as `running` (not `interrupted`, not resumable) until the window reloads.
 * Called only after the worker has exited, and only for locks of this process taken for training
 * (`train`/`resume`): the extension runs one training at a time, so such a lock is the dead
 * worker's. No `vscode` import.
 */
import { readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { breakRunLock, readRunLock } from '../../engine/runs/runLock';

const TRAINING_PURPOSES = new Set(['train', 'resume']);

/**
 * Breaks this process's training locks in `runDir` when known, else in every run folder of
 * `runsDir` (a worker stopped before it reported its run folder). Returns the folders unlocked.
 */
export function releaseTerminatedTrainingLocks(runsDir: string, runDir?: string): string[] {
  let candidates: string[];
  if (runDir) candidates = [runDir];
  else {
    try {
      candidates = readdirSync(runsDir, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => join(runsDir, e.name));
    } catch {
      return [];
    }
  }
  const released: string[] = [];
  for (const dir of candidates) {
    let lock;
    try {
      lock = readRunLock(dir);
    } catch {
      continue; // unreadable folder: nothing this process can fix
    }
    if (!lock || lock.holder.pid !== process.pid || lock.holder.host !== hostname() || !TRAINING_PURPOSES.has(lock.holder.purpose)) continue;
    if (breakRunLock(dir, lock.holder.token)) released.push(dir);
  }
  return released;
}
