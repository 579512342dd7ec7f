// `npm run bench:compare`: runs `bus-lab bench` (the built CLI), the PyTorch reference and the
// ONNX Runtime reference (bench/reference/ort_reference.ts: the same network through the project's
// ONNX exporter, in onnxruntime-node's own session) on the same model, batch and size in one
// invocation; prints img/s, GFLOP/s and the fraction of the FMA peak for each, the ratios
// ours/PyTorch (training and inference) and ours/ORT (inference: ORT has no training column), and
// the largest difference between ORT's mask and ours; writes bench/results/<date>.json (gitignored).
//
//   node bench/compare.mjs [--size 128] [--batch 4] [--width 16] [--steps 5] [--warmup 2]
//                          [--rounds 1] [--backend auto] [--threads 2] [--accelerator auto]
//                          [--python /usr/bin/python3] [--no-torch] [--no-ort]
//
// --threads sets every side: our native accelerator's threads, PyTorch's torch.set_num_threads
// and ORT's intraOpNumThreads (interOpNumThreads 1).
//
// GFLOP/s count direct convolution (src/engine/bench/flops.ts; a training step is 3x the forward)
// for every column, so the columns compare work per second on the same network. The peak is the
// FP32 FMA peak our bench measures in the same round, on its own threads (none without the native
// accelerator: then no fraction is printed).
//
// The machine may be shared: with --rounds N the three run one after another N times, the order
// rotated each round, and the medians of each side are compared, so that load from elsewhere hits
// all about equally.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dateStem, fixed, lastJsonLine, median, option, percent, ratio, rotation, writeJsonAtomic } from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);

const size = option(argv, 'size', '128');
const batch = option(argv, 'batch', '4');
const width = option(argv, 'width', '16');
const steps = option(argv, 'steps', '5');
const warmup = option(argv, 'warmup', '2');
const rounds = Number(option(argv, 'rounds', '1'));
const backend = option(argv, 'backend', 'auto');
const threads = option(argv, 'threads', '2');
const accelerator = option(argv, 'accelerator', 'auto');
const python = option(argv, 'python', '/usr/bin/python3');
if (!Number.isInteger(rounds) || rounds < 1) {
  process.stderr.write(`compare: --rounds must be a whole number >= 1, got '${option(argv, 'rounds')}'\n`);
  process.exit(2);
}

function run(what, command, args) {
  const r = spawnSync(command, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`${what} exited with ${r.status ?? r.signal}`);
  const result = lastJsonLine(r.stdout);
  if (!result) throw new Error(`${what} printed no JSON result`);
  return result;
}

