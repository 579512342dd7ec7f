/**
 * `bus-lab datasets list | check SPEC | load SPEC`: the dataset kinds, a health check of one
 * dataset, and a timed load through the training pipeline (which also warms the cache).
 */
import { resolve } from 'node:path';
import { DATASET_KINDS, LABELS } from '../../engine/types';
import { checkDataset, DatasetSpecError, HealthReport, KIND_DESCRIPTIONS, loadDataset, LoadStats } from '../../engine/data';
import { parseArgs } from '../args';
import { CliCommand, CliIO, EXIT, UsageError } from '../command';

const USAGE = `Usage: bus-lab datasets <list | check SPEC | load SPEC> [options]

  list                 the dataset kinds a spec may name, one line each
  check SPEC           health check: counts per class, unreadable files, image/mask size
                       mismatches, empty and non-binary masks, orphan images and masks,
                       exact duplicates (and duplicates filed under two labels)
  load SPEC            load through the training pipeline and report counts and time
                       (with --cache-dir, a second load reads the cache)

A SPEC is kind:path, e.g. busi:/data/BUSI, breast:/data/BrEaST-Lesions_USG,
synthetic:site-b?count=40&malignant=0.4&seed=7. See docs/DATASETS.md.

Options:
  --json               print the result as one JSON line on stdout
  --strict             check: exit with 1 when any problem is found
  --size N             load: working size S (default 128)
  --cache-dir DIR      load: cache folder for decoded arrays
  --limit N            load: at most N images
  --exclude-normal     load: leave out normal (lesion-free) images
`;

const MAX_DETAILS = 20;

/** Spec errors are usage errors (exit 2); anything else is a failure (exit 1). */
async function asUsage<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof DatasetSpecError) throw new UsageError(err.message);
    throw err;
  }
}

function progress(io: CliIO, what: string): ((done: number, total: number) => void) | undefined {
  if (!io.isTTY) return undefined;
  return (done, total) => {
    process.stderr.write(`\r${what} ${done}/${total}`);
    if (done === total) process.stderr.write('\n');
  };
}

