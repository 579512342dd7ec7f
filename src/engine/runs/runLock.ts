/**
 * One writer per run folder: `<runDir>/run.lock` names the process that trains, resumes or
 * evaluates the run (pid, host, purpose, since). Every writer takes it first; a second writer is
 * refused with one line naming the holder (RunLockedError).
 *
 * The lock is created whole and atomically: its content goes to a private temporary file that is
 * then hard-linked to `run.lock`; link() fails if the name exists, on local disks and on NFS alike
 * (where O_EXCL was unreliable for years), and a reader never sees a half-written lock.
 *
 * Stale locks: the holder refreshes the lock's modification time every HEARTBEAT_MS. A lock is
 * stale, and is taken over, when
 *   - it was made on this host and its pid is gone (killed, crashed, machine rebooted), or
 *   - it has not been refreshed for `staleAfterMs` (default 15 minutes; option or
 *     BUS_LAB_LOCK_STALE_SECONDS), which is the only test for a lock made on another host, whose
 *     pids cannot be checked from here. On a shared file system, hosts' clocks must agree to well
 *     within that age.
 * A holder whose event loop is blocked longer than that (a plugin stuck in a loop) loses its
 * claim to other hosts, not to this one (its pid is alive).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const LOCK_FILE = 'run.lock';
/** How often a holder refreshes its lock's modification time. */
export const HEARTBEAT_MS = 60_000;
export const DEFAULT_STALE_AFTER_MS = 15 * 60_000;

/** What a lock file says about its holder. */
export interface RunLockHolder {
  pid: number;
  host: string;
  /** What the holder does: 'train', 'resume', 'evaluate', 'ablate'... */
  purpose: string;
  /** ISO time the lock was taken. */
  since: string;
  /** Unique per acquisition (two trainings in one process, e.g. VS Code's worker threads, share a pid). */
  token: string;
}

/** A lock read from disk, with whether it still holds. */
export interface RunLockState {
  holder: RunLockHolder;
  /** False when the holder is gone (see the file comment); such a lock is taken over by the next writer. */
  live: boolean;
  /** Why it is not live, for messages. */
  staleReason?: string;
  /** Last refresh (the file's modification time). */
  refreshedAt: Date;
}

export interface RunLockOptions {
  /** Make the run folder (and parents) when missing; otherwise a missing folder is an error. */
  createFolder?: boolean;
  /** Age after which an unrefreshed lock is stale (default: BUS_LAB_LOCK_STALE_SECONDS or 15 minutes). */
  staleAfterMs?: number;
  /** Refresh interval (tests); default HEARTBEAT_MS. */
  heartbeatMs?: number;
}

/** One line naming the holder, e.g. "training by pid 4711 on gpu-03 since 2026-11-30T18:01:02Z". */
export function describeHolder(h: RunLockHolder): string {
  return `${h.purpose} by pid ${h.pid} on ${h.host} since ${h.since}`;
}

/** Thrown when another live process holds the run folder's lock. */
export class RunLockedError extends Error {
  override name = 'RunLockedError';
  constructor(
    readonly runDir: string,
    readonly holder: RunLockHolder,
  ) {
    super(`${runDir} is in use: ${describeHolder(holder)} (${join(runDir, LOCK_FILE)})`);
  }
}

