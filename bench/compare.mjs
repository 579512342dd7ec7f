// `npm run bench:compare`: runs `bus-lab bench` (the built CLI) and the PyTorch reference on the
// same model, batch and size in one invocation, prints ours/PyTorch ratios for training and
// inference, and writes bench/results/<date>.json (gitignored).
//
//   node bench/compare.mjs [--size 128] [--batch 4] [--width 16] [--steps 5] [--warmup 2]
//                          [--rounds 1] [--backend auto] [--threads 2] [--accelerator auto]
//                          [--python /usr/bin/python3]
//
// --threads sets both sides: PyTorch's torch.set_num_threads and our native accelerator's threads.
//
// The machine may be shared: with --rounds N the two run alternately N times and the medians
// of each side are compared, so that load from elsewhere hits both about equally.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

const size = option('size', '128');
const batch = option('batch', '4');
const width = option('width', '16');
const steps = option('steps', '5');
const warmup = option('warmup', '2');
const rounds = Number(option('rounds', '1'));
const backend = option('backend', 'auto');
const threads = option('threads', '2');
const accelerator = option('accelerator', 'auto');
const python = option('python', '/usr/bin/python3');

function lastJsonLine(stdout) {
  const line = stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  return line ? JSON.parse(line) : undefined;
}

function runOurs() {
  const cli = join(root, 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` first (npm run bench:compare does)');
  const args = [cli, 'bench', '--json', '--size', size, '--batch', batch, '--width', width, '--steps', steps, '--warmup', warmup, '--backend', backend, '--threads', threads, '--accelerator', accelerator];
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`bus-lab bench exited with ${r.status}`);
  return lastJsonLine(r.stdout);
}

function hasTorch() {
  if (!existsSync(python)) return false;
  return spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

function runReference() {
  const script = join(root, 'bench', 'reference', 'unet_reference.py');
  const args = [script, '--size', size, '--batch', batch, '--width', width, '--steps', steps, '--warmup', warmup, '--threads', threads];
  const r = spawnSync(python, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`the PyTorch reference exited with ${r.status}`);
  return lastJsonLine(r.stdout);
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const torch = hasTorch();
if (!torch) process.stderr.write(`note: ${python} has no torch (apt-get install -y python3-torch); reporting our figures only\n`);

const ours = [];
const reference = [];
for (let round = 1; round <= rounds; round++) {
  process.stderr.write(`round ${round}/${rounds}: bus-lab bench\n`);
  ours.push(runOurs());
  if (torch) {
    process.stderr.write(`round ${round}/${rounds}: PyTorch reference (${threads} threads)\n`);
    reference.push(runReference());
  }
}

const summary = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, loadAverage: (await import('node:os')).loadavg() },
  settings: { size: Number(size), batch: Number(batch), width: Number(width), steps: Number(steps), warmup: Number(warmup), rounds },
  ours: {
    backend: ours[0].backend,
    reason: ours[0].reason,
    parameterCount: ours[0].parameterCount,
    trainImagesPerSecond: median(ours.map((o) => o.trainImagesPerSecond)),
    inferImagesPerSecond: median(ours.map((o) => o.inferImagesPerSecond)),
    trainImagesPerCpuSecond: median(ours.map((o) => o.trainImagesPerCpuSecond)),
    inferImagesPerCpuSecond: median(ours.map((o) => o.inferImagesPerCpuSecond)),
    peakRssMB: Math.max(...ours.map((o) => o.peakRssMB)),
    rounds: ours.map((o) => ({ train: o.trainImagesPerSecond, infer: o.inferImagesPerSecond })),
  },
};
if (torch) {
  summary.pytorch = {
    threads: reference[0].threads,
    torch: reference[0].torch,
    params: reference[0].params,
    trainImagesPerSecond: median(reference.map((o) => o.trainImagesPerSecond)),
    inferImagesPerSecond: median(reference.map((o) => o.inferImagesPerSecond)),
    trainImagesPerCpuSecond: median(reference.map((o) => o.trainImagesPerCpuSecond)),
    inferImagesPerCpuSecond: median(reference.map((o) => o.inferImagesPerCpuSecond)),
    rounds: reference.map((o) => ({ train: o.trainImagesPerSecond, infer: o.inferImagesPerSecond })),
  };
  summary.ratios = {
    train: summary.ours.trainImagesPerSecond / summary.pytorch.trainImagesPerSecond,
    infer: summary.ours.inferImagesPerSecond / summary.pytorch.inferImagesPerSecond,
    trainPerCpuSecond: summary.ours.trainImagesPerCpuSecond / summary.pytorch.trainImagesPerCpuSecond,
    inferPerCpuSecond: summary.ours.inferImagesPerCpuSecond / summary.pytorch.inferImagesPerCpuSecond,
  };
  if (summary.pytorch.params !== summary.ours.parameterCount) {
    process.stderr.write(`warning: parameter counts differ (ours ${summary.ours.parameterCount}, PyTorch ${summary.pytorch.params})\n`);
  }
}

const f = (x) => x.toFixed(2).padStart(8);
// "wasm+native" when the native accelerator ran the heavy kernels (the reason says so).
const oursLabel = /native accelerator \(/.test(summary.ours.reason) ? `${summary.ours.backend}+native` : summary.ours.backend;
const lines = [
  `${size}x${size}, batch ${batch}, width ${width}; median of ${steps} steps after ${warmup} warm-up, ${rounds} round(s); load ${summary.machine.loadAverage[0].toFixed(1)} on ${summary.machine.cpus} CPUs`,
  `                    train img/s  infer img/s   train img/CPU-s  infer img/CPU-s`,
  `ours (${oursLabel.padEnd(9)})     ${f(summary.ours.trainImagesPerSecond)}     ${f(summary.ours.inferImagesPerSecond)}      ${f(summary.ours.trainImagesPerCpuSecond)}         ${f(summary.ours.inferImagesPerCpuSecond)}`,
];
if (summary.pytorch) {
  const p = summary.pytorch;
  const r = summary.ratios;
  lines.push(`PyTorch (${p.threads} threads)    ${f(p.trainImagesPerSecond)}     ${f(p.inferImagesPerSecond)}      ${f(p.trainImagesPerCpuSecond)}         ${f(p.inferImagesPerCpuSecond)}`);
  lines.push(`ours / PyTorch        ${f(r.train)}     ${f(r.infer)}      ${f(r.trainPerCpuSecond)}         ${f(r.inferPerCpuSecond)}`);
}
process.stdout.write(lines.join('\n') + '\n');

const dir = join(root, 'bench', 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `${summary.date.replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify(summary, null, 2) + '\n');
process.stdout.write(`wrote ${file}\n`);
