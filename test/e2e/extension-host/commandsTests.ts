/** The commands and views the manifest declares are there. */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { busLabApi, busLabExtension } from './context';
import type { HostTest } from './harness';

export const commandsTests: HostTest[] = [
  {
    name: 'activates and returns API version 1',
    timeoutMs: 60_000,
    async run() {
      const api = await busLabApi();
      assert.equal(api.apiVersion, 1);
      assert.ok(busLabExtension().isActive);
    },
  },
  {
    name: 'every contributed command is registered, in category BUS',
    async run() {
      const contributed = (busLabExtension().packageJSON.contributes.commands as { command: string; category: string }[]);
      const registered = new Set(await vscode.commands.getCommands(true));
      const missing = contributed.filter((c) => !registered.has(c.command)).map((c) => c.command);
      assert.deepEqual(missing, []);
      assert.ok(contributed.every((c) => c.category === 'BUS'));
      for (const id of ['busLab.train', 'busLab.stopTraining', 'busLab.openTrainingDashboard', 'busLab.openMaskGallery', 'busLab.compareRuns', 'busLab.evaluateRun', 'busLab.checkDataset', 'busLab.revealRun', 'busLab.deleteRun']) {
        assert.ok(registered.has(id), id);
      }
    },
  },
  {
    name: 'the Runs and Providers views open in the BUS Lab container',
    async run() {
      await vscode.commands.executeCommand('busLab.runs.focus');
      await vscode.commands.executeCommand('busLab.providers.focus');
      const views = busLabExtension().packageJSON.contributes.views.busLab as { id: string }[];
      assert.deepEqual(views.map((v) => v.id), ['busLab.runs', 'busLab.providers']);
    },
  },
  {
    name: 'Check Dataset... with a spec argument returns the health report',
    timeoutMs: 120_000,
    async run() {
      const report = (await vscode.commands.executeCommand('busLab.checkDataset', 'synthetic:site-b?count=8')) as { items: number; problems: number } | undefined;
      assert.ok(report, 'no report');
      assert.equal(report.items, 8);
      return `${report.items} images, ${report.problems} problems`;
    },
  },
  {
    name: 'Stop Training with nothing running and Refresh Runs complete quietly',
    async run() {
      await vscode.commands.executeCommand('busLab.stopTraining');
      await vscode.commands.executeCommand('busLab.refreshRuns');
    },
  },
];
