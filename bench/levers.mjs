// `npm run bench:levers`: what each speed lever of docs/PERFORMANCE.md gives, measured by turning it
// off one at a time. Every variant is one `bus-lab bench --json` in a fresh process with one
// environment switch; the variants alternate (order rotated each round) over --rounds rounds and
// the medians are printed as a markdown table. Writes bench/results/levers-<date>.json (gitignored).
//
//   node bench/levers.mjs [--rounds 3] [any bus-lab bench option]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dateStem, fixed, lastJsonLine, markdownTable, median, option, percent, rotation, withoutOptions, writeJsonAtomic } from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const cli = join(root, 'dist', 'cli.js');

/** Name, what it turns off, and the environment that does it. */
const VARIANTS = [
  { name: 'all levers (default)', env: {} },
  { name: 'training: direct convolutions only (no Winograd)', env: { BUS_LAB_CONV_ALGORITHM: 'direct' } },
  { name: 'inference: op by op in tfjs (no native graph)', env: { BUS_LAB_FUSED_INFERENCE: 'off' } },
  { name: 'inference: native graph, direct convolutions', env: { BUS_LAB_WINOGRAD: '0' } },
];

const rounds = Number(option(argv, 'rounds', '3'));
if (!Number.isInteger(rounds) || rounds < 1) {
  process.stderr.write(`levers: --rounds must be a whole number >= 1\n`);
  process.exit(2);
}
if (!existsSync(cli)) {
  process.stderr.write('levers: dist/cli.js is missing: run `npm run build` first (npm run bench:levers does)\n');
  process.exit(2);
}
const forwarded = withoutOptions(argv, ['rounds']).filter((a) => a !== '--json');

const results = new Map(VARIANTS.map((v) => [v.name, []]));
for (let round = 0; round < rounds; round++) {
  for (const variant of rotation(VARIANTS, round)) {
    process.stderr.write(`round ${round + 1}/${rounds}: ${variant.name}\n`);
    const r = spawnSync(process.execPath, ['--min-semi-space-size=16', cli, 'bench', '--json', ...forwarded], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, ...variant.env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const result = r.status === 0 ? lastJsonLine(r.stdout) : undefined;
    if (!result) {
      process.stderr.write(`levers: bus-lab bench exited with ${r.status} for '${variant.name}'\n`);
      process.exit(1);
    }
    results.get(variant.name).push(result);
  }
}

const rows = VARIANTS.map(({ name }) => {
  const runs = results.get(name);
  const train = median(runs.map((r) => r.trainImagesPerSecond));
  const infer = median(runs.map((r) => r.inferImagesPerSecond));
  const trainPeak = median(runs.map((r) => r.trainFractionOfPeak ?? NaN));
  const inferPeak = median(runs.map((r) => r.inferFractionOfPeak ?? NaN));
  return [name, fixed(train), fixed(infer, 1), percent(trainPeak), percent(inferPeak), runs.map((r) => `${fixed(r.trainImagesPerSecond, 1)} / ${fixed(r.inferImagesPerSecond, 0)}`).join(', ')];
});
process.stdout.write(`${markdownTable(['variant', 'train img/s', 'infer img/s', 'train % peak', 'infer % peak', 'rounds (train / infer img/s)'], rows)}\n`);
process.stdout.write(`load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);

const dir = join(root, 'bench', 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `levers-${dateStem(new Date())}.json`);
writeJsonAtomic(file, { rounds, options: forwarded, variants: VARIANTS, results: Object.fromEntries(results) });
process.stderr.write(`wrote ${file}\n`);
