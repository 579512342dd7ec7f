/** Delete Run through engine/runs: only a folder directly inside the runs folder, never a locked one. */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { deleteRun } from '../../src/engine/runs/deleteRun';
import { acquireRunLock, RunLockedError } from '../../src/engine/runs/runLock';
import { tempDir } from '../helpers/datasets';

test('deletes a run folder, refuses one in use and anything that is not directly inside the runs folder', async () => {
  const { dir: runs, cleanup } = tempDir('bus-lab-delete-');
  try {
    const run = join(runs, 'r1');
    mkdirSync(run);
    writeFileSync(join(run, 'run.json'), '{}');
    await assert.rejects(deleteRun(runs, runs), /not a run folder inside/);
    await assert.rejects(deleteRun(runs, join(runs, 'r1', 'eval')), /not a run folder inside/);
    await assert.rejects(deleteRun(join(runs, 'r1'), join(runs, 'elsewhere', '..', '..', 'x')), /not a run folder inside/);
    const lock = acquireRunLock(run, 'train');
    await assert.rejects(deleteRun(runs, run), (err: unknown) => err instanceof RunLockedError && /in use: train by pid/.test(err.message));
    assert.ok(existsSync(join(run, 'run.json')));
    lock.release();
    await deleteRun(runs, run);
    assert.ok(!existsSync(run));
  } finally {
    cleanup();
  }
});
