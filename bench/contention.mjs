// `npm run bench:contention`: how `bus-lab bench` holds up when it does not have the machine to
// itself. Three cases, each --rounds times, the order rotated every round:
//   solo   one `bus-lab bench --json`
//   pair   two started together (each reported, and their total against solo)
//   busy   one, while a busy loop (`node -e 'for(;;){}'`, started first) keeps one core busy
// Prints a markdown table of medians (train and infer img/s, ratio to solo) and writes
// bench/results/contention-<date>.json (gitignored).
//
//   node bench/contention.mjs [--rounds 3] [--cases solo,pair,busy] [any bus-lab bench option]
//
// Options other than --rounds and --cases (--threads, --steps, --size, --batch...) pass through to
// every `bus-lab bench`, and so does the environment, so levers compare as e.g.
//   OMP_WAIT_POLICY=passive npm run bench:contention -- --threads 2
// The busy loop is killed after its case, and on any exit of this script.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dateStem, fixed, lastJsonLine, markdownTable, median, option, ratio, rotation, withoutOptions, writeJsonAtomic } from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const cli = join(root, 'dist', 'cli.js');
const CASES = ['solo', 'pair', 'busy'];

function usage(message) {
  process.stderr.write(`contention: ${message}\n`);
  process.exit(2);
}

const rounds = Number(option(argv, 'rounds', '3'));
if (!Number.isInteger(rounds) || rounds < 1) usage(`--rounds must be a whole number >= 1, got '${option(argv, 'rounds')}'`);
const cases = option(argv, 'cases', CASES.join(',')).split(',');
if (cases.length === 0 || !cases.every((c) => CASES.includes(c))) usage(`--cases must list some of ${CASES.join(', ')}`);
if (!cases.includes('solo')) usage('--cases must include solo (the ratios are to it)');
const forwarded = withoutOptions(argv, ['rounds', 'cases']).filter((a) => a !== '--json');
if (!existsSync(cli)) usage('dist/cli.js is missing: run `npm run build` first (npm run bench:contention does)');

/** Every child still running; killed on any exit so no busy loop outlives the script. */
const children = new Set();
function killChildren() {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}
process.on('exit', killChildren);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    killChildren();
    process.exit(130);
  });
}

function track(child) {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

/** One `bus-lab bench --json`; resolves with its result and when it ran. */
function bench(label) {
  return new Promise((resolve, reject) => {
    const startedAt = Date.now();
    const child = track(spawn(process.execPath, [cli, 'bench', '--json', ...forwarded], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const result = code === 0 ? lastJsonLine(stdout) : undefined;
      if (!result) {
        reject(new Error(`bus-lab bench (${label}) exited with ${code ?? signal}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
        return;
      }
      resolve({ label, startedAt, endedAt: Date.now(), train: result.trainImagesPerSecond, infer: result.inferImagesPerSecond, peakGflops: result.peak?.gflops ?? null, reason: result.reason });
    });
  });
}

/** A process that keeps one core busy; resolves once it has had time to start spinning. */
async function startBusyLoop() {
  const child = track(spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
  await new Promise((resolve) => setTimeout(resolve, 300));
  if (child.exitCode !== null) throw new Error(`the busy loop exited at once (${child.exitCode})`);
  return child;
}

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

/** How much of the longer run the two runs shared, 0..1: a pair that barely overlapped says little. */
function overlap(a, b) {
  const shared = Math.min(a.endedAt, b.endedAt) - Math.max(a.startedAt, b.startedAt);
  return Math.max(0, shared) / Math.max(a.endedAt - a.startedAt, b.endedAt - b.startedAt);
}

const runners = {
  solo: async () => ({ solo: await bench('solo') }),
  pair: async () => {
    const [a, b] = await Promise.all([bench('pair A'), bench('pair B')]);
    return { a, b, total: { train: a.train + b.train, infer: a.infer + b.infer }, overlap: overlap(a, b) };
  },
  busy: async () => {
    const loop = await startBusyLoop();
    try {
      return { busy: await bench('busy') };
    } finally {
      await stop(loop);
    }
  },
};

const started = new Date();
const perRound = [];
for (let round = 1; round <= rounds; round++) {
  const got = {};
  for (const name of rotation(cases, round)) {
    process.stderr.write(`round ${round}/${rounds}: ${name}\n`);
    got[name] = await runners[name]();
  }
  perRound.push(got);
}

const m = (pick) => median(perRound.map(pick).filter((v) => v !== undefined));
const solo = { train: m((r) => r.solo.solo.train), infer: m((r) => r.solo.solo.infer) };
const rows = [];
const summary = {
  date: started.toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, loadAverage: loadavg() },
  forwarded,
  env: Object.fromEntries(Object.entries(process.env).filter(([k]) => /^(OMP_|GOMP_|KMP_|BUS_LAB_|DNNL_|ONEDNN_)/.test(k))),
  rounds,
  order: 'rotated each round',
  reason: perRound[0].solo.solo.reason,
  medians: { solo },
  perRound,
};
const add = (label, value, note = '') => {
  rows.push([label, fixed(value.train), fixed(value.infer), fixed(ratio(value.train, solo.train)), fixed(ratio(value.infer, solo.infer)), note]);
};
add('solo', solo);
if (cases.includes('pair')) {
  const a = { train: m((r) => r.pair.a.train), infer: m((r) => r.pair.a.infer) };
  const b = { train: m((r) => r.pair.b.train), infer: m((r) => r.pair.b.infer) };
  const total = { train: m((r) => r.pair.total.train), infer: m((r) => r.pair.total.infer) };
  const shared = m((r) => r.pair.overlap);
  summary.medians.pair = { a, b, total, overlap: shared };
  add('two at once: job A', a);
  add('two at once: job B', b);
  add('two at once: total', total, `goal >= 0.9; runs overlapped ${(100 * shared).toFixed(0)}%`);
}
if (cases.includes('busy')) {
  const busy = { train: m((r) => r.busy.busy.train), infer: m((r) => r.busy.busy.infer) };
  summary.medians.busy = busy;
  add('one core busy', busy, 'goal >= 0.5');
}

const env = Object.entries(summary.env).map(([k, v]) => `${k}=${v}`).join(' ');
process.stdout.write(
  [
    `bus-lab bench ${forwarded.join(' ') || '(defaults)'}${env ? `; ${env}` : ''}; median of ${rounds} round(s), order rotated; load ${summary.machine.loadAverage[0].toFixed(1)} on ${summary.machine.cpus} CPUs`,
    '',
    markdownTable(['case', 'train img/s', 'infer img/s', 'train vs solo', 'infer vs solo', 'note'], rows),
    '',
  ].join('\n'),
);
const dir = join(root, 'bench', 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `contention-${dateStem(started)}.json`);
writeJsonAtomic(file, summary);
process.stdout.write(`wrote ${file}\n`);
