/**
 * Extension-host tests (bundled to dist/test/extension-host.js by scripts/build.mjs). The e2e
 * harness loads this module inside the real VS Code extension host and calls `run()`; it rejects
 * when a test fails.
 */
import { apiTests } from './apiTests';
import { commandsTests } from './commandsTests';
import { report, runAll } from './harness';
import { stopTrainingTests } from './stopTrainingTests';
import { trainingTests } from './trainingTests';

export async function run(): Promise<void> {
  report('[extension-host] BUS Lab API and command tests');
  await runAll('extension-host', [...commandsTests, ...apiTests, ...trainingTests, ...stopTrainingTests]);
}
