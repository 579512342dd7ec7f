import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir, hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { acquireRunLock, breakRunLock, LOCK_FILE, readRunLock, RunLockedError } from '../../src/engine/runs/runLock';
import { effectiveStatus, isResumable, runStatusOf } from '../../src/engine/runs/runStatus';

const fresh = () => mkdtempSync(join(tmpdir(), 'bus-lab-lock-'));

/** A pid that no longer exists: a child that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => child.on('exit', r));
  return child.pid!;
}

test('a second writer is refused with one line naming the holder; release lets it in', () => {
  const dir = fresh();
  const first = acquireRunLock(dir, 'train');
  const lock = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'));
  assert.equal(lock.pid, process.pid);
  assert.equal(lock.host, hostname());
  assert.equal(lock.purpose, 'train');
  assert.throws(
    () => acquireRunLock(dir, 'evaluate'),
    (err: unknown) => {
      assert.ok(err instanceof RunLockedError);
      assert.ok(!err.message.includes('\n'));
      assert.match(err.message, new RegExp(`in use: train by pid ${process.pid} on ${hostname()} since ${lock.since}`));
      return true;
    },
  );
  first.release();
  assert.equal(existsSync(join(dir, LOCK_FILE)), false);
  acquireRunLock(dir, 'evaluate').release();
});

test('a lock of a dead pid on this host is stale and taken over; a live one is not', async () => {
  const dir = fresh();
  const pid = await deadPid();
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid, host: hostname(), purpose: 'train', since: '2026-01-01T00:00:00Z', token: 'old' }));
  assert.equal(readRunLock(dir)?.live, false);
  const lock = acquireRunLock(dir, 'resume');
  assert.equal(readRunLock(dir)?.holder.token, lock.holder.token);
  lock.release();
});

test('another host: trusted until not refreshed for the stale age', () => {
  const dir = fresh();
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 1, host: 'elsewhere', purpose: 'train', since: '2026-01-01T00:00:00Z', token: 'x' }));
  assert.throws(() => acquireRunLock(dir, 'train'), /in use: train by pid 1 on elsewhere/);
  const old = new Date(Date.now() - 20 * 60_000);
  utimesSync(join(dir, LOCK_FILE), old, old);
  assert.throws(() => acquireRunLock(dir, 'train', { staleAfterMs: 30 * 60_000 }), RunLockedError);
  acquireRunLock(dir, 'train').release(); // default 15 minutes
});

test('the holder refreshes its lock, so a long training stays live for other hosts', async () => {
  const dir = fresh();
  const lock = acquireRunLock(dir, 'train', { heartbeatMs: 20 });
  const old = new Date(Date.now() - 60 * 60_000);
  utimesSync(join(dir, LOCK_FILE), old, old);
  await new Promise((r) => setTimeout(r, 80));
  assert.ok(Date.now() - readRunLock(dir)!.refreshedAt.getTime() < 10_000);
  lock.release();
});

test('stray .tmp- files are removed when the lock is taken; a missing folder is an error unless asked to create it', () => {
  const dir = fresh();
  mkdirSync(join(dir, 'checkpoint'));
  writeFileSync(join(dir, '.run.json.tmp-123-abc'), 'x');
  writeFileSync(join(dir, 'checkpoint', '.model.json.tmp-123-def'), 'x');
  writeFileSync(join(dir, 'checkpoint', 'model.json'), '{}');
  acquireRunLock(dir, 'train').release();
  assert.equal(existsSync(join(dir, '.run.json.tmp-123-abc')), false);
  assert.equal(existsSync(join(dir, 'checkpoint', '.model.json.tmp-123-def')), false);
  assert.equal(existsSync(join(dir, 'checkpoint', 'model.json')), true);
  assert.throws(() => acquireRunLock(join(dir, 'nope'), 'train'), /ENOENT/);
  acquireRunLock(join(dir, 'new', 'run'), 'train', { createFolder: true }).release();
});

test('breakRunLock removes only the lock with the given token', () => {
  const dir = fresh();
  const lock = acquireRunLock(dir, 'train');
  assert.equal(breakRunLock(dir, 'other'), false);
  assert.equal(breakRunLock(dir, lock.holder.token), true);
  assert.equal(readRunLock(dir), undefined);
  lock.release(); // harmless
});

test('effective status: running without a live lock is interrupted, and resumable', async () => {
  const dir = fresh();
  assert.equal(runStatusOf(dir, { status: 'running' }), 'interrupted');
  const lock = acquireRunLock(dir, 'train');
  assert.equal(runStatusOf(dir, { status: 'running' }), 'running');
  lock.release();
  assert.equal(effectiveStatus('finished', undefined), 'finished');
  assert.equal(isResumable('interrupted'), true);
  assert.equal(isResumable('running'), false);
  assert.equal(isResumable('finished'), false);
});
