/**
 * Primitives the accelerator caches process-wide must run on any thread: an inference plan and
 * training convolutions created in a worker that exits are used again by the main thread and by a
 * new worker (the extension's engine workers come and go). oneDNN's default scratchpad is
 * per-thread and made this crash with SIGSEGV; the accelerator now lends every primitive its
 * scratchpad (native/accelerator/scratchpad.h). Skipped, visibly, where the addon was not built.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadAcceleratorAddon } from '../../src/engine/backend/accelerator/addon';

const load = loadAcceleratorAddon();
const skip = load.ok ? false : `native accelerator unavailable: ${load.why}`;

describe('accelerator primitives across threads', { skip }, () => {
  it('a plan and convolutions made in an exited worker run in the main thread and a new worker', () => {
    const addonPath = load.ok ? load.path : '';
    for (const threads of ['1', '2']) {
      const r = spawnSync(process.execPath, [join(__dirname, 'support', 'thread-migration-probe.mjs'), addonPath], {
        encoding: 'utf8',
        env: { ...process.env, OMP_NUM_THREADS: threads, BUS_LAB_CONV_ALGORITHM: 'winograd' },
      });
      assert.equal(r.signal, null, `killed by ${r.signal} (${threads} threads)`);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'ok');
    }
  });
});