export function staleAfterMs(option?: number): number {
  if (option !== undefined) return option;
  const env = Number(process.env.BUS_LAB_LOCK_STALE_SECONDS);
  return Number.isFinite(env) && env > 0 ? env * 1000 : DEFAULT_STALE_AFTER_MS;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseHolder(text: string): RunLockHolder | undefined {
  try {
    const v = JSON.parse(text) as Partial<RunLockHolder>;
    if (typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.token === 'string') {
      return { pid: v.pid, host: v.host, purpose: String(v.purpose ?? 'unknown'), since: String(v.since ?? ''), token: v.token };
    }
  } catch {
    // fall through: unreadable
  }
  return undefined;
}

function judge(holder: RunLockHolder, refreshedAt: Date, staleMs: number): Pick<RunLockState, 'live' | 'staleReason'> {
  if (holder.host === hostname() && !pidAlive(holder.pid)) return { live: false, staleReason: `pid ${holder.pid} is gone` };
  const age = Date.now() - refreshedAt.getTime();
  if (age > staleMs) return { live: false, staleReason: `not refreshed for ${Math.round(age / 1000)} s` };
  return { live: true };
}

/** The lock of `runDir`, or undefined when there is none. An unreadable lock file counts as a stale one. */
export function readRunLock(runDir: string, options: { staleAfterMs?: number } = {}): RunLockState | undefined {
  const path = join(runDir, LOCK_FILE);
  let text: string;
  let refreshedAt: Date;
  try {
    refreshedAt = statSync(path).mtime;
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw err;
  }
  const holder = parseHolder(text);
  if (!holder) return { holder: { pid: 0, host: '?', purpose: 'unknown', since: '', token: '' }, live: false, staleReason: 'unreadable lock file', refreshedAt };
  return { holder, refreshedAt, ...judge(holder, refreshedAt, staleAfterMs(options.staleAfterMs)) };
}

/** A held lock. release() is idempotent and removes the file only while it is still this lock. */
export interface RunLock {
  readonly runDir: string;
  readonly holder: RunLockHolder;
  release(): void;
}

function writeNewFile(path: string, text: string): void {
  const fd = openSync(path, 'wx');
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/**
 * Moves a stale lock out of the way. Two processes may judge the same lock stale at once; the
 * rename lets only one of them have it, and the one that finds it renamed a fresh lock instead
 * (taken by a third process meanwhile) puts it back.
 */
function breakStale(runDir: string, expectedToken: string): void {
  const path = join(runDir, LOCK_FILE);
  const aside = join(runDir, `.${LOCK_FILE}.stale-${randomBytes(6).toString('hex')}`);
  try {
    renameSync(path, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else broke it first
    throw err;
  }
  const moved = parseHolder(readFileSync(aside, 'utf8'));
  if (moved && moved.token !== expectedToken) {
    try {
      linkSync(aside, path);
    } catch {
      // A newer lock exists already; the one moved aside lost its file, and its holder will find out at release.
    }
  }
  unlinkSync(aside);
}

/**
 * Takes `runDir`'s lock for `purpose`, taking over a stale one; throws RunLockedError naming the
 * holder when a live process has it. Also removes stray `.tmp-*` files of writers killed mid-write
 * (safe only now that no one else writes here).
 */
export function acquireRunLock(runDir: string, purpose: string, options: RunLockOptions = {}): RunLock {
  if (options.createFolder) mkdirSync(runDir, { recursive: true });
  else statSync(runDir); // a missing folder: ENOENT naming it, not a lock made in nowhere
  const holder: RunLockHolder = { pid: process.pid, host: hostname(), purpose, since: new Date().toISOString(), token: randomBytes(8).toString('hex') };
  const path = join(runDir, LOCK_FILE);
  const tmp = join(runDir, `.${LOCK_FILE}.tmp-${process.pid}-${holder.token}`);
  writeNewFile(tmp, JSON.stringify(holder) + '\n');
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(tmp, path);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const current = readRunLock(runDir, options);
      if (!current && attempt < 5) continue; // released meanwhile
      if (!current) throw new Error(`${path}: the lock keeps changing hands; try again`);
      if (current.live || attempt >= 5) throw new RunLockedError(runDir, current.holder);
      breakStale(runDir, current.holder.token);
    }
  } finally {
    unlinkSync(tmp);
  }
  removeStrayTempFiles(runDir);

  const heartbeat = setInterval(() => {
    try {
      const now = new Date();
      if (readRunLock(runDir)?.holder.token === holder.token) utimesSync(path, now, now);
    } catch {
      // A vanished folder or lock: release() will find out; the training must not fail for it.
    }
  }, options.heartbeatMs ?? HEARTBEAT_MS);
  heartbeat.unref();
  let released = false;
  return {
    runDir,
    holder,
    release() {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      try {
        if (parseHolder(readFileSync(path, 'utf8'))?.token === holder.token) unlinkSync(path);
      } catch {
        // Already gone (folder deleted, or lock broken by another host after a long stall).
      }
    },
  };
}

/**
 * Removes a lock whose holder the caller knows to be dead even though its pid lives on: a worker
 * thread terminated by the process that started it (VS Code's Stop Training). Only the lock with
 * `token` is removed; returns whether it was. The host learns the token with readRunLock(runDir)
 * once the training has announced its run (TrainEvent 'started': the lock is taken before it).
 */
export function breakRunLock(runDir: string, token: string): boolean {
  const current = readRunLock(runDir);
  if (!current || current.holder.token !== token) return false;
  breakStale(runDir, token);
  return true;
}

/** Temporary files of atomic writes (`.NAME.tmp-PID-RANDOM`), as left by a writer killed mid-write. */
export function isStrayTempFile(name: string): boolean {
  return name.startsWith('.') && name.includes('.tmp-');
}

function olderThan(path: string, ms: number): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs > ms;
  } catch {
    return false;
  }
}

/** Removes stray temporary files in `dir` and its subfolders; returns their paths. Call only while holding the lock. */
export function removeStrayTempFiles(dir: string): string[] {
  const removed: string[] = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return removed;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) removed.push(...removeStrayTempFiles(p));
    else if (e.isFile() && isStrayTempFile(e.name)) {
      // Another process's lock being taken right now has a temporary file too: leave it a minute.
      if (e.name.startsWith(`.${LOCK_FILE}.`) && !olderThan(p, 60_000)) continue;
      try {
        unlinkSync(p);
        removed.push(p);
      } catch {
        // gone already
      }
    }
  }
  return removed;
}
