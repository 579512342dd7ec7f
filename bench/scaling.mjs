// `npm run bench:scaling`: `bus-lab bench --json` once per (size, batch) point, each in a fresh
// process (so peak RSS and the FMA peak belong to that point alone), printing one markdown table
// row per point: img/s, GFLOP/s and fraction of the measured FMA peak for training and inference.
// Writes bench/results/scaling-<date>.json (gitignored).
//
//   node bench/scaling.mjs [--sizes 96,128,192,256] [--batches 1,2,4,8] [any bus-lab bench option]
//
// Every point of sizes x batches runs; for the two lines of docs/PERFORMANCE.md run it twice, e.g.
// `--sizes 96,128,192,256 --batches 4` and `--sizes 128 --batches 1,2,4,8`. Options other than
// --sizes and --batches (--steps, --warmup, --threads, --width, --accelerator...) and the
// environment (OMP_WAIT_POLICY...) pass through to each `bus-lab bench`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dateStem, fixed, integerList, lastJsonLine, markdownTable, option, percent, withoutOptions, writeJsonAtomic } from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const cli = join(root, 'dist', 'cli.js');

let sizes;
let batches;
try {
  sizes = integerList(option(argv, 'sizes', '96,128,192,256'), 'sizes');
  batches = integerList(option(argv, 'batches', '1,2,4,8'), 'batches');
} catch (err) {
  process.stderr.write(`scaling: ${err.message}\n`);
  process.exit(2);
}
const forwarded = withoutOptions(argv, ['sizes', 'batches']);
if (forwarded.includes('--size') || forwarded.includes('--batch')) {
  process.stderr.write('scaling: use --sizes and --batches (lists), not --size or --batch\n');
  process.exit(2);
}
if (!existsSync(cli)) {
  process.stderr.write('scaling: dist/cli.js is missing: run `npm run build` first (npm run bench:scaling does)\n');
  process.exit(2);
}

const headers = ['size', 'batch', 'train img/s', 'train GFLOP/s', 'train % peak', 'infer img/s', 'infer GFLOP/s', 'infer % peak', 'peak GFLOP/s', 'peak RSS MB'];
const rowOf = (r) => [
  r.size,
  r.batch,
  fixed(r.trainImagesPerSecond),
  fixed(r.trainGflopsPerSecond, 1),
  percent(r.trainFractionOfPeak),
  fixed(r.inferImagesPerSecond),
  fixed(r.inferGflopsPerSecond, 1),
  percent(r.inferFractionOfPeak),
  r.peak ? fixed(r.peak.gflops, 1) : 'not measured',
  fixed(r.peakRssMB, 0),
];

const started = new Date();
process.stdout.write(`bus-lab bench per point: ${forwarded.join(' ') || '(defaults)'}; load ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs\n`);
process.stdout.write(markdownTable(headers, []) + '\n');
const points = [];
for (const size of sizes) {
  for (const batch of batches) {
    const args = [cli, 'bench', '--json', '--size', String(size), '--batch', String(batch), ...forwarded];
    // The bench's own progress goes to its stderr, which this script drops; failures show it.
    const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const result = r.status === 0 ? lastJsonLine(r.stdout) : undefined;
    if (!result) {
      process.stderr.write(r.stderr.trim().split('\n').slice(-5).join('\n') + '\n');
      process.stderr.write(`scaling: bus-lab bench --size ${size} --batch ${batch} exited with ${r.status ?? r.signal}\n`);
      process.exit(1);
    }
    points.push(result);
    process.stdout.write(markdownTable(headers, [rowOf(result)]).split('\n')[2] + '\n');
  }
}

const summary = {
  date: started.toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, loadAverage: loadavg() },
  forwarded,
  backend: points[0].backend,
  reason: points[0].reason,
  points: points.map((p) => ({
    size: p.size,
    batch: p.batch,
    width: p.width,
    steps: p.steps,
    warmup: p.warmup,
    trainImagesPerSecond: p.trainImagesPerSecond,
    inferImagesPerSecond: p.inferImagesPerSecond,
    trainGflopsPerSecond: p.trainGflopsPerSecond,
    inferGflopsPerSecond: p.inferGflopsPerSecond,
    trainFractionOfPeak: p.trainFractionOfPeak,
    inferFractionOfPeak: p.inferFractionOfPeak,
    peak: p.peak,
    peakRssMB: p.peakRssMB,
  })),
};
const dir = join(root, 'bench', 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `scaling-${dateStem(started)}.json`);
writeJsonAtomic(file, summary);
process.stdout.write(`wrote ${file}\n`);
