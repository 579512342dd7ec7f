/**
 * The tiny test runner for the extension-host tests: named async functions, run in order, each
 * with a timeout, reported to the console and (when the e2e harness sets BUS_LAB_E2E_REPORT) a file.
 * A test that cannot run here calls `skip(reason)`: it is reported as SKIP, never as ok, and
 * test/e2e/run.mjs lists it in the summary.
 */
import { appendFileSync } from 'node:fs';

export interface HostTest {
  name: string;
  timeoutMs?: number;
  /** Resolves with an optional note for the report; `skip(reason)` when it cannot run here. */
  run(): Promise<void | string>;
}

/** Thrown by `skip`: the test did not run. */
export class SkipTest extends Error {
  override name = 'SkipTest';
}

/** Ends the current test as skipped, with the reason shown in the report and the summary. */
export function skip(reason: string): never {
  throw new SkipTest(reason);
}

export function report(line: string): void {
  console.log(line);
  const file = process.env.BUS_LAB_E2E_REPORT;
  if (file) {
    try {
      appendFileSync(file, line + '\n');
    } catch {
      // the console has it
    }
  }
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms / 1000} s`)), ms)))]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** Runs every test; rejects naming the failures. Resolves with the names of the skipped ones. */
export async function runAll(suite: string, tests: HostTest[]): Promise<{ skipped: string[] }> {
  const failures: string[] = [];
  const skipped: string[] = [];
  for (const test of tests) {
    const started = Date.now();
    try {
      const note = await withTimeout(Promise.resolve(test.run()), test.timeoutMs ?? 30_000, test.name);
      report(`[${suite}]   ok  ${test.name} (${((Date.now() - started) / 1000).toFixed(1)} s)${note ? ` — ${note}` : ''}`);
    } catch (error) {
      if (error instanceof SkipTest) {
        skipped.push(test.name);
        report(`[${suite}]   SKIP ${test.name} — ${error.message}`);
        continue;
      }
      failures.push(test.name);
      report(`[${suite}]   FAIL ${test.name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }
  if (failures.length > 0) throw new Error(`${failures.length} of ${tests.length} extension-host tests failed: ${failures.join('; ')}`);
  return { skipped };
}
