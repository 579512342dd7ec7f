/**
 * The thread governor: how many cores others hold, from machine and process CPU time; the team
 * size it picks, shared with this process's other engines; the two-readings rule; the addon's
 * count of engines in the process; and that a real busy process shows in /proc/stat (Linux).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { loadAcceleratorAddon } from '../../src/engine/backend/accelerator/addon';
import { CpuSample, othersBusyCores, readCpuSample, ThreadGovernor, threadsForFreeCores } from '../../src/engine/backend/accelerator/threadGovernor';

const load = loadAcceleratorAddon();
const addonSkip = load.ok ? false : `native accelerator unavailable: ${load.why}`;

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
    // Free cores are shared by this process's engines (training and evaluation workers).
    assert.equal(threadsForFreeCores(2, 0, 2, 2), 1);
    assert.equal(threadsForFreeCores(8, 0, 8, 3), 3);
    assert.equal(threadsForFreeCores(2, 1.5, 2, 2), 1);
  });

  it("shares the free cores with this process's other engines", () => {
    let t = 0;
    let busy = 0;
    let own = 0;
    let engines = 1;
    const applied: number[] = [];
    const governor = new ThreadGovernor({ maxThreads: 2, cores: 2, apply: (n) => applied.push(n), now: () => t, sample: () => ({ wall: t, machineBusy: busy, own }), engines: () => engines });
    const second = () => {
      t += 1;
      busy += 2;
      own += 2; // both cores busy, all of it this process's (two engines in one extension host)
      governor.tick();
    };
    second();
    engines = 2;
    second();
    second();
    assert.deepEqual(applied, [1]);
    engines = 1;
    second();
    second();
    assert.deepEqual(applied, [1, 2]);
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

  it('counts the engines of this process through the addon: a worker that computes is seen, one that ended is not', { skip: addonSkip }, async () => {
    const addon = load.ok ? load.addon : undefined!;
    const slot = addon.engineSlot();
    assert.ok(slot >= 0);
    assert.equal(addon.activeEngines(slot, 2000), 1);
    const code = `const a = require(${JSON.stringify(load.ok ? load.path : '')}); const { parentPort } = require('node:worker_threads');
      const s = a.engineSlot(); a.activeEngines(s, 2000); parentPort.postMessage(s); parentPort.once('message', () => process.exit(0));`;
    const worker = new Worker(code, { eval: true });
    const workerSlot = await new Promise<number>((resolve) => worker.once('message', resolve));
    assert.notEqual(workerSlot, slot);
    assert.equal(addon.activeEngines(slot, 2000), 2);
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.postMessage('stop');
    await exited;
    assert.equal(addon.activeEngines(slot, 2000), 1, 'the ended worker released its slot');
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
