// One end-to-end run at a time per machine: two runs would share test-results/ and the
// code-server install, and on a small machine each needs the CPUs. A second run waits for the
// first; a lock left by a process that no longer exists is taken over.
import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { dirname } from 'node:path';

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

function tryLock(file) {
  try {
    const fd = openSync(file, 'wx');
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    return true;
  } catch (e) {
    if (e.code !== 'EEXIST') throw e;
    return false;
  }
}

/** Waits up to `waitMs` for the lock; returns release(). */
export async function acquireRunLock(file, { waitMs = 900_000, log = console.log } = {}) {
  mkdirSync(dirname(file), { recursive: true });
  const t0 = Date.now();
  let announced = false;
  for (;;) {
    if (tryLock(file)) break;
    let holder = NaN;
    try {
      holder = Number(readFileSync(file, 'utf8').trim());
    } catch {
      /* removed meanwhile */
    }
    if (Number.isInteger(holder) && holder > 0 && !alive(holder)) {
      rmSync(file, { force: true });
      continue;
    }
    if (Date.now() - t0 > waitMs) throw new Error(`another end-to-end run (pid ${holder}) has held ${file} for ${waitMs / 1000} s`);
    if (!announced) {
      log(`another end-to-end run (pid ${holder}) is in progress; waiting for it to finish (lock ${file})`);
      announced = true;
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
  const release = () => {
    try {
      if (readFileSync(file, 'utf8').trim() === String(process.pid)) rmSync(file, { force: true });
    } catch {
      /* already gone */
    }
  };
  process.on('exit', release);
  return release;
}