function runOurs() {
  const cli = join(root, 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` first (npm run bench:compare does)');
  const args = [cli, 'bench', '--json', '--size', size, '--batch', batch, '--width', width, '--steps', steps, '--warmup', warmup, '--backend', backend, '--threads', threads, '--accelerator', accelerator];
  return run('bus-lab bench', process.execPath, args);
}

function hasTorch() {
  if (argv.includes('--no-torch') || !existsSync(python)) return false;
  return spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

function runTorch() {
  const script = join(root, 'bench', 'reference', 'unet_reference.py');
  return run('the PyTorch reference', python, [script, '--size', size, '--batch', batch, '--width', width, '--steps', steps, '--warmup', warmup, '--threads', threads]);
}

function hasOrt() {
  if (argv.includes('--no-ort')) return false;
  try {
    createRequire(import.meta.url).resolve('onnxruntime-node');
    return true;
  } catch {
    return false;
  }
}

function runOrt() {
  const script = join(root, 'bench', 'reference', 'ort_reference.ts');
  const args = ['--import', 'tsx', script, '--size', size, '--batch', batch, '--width', width, '--steps', steps, '--warmup', warmup, '--threads', threads, '--backend', backend, '--accelerator', accelerator];
  return run('the ONNX Runtime reference', process.execPath, args);
}

const torch = hasTorch();
if (!torch && !argv.includes('--no-torch')) process.stderr.write(`note: ${python} has no torch (apt-get install -y python3-torch); no PyTorch column\n`);
const ort = hasOrt();
if (!ort && !argv.includes('--no-ort')) process.stderr.write('note: onnxruntime-node is not installed (npm ci installs it); no ONNX Runtime column\n');

const sides = ['ours', ...(torch ? ['pytorch'] : []), ...(ort ? ['ort'] : [])];
const runners = { ours: runOurs, pytorch: runTorch, ort: runOrt };
const labels = { ours: 'bus-lab bench', pytorch: `PyTorch reference (${threads} threads)`, ort: `ONNX Runtime reference (${threads} threads)` };
/** Per round: { ours, pytorch?, ort? }. */
const results = [];
for (let round = 1; round <= rounds; round++) {
  const got = {};
  for (const side of rotation(sides, round)) {
    process.stderr.write(`round ${round}/${rounds}: ${labels[side]}\n`);
    got[side] = runners[side]();
  }
  results.push(got);
}

const ours0 = results[0].ours;
const forwardGflop = ours0.forwardGflopPerImage;
/** Training and inference GFLOP/s of one result, counted alike for every side. */
const gflops = (r) => ({ train: typeof r.trainImagesPerSecond === 'number' ? r.trainImagesPerSecond * 3 * forwardGflop : null, infer: r.inferImagesPerSecond * forwardGflop });
const peakOf = (round) => round.ours.peak?.gflops ?? null;

/** Medians over the rounds for one side; the fraction of peak uses each round's own peak. */
function summarise(side) {
  const per = results.map((round) => {
    const r = round[side];
    const g = gflops(r);
    const peak = peakOf(round);
    return {
      train: r.trainImagesPerSecond ?? null,
      infer: r.inferImagesPerSecond,
      trainPerCpuSecond: r.trainImagesPerCpuSecond ?? null,
      inferPerCpuSecond: r.inferImagesPerCpuSecond,
      trainGflops: g.train,
      inferGflops: g.infer,
      trainFractionOfPeak: ratio(g.train, peak),
      inferFractionOfPeak: ratio(g.infer, peak),
    };
  });
  const m = (key) => median(per.map((p) => p[key]));
  return {
    trainImagesPerSecond: m('train'),
    inferImagesPerSecond: m('infer'),
    trainImagesPerCpuSecond: m('trainPerCpuSecond'),
    inferImagesPerCpuSecond: m('inferPerCpuSecond'),
    trainGflopsPerSecond: m('trainGflops'),
    inferGflopsPerSecond: m('inferGflops'),
    trainFractionOfPeak: m('trainFractionOfPeak'),
    inferFractionOfPeak: m('inferFractionOfPeak'),
    rounds: per,
  };
}

const summary = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, loadAverage: loadavg() },
  settings: { size: Number(size), batch: Number(batch), width: Number(width), steps: Number(steps), warmup: Number(warmup), rounds, threads: Number(threads), order: 'rotated each round' },
  forwardGflopPerImage: forwardGflop,
  peak: {
    gflops: median(results.map(peakOf)),
    threads: ours0.peak?.threads ?? null,
    isa: ours0.peak?.isa ?? null,
    rounds: results.map(peakOf),
    ...(ours0.peak ? {} : { notMeasured: ours0.peakNotMeasured ?? 'not reported by bus-lab bench' }),
  },
  ours: {
    backend: ours0.backend,
    reason: ours0.reason,
    parameterCount: ours0.parameterCount,
    peakRssMB: Math.max(...results.map((r) => r.ours.peakRssMB)),
    ...summarise('ours'),
  },
};
if (torch) {
  const p = results[0].pytorch;
  summary.pytorch = { threads: p.threads, torch: p.torch, params: p.params, ...summarise('pytorch') };
  if (p.params !== ours0.parameterCount) process.stderr.write(`warning: parameter counts differ (ours ${ours0.parameterCount}, PyTorch ${p.params})\n`);
}
if (ort) {
  const o = results[0].ort;
  summary.ort = {
    threads: o.threads,
    ort: o.ort,
    params: o.params,
    maxAbsDiff: Math.max(...results.map((r) => r.ort.maxAbsDiff)),
    oursInference: o.oursInference,
    ...(o.maxAbsDiffOpByOp !== undefined ? { maxAbsDiffOpByOp: Math.max(...results.map((r) => r.ort.maxAbsDiffOpByOp)) } : {}),
    diffAgainst: o.diffAgainst,
    ...summarise('ort'),
  };
  if (o.params !== ours0.parameterCount) process.stderr.write(`warning: parameter counts differ (ours ${ours0.parameterCount}, ORT model ${o.params})\n`);
}
summary.ratios = {
  ...(summary.pytorch
    ? {
        oursOverPytorch: {
          train: ratio(summary.ours.trainImagesPerSecond, summary.pytorch.trainImagesPerSecond),
          infer: ratio(summary.ours.inferImagesPerSecond, summary.pytorch.inferImagesPerSecond),
          trainPerCpuSecond: ratio(summary.ours.trainImagesPerCpuSecond, summary.pytorch.trainImagesPerCpuSecond),
          inferPerCpuSecond: ratio(summary.ours.inferImagesPerCpuSecond, summary.pytorch.inferImagesPerCpuSecond),
        },
      }
    : {}),
  ...(summary.ort
    ? {
        oursOverOrt: {
          infer: ratio(summary.ours.inferImagesPerSecond, summary.ort.inferImagesPerSecond),
          inferPerCpuSecond: ratio(summary.ours.inferImagesPerCpuSecond, summary.ort.inferImagesPerCpuSecond),
        },
      }
    : {}),
};

// "wasm+native" when the native accelerator ran the heavy kernels (the reason says so).
const oursLabel = /native accelerator \(/.test(ours0.reason) ? `${ours0.backend}+native` : ours0.backend;
const cell = (text, n) => String(text).padStart(n);
const header = ['', 'train img/s', 'infer img/s', 'train GFLOP/s', 'infer GFLOP/s', 'train %peak', 'infer %peak', 'train img/CPU-s', 'infer img/CPU-s'];
const widths = [22, ...header.slice(1).map((h) => h.length + 2)];
const row = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[0]) : cell(c, widths[i]))).join('');
const sideRow = (label, s) =>
  row([label, fixed(s.trainImagesPerSecond), fixed(s.inferImagesPerSecond), fixed(s.trainGflopsPerSecond, 1), fixed(s.inferGflopsPerSecond, 1), percent(s.trainFractionOfPeak), percent(s.inferFractionOfPeak), fixed(s.trainImagesPerCpuSecond), fixed(s.inferImagesPerCpuSecond)]);
const peakLine = summary.peak.gflops !== null ? `FMA peak ${fixed(summary.peak.gflops, 1)} GFLOP/s FP32 (median of the rounds; ${summary.peak.threads} thread${summary.peak.threads === 1 ? '' : 's'}, ${summary.peak.isa})` : `FMA peak not measured (${summary.peak.notMeasured}): no fraction of peak`;
const lines = [
  `${size}x${size}, batch ${batch}, width ${width}; median of ${steps} steps after ${warmup} warm-up, ${rounds} round(s), order rotated; load ${summary.machine.loadAverage[0].toFixed(1)} on ${summary.machine.cpus} CPUs`,
  `${fixed(forwardGflop, 3)} GFLOP per image forward (direct convolution; training 3x); ${peakLine}`,
  row(header),
  sideRow(`ours (${oursLabel})`, summary.ours),
];
if (summary.pytorch) lines.push(sideRow(`PyTorch ${summary.pytorch.torch ?? ''} (${summary.pytorch.threads} thr)`, summary.pytorch));
if (summary.ort) lines.push(sideRow(`ORT ${summary.ort.ort} (${summary.ort.threads} thr)`, summary.ort));
if (summary.ratios.oursOverPytorch) {
  const r = summary.ratios.oursOverPytorch;
  lines.push(row(['ours / PyTorch', fixed(r.train), fixed(r.infer), '', '', '', '', fixed(r.trainPerCpuSecond), fixed(r.inferPerCpuSecond)]));
}
if (summary.ratios.oursOverOrt) {
  const r = summary.ratios.oursOverOrt;
  lines.push(row(['ours / ORT', '-', fixed(r.infer), '', '', '', '', '-', fixed(r.inferPerCpuSecond)]));
}
if (summary.ort) {
  const opByOp = summary.ort.maxAbsDiffOpByOp !== undefined ? `; op by op ${summary.ort.maxAbsDiffOpByOp.toExponential(2)}` : '';
  lines.push(`ORT's mask against ours on the same batch: max |difference| ${summary.ort.maxAbsDiff.toExponential(2)} (ours: ${summary.ort.oursInference}${opByOp})`);
}
process.stdout.write(lines.join('\n') + '\n');

const dir = join(root, 'bench', 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `${dateStem(new Date(summary.date))}.json`);
writeJsonAtomic(file, summary);
process.stdout.write(`wrote ${file}\n`);