function table(rows: [string, string | number][]): string[] {
  const width = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`);
}

/** The health report as a terminal table followed by the details of each finding. */
export function formatHealthReport(r: HealthReport): string {
  const lines = [`${r.name} (${r.spec}): ${r.items} images, checked in ${r.seconds.toFixed(1)} s`, ''];
  lines.push(...table(LABELS.map((l) => [l, r.counts[l]])), '');
  const sections: [string, { file: string; reason: string }[]][] = [
    ['unreadable files', r.unreadable],
    ['image/mask size mismatch', r.sizeMismatch],
    ['empty masks on lesion images', r.emptyMasks],
    ['lesion masks on normal images', r.masksOnNormal],
    ['non-binary masks', r.nonBinaryMasks],
    ['images without masks', r.imagesWithoutMasks],
    ['masks without images', r.masksWithoutImages],
    ['unlabelled images / bad rows', r.unlabelled],
  ];
  lines.push(
    ...table([
      ...sections.map(([name, list]) => [name, list.length] as [string, number]),
      ['exact duplicate groups', r.duplicates.length],
      ['duplicates under two labels', r.conflictingDuplicates.length],
    ]),
  );
  for (const [name, list] of sections) {
    if (list.length === 0) continue;
    lines.push('', `${name}:`);
    for (const p of list.slice(0, MAX_DETAILS)) lines.push(`  ${p.file}: ${p.reason}`);
    if (list.length > MAX_DETAILS) lines.push(`  ... and ${list.length - MAX_DETAILS} more (--json lists all)`);
  }
  if (r.duplicates.length > 0) {
    lines.push('', 'exact duplicates (same decoded pixels):');
    for (const d of r.duplicates.slice(0, MAX_DETAILS)) {
      const conflict = new Set(d.labels).size > 1 ? '  <- different labels' : '';
      lines.push(`  ${d.ids.map((id, i) => `${id} (${d.labels[i]})`).join(' = ')}${conflict}`);
    }
    if (r.duplicates.length > MAX_DETAILS) lines.push(`  ... and ${r.duplicates.length - MAX_DETAILS} more (--json lists all)`);
  }
  lines.push('', r.problems === 0 ? 'no problems found' : `${r.problems} finding${r.problems === 1 ? '' : 's'}`);
  return lines.join('\n');
}

async function runList(io: CliIO): Promise<number> {
  const width = Math.max(...DATASET_KINDS.map((k) => k.length));
  for (const kind of DATASET_KINDS) io.info(`${kind.padEnd(width)}  ${KIND_DESCRIPTIONS[kind]}`);
  io.result(DATASET_KINDS.map((kind) => ({ kind, description: KIND_DESCRIPTIONS[kind] })));
  return EXIT.ok;
}

async function runCheck(spec: string, strict: boolean, io: CliIO): Promise<number> {
  const report = await asUsage(checkDataset(spec, { onProgress: progress(io, 'checking'), signal: io.signal }));
  io.info(formatHealthReport(report));
  io.result(report);
  return strict && report.problems > 0 ? EXIT.failed : EXIT.ok;
}

async function runLoad(spec: string, o: Record<string, unknown>, io: CliIO): Promise<number> {
  const size = (o.size as number | undefined) ?? 128;
  if (!Number.isInteger(size) || size < 8) throw new UsageError(`--size must be an integer >= 8, got ${size}`);
  let stats: LoadStats | undefined;
  const dataset = await asUsage(
    loadDataset(spec, {
      size,
      cacheDir: o['cache-dir'] ? resolve(String(o['cache-dir'])) : undefined,
      limit: o.limit as number | undefined,
      includeNormal: !o['exclude-normal'],
      onProgress: progress(io, 'loading'),
      onWarning: io.warn,
      onStats: (s) => (stats = s),
      signal: io.signal,
    }),
  );
  const counts = Object.fromEntries(LABELS.map((l) => [l, dataset.items.filter((s) => s.label === l).length]));
  const patients = new Set(dataset.items.map((s) => s.patientId)).size;
  io.info(`${dataset.name} (${dataset.spec}) at ${size}x${size}, slug ${dataset.slug}`);
  io.info(
    table([
      ...LABELS.map((l) => [l, counts[l]] as [string, number]),
      ['patients', patients],
      ['skipped', dataset.skipped.length],
      ['from cache', stats?.fromCache ?? 0],
      ['decoded', stats?.decoded ?? 0],
      ['seconds', (stats?.seconds ?? 0).toFixed(2)],
    ]).join('\n'),
  );
  io.result({ spec: dataset.spec, name: dataset.name, slug: dataset.slug, size, counts, patients, skipped: dataset.skipped, stats });
  return EXIT.ok;
}

export const datasetsCommand: CliCommand = {
  name: 'datasets',
  summary: 'list dataset kinds, health-check or load a dataset',
  usage: USAGE,
  async run(argv, io) {
    const { positionals, options: o } = parseArgs(argv, {
      json: { type: 'boolean' },
      strict: { type: 'boolean' },
      size: { type: 'number' },
      'cache-dir': { type: 'string' },
      limit: { type: 'number' },
      'exclude-normal': { type: 'boolean' },
    });
    const [action, spec, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
    switch (action) {
      case 'list':
        return runList(io);
      case 'check':
      case 'load':
        if (!spec) throw new UsageError(`datasets ${action} needs a SPEC, e.g. busi:/data/BUSI (see bus-lab datasets list)`);
        return action === 'check' ? runCheck(spec, Boolean(o.strict), io) : runLoad(spec, o, io);
      case undefined:
        throw new UsageError('give an action: list, check SPEC or load SPEC');
      default:
        throw new UsageError(`unknown action '${action}' (expected list, check or load)`);
    }
  },
};
