/** api.train() end to end: a tiny synthetic run in the engine worker, listed by getRuns(). */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { busLabApi, EXTENSION_ID, PLUGIN_ID, TINY_CONFIG, TVERSKY_ID } from './context';
import { report, skip, type HostTest } from './harness';

export const trainingTests: HostTest[] = [
  {
    name: 'api.train() on a tiny synthetic mtl config finishes and getRuns() lists it',
    timeoutMs: 300_000,
    async run() {
      const api = await busLabApi();
      let runsChanged = 0;
      const subscription = api.onDidChangeRuns(() => runsChanged++);
      try {
        const { runId, finished } = await api.train(TINY_CONFIG);
        assert.match(runId, /\S/);
        report(`[extension-host]       started ${runId}`);
        // One training at a time.
        await assert.rejects(api.train(TINY_CONFIG), /already in progress/);
        report('[extension-host]       a second training was refused');
        const summary = await finished;
        report(`[extension-host]       ${runId} ${summary.status}`);
        assert.equal(summary.id, runId);
        assert.equal(summary.status, 'finished');
        assert.equal(summary.method, 'mtl');
        assert.equal(summary.epochsCompleted, 1);
        assert.equal(summary.external.length, 1);
        assert.equal(typeof summary.external[0].dice?.mean, 'number');
        const runs = await api.getRuns();
        const listed = runs.find((r) => r.id === runId);
        assert.ok(listed, `getRuns() does not list ${runId}`);
        assert.equal(listed.status, 'finished');
        assert.ok(runsChanged > 0, 'onDidChangeRuns fired');
        // The engine worker inside VS Code loads the native accelerator when this checkout built it,
        // and runs it at background priority so that the UI keeps the cores it needs.
        const record = JSON.parse(readFileSync(join(listed.dir, 'run.json'), 'utf8')) as { backend?: { name?: string; reason?: string } };
        const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
        const built = existsSync(join(extension.extensionPath, 'dist', 'native', 'bus-lab-accelerator.node'));
        if (built) assert.match(record.backend?.reason ?? '', /native accelerator \(oneDNN [^)]*, nice 10\)/, 'the worker ran without the built accelerator, or not in the background');
        report(`[extension-host]       backend: ${record.backend?.reason ?? 'unknown'}`);
        return `val Dice ${summary.bestValDice?.toFixed(3)}, external Dice ${summary.external[0].dice?.mean.toFixed(3)}`;
      } finally {
        subscription.dispose();
      }
    },
  },
  {
    name: 'api.train() with the example plugin loss as the method',
    timeoutMs: 300_000,
    async run() {
      const plugin = vscode.extensions.getExtension(PLUGIN_ID);
      if (!plugin) skip('the example plugin is not installed');
      await plugin.activate();
      const api = await busLabApi();
      const { finished } = await api.train({ ...TINY_CONFIG, external: [], method: TVERSKY_ID });
      const summary = await finished;
      assert.equal(summary.status, 'finished');
      assert.equal(summary.method, TVERSKY_ID);
    },
  },
  {
    name: 'api.train() with a bad dataset path fails before starting, with a clear message',
    async run() {
      const api = await busLabApi();
      await assert.rejects(api.train({ ...TINY_CONFIG, train: 'busi:/definitely/not/here' }), /does not exist/);
    },
  },
];
