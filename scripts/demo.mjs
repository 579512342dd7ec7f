// `npm run demo`: the main job on the built-in synthetic phantom (train on one site, evaluate on
// the two others, compare single / mtl / birads with paired tests), or, with real datasets given,
// the paper's protocol (train on BrEaST, test on BUSI and BUS-BRA).
//
//   npm run demo                                  synthetic phantom, a few minutes
//   npm run demo -- --paper                       the paper protocol with ../shared/datasets
//   npm run demo -- --paper --datasets DIR        ... with the datasets in DIR
//   BUS_LAB_DATASETS=DIR npm run demo -- --paper  same
//   npm run demo -- --out DIR                     where runs and comparison.md go (default demo-runs/)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const value = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

const paper = flag('--paper');
const out = resolve(value('--out') ?? join(root, paper ? 'paper-runs' : 'demo-runs'));
let config = join(root, 'experiments', paper ? 'paper-protocol.json' : 'synthetic-demo.json');

if (paper) {
  const datasets = resolve(value('--datasets') ?? process.env.BUS_LAB_DATASETS ?? join(root, '..', 'shared', 'datasets'));
  const needed = ['BrEaST-Lesions_USG', 'BUSI/Dataset_BUSI_with_GT', 'BUS-BRA/BUSBRA'];
  const missing = needed.filter((d) => !existsSync(join(datasets, d)));
  if (missing.length > 0) {
    console.error(`demo --paper: ${datasets} lacks ${missing.join(', ')} (see docs/DATASETS.md for how to obtain them)`);
    process.exit(2);
  }
  // The committed config points at ../shared/datasets; rewrite its specs for the folder given.
  const file = JSON.parse(readFileSync(config, 'utf8'));
  const rebase = (spec) => spec.replace(/^(\w+):.*?shared\/datasets\//, (_, kind) => `${kind}:${datasets}/`);
  file.train = rebase(file.train);
  file.external = file.external.map(rebase);
  config = join(mkdtempSync(join(tmpdir(), 'bus-lab-demo-')), 'paper-protocol.json');
  writeFileSync(config, JSON.stringify(file, null, 2));
}

function run(cmd, cmdArgs) {
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

run(process.execPath, [join(root, 'scripts', 'build.mjs')]);
console.log(`\nRunning ${paper ? 'the paper protocol' : 'the synthetic demo'} (${config}); runs go to ${out}\n`);
run(process.execPath, [join(root, 'bin', 'bus-lab.js'), 'ablate', config, '--out', out]);
const md = join(out, 'comparison.md');
if (existsSync(md)) {
  console.log('\n' + readFileSync(md, 'utf8'));
  console.log(`Run folders and comparison.md are in ${out}. Open this folder in VS Code with the extension for the dashboard, gallery and comparison views.`);
}
