/**
 * A run's effective status: run.json's status corrected by its lock. run.json says `running`
 * until the trainer writes its last status; if the process died first (SIGKILL, a crash, a
 * terminated worker, a reboot) nothing else would ever change it. Such a run, whose lock is gone
 * or stale, is `interrupted`: resumable from its last checkpoint, or from epoch 1 without one.
 */
import type { RunRecord, RunStatus } from '../types';
import { readRunLock, RunLockState } from './runLock';

/** Statuses `--resume` (and the Runs view's Resume) accepts. */
export const RESUMABLE_STATUSES: readonly RunStatus[] = ['cancelled', 'failed', 'interrupted'];

export function isResumable(status: RunStatus): boolean {
  return RESUMABLE_STATUSES.includes(status);
}

/** `status` corrected by `lock` (as read by readRunLock): a `running` run without a live lock is `interrupted`. */
export function effectiveStatus(status: RunStatus, lock: RunLockState | undefined): RunStatus {
  return status === 'running' && !lock?.live ? 'interrupted' : status;
}

/** The effective status of the run in `runDir` whose run.json holds `record`. */
export function runStatusOf(runDir: string, record: Pick<RunRecord, 'status'>): RunStatus {
  return record.status === 'running' ? effectiveStatus(record.status, readRunLock(runDir)) : record.status;
}
