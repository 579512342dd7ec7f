// The one test command (`npm test`): unit and real-data tests with node's test runner, then the
// end-to-end suite in a real VS Code (code-server + Chromium). `--unit` runs only the first part.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const unitOnly = process.argv.includes('--unit');

function findTests(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return findTests(p);
    return name.endsWith('.test.ts') ? [relative(root, p)] : [];
  });
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// Some unit tests drive the bundled engine worker (dist/engine-worker.js): build first, so a
// fresh clone runs them instead of skipping them.
run(process.execPath, [join(root, 'scripts/build.mjs')]);
const files = [...findTests(join(root, 'test/unit')), ...findTests(join(root, 'test/data'))].sort();
run(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files]);

if (!unitOnly && existsSync(join(root, 'test/e2e/run.mjs'))) run(process.execPath, [join(root, 'test/e2e/run.mjs')]);
