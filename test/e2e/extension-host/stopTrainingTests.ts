/**
 * Stop Training on a training stuck in a plugin loss (#15): the worker cannot read the stop request,
 * so it is terminated; the slot frees, the run is `interrupted` with no lock left, and Resume trains
 * it to the end.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { busLabApi, busLabExtension, EXTENSION_ID, TINY_CONFIG } from './context';
import { report, type HostTest } from './harness';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 250 ms until it returns a value, or throws after `ms` naming `what`. */
async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`${what}: not within ${ms / 1000} s`);
    await sleep(250);
  }
}

export const stopTrainingTests: HostTest[] = [
  {
    name: 'Stop Training ends a training stuck in a plugin loss: the slot frees, the run is interrupted and resumes',
    timeoutMs: 300_000,
    async run() {
      const api = await busLabApi();
      const id = `${EXTENSION_ID}/looping-loss`;
      const marker = join(mkdtempSync(join(tmpdir(), 'bus-lab-loop-')), 'in-the-loop');
      const looping = api.registerLossProvider({
        id,
        label: 'Loops forever',
        modulePath: join(busLabExtension().extensionPath, 'test', 'fixtures', 'plugins', 'looping-plugin.js'),
        defaultOptions: { marker },
      });
      let returning: vscode.Disposable | undefined;
      try {
        const { runId, finished } = await api.train({ ...TINY_CONFIG, external: [], method: id, epochs: 2 });
        // The worker's thread is inside the loss now: it cannot read a stop request any more.
        await waitFor(() => (existsSync(marker) ? true : undefined), 120_000, 'the training reaching the looping loss');
        const asked = Date.now();
        await vscode.commands.executeCommand('busLab.stopTraining');
        await assert.rejects(finished, /did not answer the stop request within 5 s and was terminated; the run is interrupted and resumes/);
        const stopSeconds = (Date.now() - asked) / 1000;
        report(`[extension-host]       ${runId} terminated ${stopSeconds.toFixed(1)} s after Stop Training`);
        assert.ok(stopSeconds < 30, `the stuck training took ${stopSeconds} s to end`);

        const run = await waitFor(async () => (await api.getRuns()).find((r) => r.id === runId && r.status === 'interrupted'), 10_000, `${runId} listed as interrupted`);
        assert.equal(existsSync(join(run.dir, 'run.lock')), false, 'the terminated worker still holds the run lock');
        report(`[extension-host]       ${runId} is interrupted, no run.lock left`);

        // The slot is free: Resume (the plugin now registered with a loss that returns) trains the run to the end.
        looping.dispose();
        const lossFile = join(mkdtempSync(join(tmpdir(), 'bus-lab-loss-')), 'loss.js');
        writeFileSync(lossFile, 'module.exports = { createLoss: (tf) => (batch, outputs) => tf.mean(tf.abs(tf.sub(outputs.seg, batch.mask))) };\n');
        returning = api.registerLossProvider({ id, label: 'Returns', modulePath: lossFile });
        await vscode.commands.executeCommand('busLab.resumeRun', runId);
        const resumed = await waitFor(async () => (await api.getRuns()).find((r) => r.id === runId && r.status !== 'interrupted' && r.status !== 'running'), 180_000, `${runId} resumed to the end`);
        assert.equal(resumed.status, 'finished');
        assert.equal(resumed.epochsCompleted, 2);
        return `stopped ${stopSeconds.toFixed(1)} s after the request; interrupted; resumed to ${resumed.status}`;
      } finally {
        returning?.dispose();
        looping.dispose();
      }
    },
  },
];
