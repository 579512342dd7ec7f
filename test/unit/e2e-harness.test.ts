/**
 * The extension-host test runner (test/e2e/extension-host/harness.ts) and run.mjs's reading of its
 * report: a skipped test is reported as SKIP, not ok, and the summary lists it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runAll, skip } from '../e2e/extension-host/harness';
import { skippedTests } from '../e2e/lib/report.mjs';

test('a skipped extension-host test reports SKIP with its reason, never ok, and the summary lists it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bus-lab-e2e-report-'));
  const file = join(dir, 'report.txt');
  const saved = process.env.BUS_LAB_E2E_REPORT;
  process.env.BUS_LAB_E2E_REPORT = file;
  try {
    const result = await runAll('suite', [
      { name: 'runs', run: async () => 'a note' },
      { name: 'needs the plugin', run: async () => skip('the example plugin is not installed') },
    ]);
    assert.deepEqual(result.skipped, ['needs the plugin']);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0], /^\[suite\] {3}ok {2}runs \(\d+\.\d s\) — a note$/);
    assert.equal(lines[1], '[suite]   SKIP needs the plugin — the example plugin is not installed');
    assert.deepEqual(skippedTests(readFileSync(file, 'utf8')), [{ suite: 'suite', test: 'needs the plugin — the example plugin is not installed' }]);
  } finally {
    if (saved === undefined) delete process.env.BUS_LAB_E2E_REPORT;
    else process.env.BUS_LAB_E2E_REPORT = saved;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a failing test still fails the run; a skip is not a failure', async () => {
  const saved = process.env.BUS_LAB_E2E_REPORT;
  delete process.env.BUS_LAB_E2E_REPORT;
  try {
    await assert.rejects(
      runAll('suite', [
        { name: 'skipped', run: async () => skip('why') },
        { name: 'broken', run: async () => assert.fail('boom') },
      ]),
      /1 of 2 extension-host tests failed: broken/,
    );
  } finally {
    if (saved !== undefined) process.env.BUS_LAB_E2E_REPORT = saved;
  }
});

test('skippedTests reads the smoke module\'s SKIP lines too', () => {
  assert.deepEqual(skippedTests('[smoke]   ok  it activates\n[smoke]   SKIP extension-host API tests — no dist/test/extension-host.js (npm run build)\n'), [
    { suite: 'smoke', test: 'extension-host API tests — no dist/test/extension-host.js (npm run build)' },
  ]);
});
