// The platform package as a Marketplace user gets it: `npm run package:linux-x64`'s .vsix installed
// into code-server (no development path), the system's copies of the libraries it ships hidden
// from code-server's processes, and a training run through the wizard that must run on the
// accelerator with the oneDNN shipped in the package. Run by test/e2e/run.mjs (session "vsix").
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readRun, trainThroughWizard, waitFinished } from '../ui/steps.mjs';

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

export const steps = [
  {
    name: 'the installed package holds the accelerator, libdnnl and their licences',
    async run(ctx) {
      const { installedDir } = ctx.state;
      const native = join(installedDir, 'dist', 'native');
      assert(existsSync(join(native, 'bus-lab-accelerator.node')), `no bus-lab-accelerator.node in ${native}`);
      const files = readdirSync(native);
      assert(files.some((f) => /^libdnnl\.so/.test(f)), `no libdnnl.so* in ${native}: ${files.join(', ')}`);
      assert(existsSync(join(native, 'THIRD-PARTY-NOTICES.md')) && readdirSync(join(native, 'licenses')).length > 0, `no licences in ${native}`);
      ctx.log(`    ${native}: ${files.join(', ')}`);
    },
  },
  {
    name: 'training from the installed package runs on the bundled oneDNN',
    needs: ['the installed package holds the accelerator, libdnnl and their licences'],
    timeoutMs: 360_000,
    async run(ctx) {
      const runId = await trainThroughWizard(ctx);
      await waitFinished(ctx, runId);
      const { record } = readRun(ctx, runId);
      const reason = record.backend?.reason ?? '';
      ctx.log(`    backend: ${record.backend?.name}; ${reason}`);
      assert(record.status === 'finished', `run.json status ${record.status}`);
      // "bundled": the addon reports (dladdr) that its libdnnl is the file beside it.
      assert(/native accelerator \(oneDNN [\d.]+ bundled, /.test(reason), `the run did not use the packaged accelerator: ${reason}`);
      await ctx.wb.screenshot('vsix-trained');
    },
  },
];
