/**
 * Deleting a run folder (the Runs view's Delete Run): only a folder directly inside the runs
 * folder, and never one whose lock a live process holds (a training or an evaluation).
 */
import { rm } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';
import { readRunLock, RunLockedError } from './runLock';

/** True when `dir` is a folder directly inside `runsDir` (never delete anything else). */
export function isRunFolderOf(runsDir: string, dir: string): boolean {
  const rel = relative(runsDir, dir);
  return rel.length > 0 && !rel.startsWith('..') && !isAbsolute(rel) && !/[\\/]/.test(rel);
}

/** Removes the run folder `dir` of `runsDir`; throws naming the folder or the lock's holder. */
export async function deleteRun(runsDir: string, dir: string): Promise<void> {
  if (!isRunFolderOf(runsDir, dir)) throw new Error(`${dir}: not a run folder inside ${runsDir}; not deleted`);
  const lock = readRunLock(dir);
  if (lock?.live) throw new RunLockedError(dir, lock.holder);
  await rm(dir, { recursive: true, force: true });
}
