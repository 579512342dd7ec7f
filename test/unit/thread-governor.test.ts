/**
 * The thread governor: how many cores others hold, from machine and process CPU time; the team
 * size it picks; the two-readings rule; and that a real /proc/stat reading and a real busy process
 * move it (Linux).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { CpuSample, othersBusyCores, readCpuSample, ThreadGovernor, threadsForFreeCores } from '../../src/engine/backend/accelerator/threadGovernor';

describe('thread governor', () => {
  it('counts the cores other processes kept busy: machine busy time minus our own', () => {
    const a: CpuSample = { wall: 10, machineBusy: 100, own: 40 };
    // 2 s later: the machine was busy 3.8 CPU-s, 2 of them ours -> others held 0.9 cores.
    assert.ok(Math.abs(othersBusyCores(a, { wall: 12, machineBusy: 103.8, own: 42 }) - 0.9) < 1e-9);
    // Rounding in the counters never gives a negative count.
    assert.equal(othersBusyCores(a, { wall: 12, machineBusy: 101.9, own: 42 }), 0);
    assert.equal(othersBusyCores(a, a), 0);
  });

  it('gives one thread per free core, within 1 and the configured size', () => {
    assert.equal(threadsForFreeCores(2, 0.05, 2), 2);
    assert.equal(threadsForFreeCores(2, 0.9, 2), 1);
    assert.equal(threadsForFreeCores(2, 1.9, 2), 1);
    assert.equal(threadsForFreeCores(8, 2.2, 4), 4);
    assert.equal(threadsForFreeCores(8, 5.4, 8), 3);
  });

  it('moves the team only when two readings in a row agree, and back when the cores free up', () => {
    let t = 0;
    let busy = 0;
    let own = 0;
    const applied: number[] = [];
    const governor = new ThreadGovernor({
      maxThreads: 2,
      cores: 2,
      apply: (n) => applied.push(n),
      now: () => t,
      sample: () => ({ wall: t, machineBusy: busy, own }),
    });
    const second = (othersCores: number, ownCores: number) => {
      t += 1;
      busy += othersCores + ownCores;
      own += ownCores;
      governor.tick();
    };
    second(0, 2);
    assert.deepEqual(applied, []);
    second(1, 1); // one busy second elsewhere: noted, not acted on
    assert.deepEqual(applied, []);
    second(0, 2);
    assert.deepEqual(applied, []);
    second(1, 1);
    second(1, 1); // two in a row
    assert.deepEqual(applied, [1]);
    assert.equal(governor.threads, 1);
    second(1, 1);
    assert.deepEqual(applied, [1]);
    second(0, 1);
    second(0, 1);
    assert.deepEqual(applied, [1, 2]);
    assert.deepEqual(
      governor.changes.map((c) => c.threads),
      [1, 2],
    );
  });

  it('reads nothing between readings, and stays put where /proc/stat is missing', () => {
    let reads = 0;
    let t = 0;
    const governor = new ThreadGovernor({ maxThreads: 2, cores: 2, apply: () => assert.fail('no change expected'), now: () => t, sample: () => (reads++, { wall: t, machineBusy: 0, own: 0 }) });
    t = 0.25;
    governor.tick();
    assert.equal(reads, 1, 'only the constructor read');
    const none = new ThreadGovernor({ maxThreads: 2, cores: 2, apply: () => assert.fail('no change expected'), now: () => 100, sample: () => undefined });
    none.tick();
    none.tick();
    assert.equal(none.threads, 2);
  });

  it('sees a real busy process on this machine (Linux)', { skip: readCpuSample() ? false : 'no /proc/stat here' }, async () => {
    const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 20000; while (Date.now() < end) {}'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 300));
      const before = readCpuSample()!;
      await new Promise((r) => setTimeout(r, 1500));
      const after = readCpuSample()!;
      // The child spins one core; whatever else runs here only adds to it.
      assert.ok(othersBusyCores(before, after) > 0.6, `others held ${othersBusyCores(before, after).toFixed(2)} cores`);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
