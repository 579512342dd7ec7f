import { basename, extname, resolve } from 'node:path';
import { readAblationConfig } from '../../engine/experiments/ablationConfig';
import { runAblation } from '../../engine/experiments/ablation';
import { formatComparisonMarkdown } from '../../engine/experiments/comparisonMarkdown';
import { validateTrainConfigs } from '../../engine/train/setup';
import { parseArgs } from '../args';
import { CliCommand, EXIT, UsageError } from '../command';
import { createTrainProgress } from '../progress';
import { trainInWorker } from '../trainInWorker';
import { describeHolder } from '../../engine/runs/runLock';
import { defaultCacheDir } from './train';

const USAGE = `Usage: bus-lab ablate CONFIG.json [options]

Runs an ablation: every method/variant of CONFIG.json with every seed, one run at a time, each
evaluated on the external datasets, then compares them (comparison.json, comparison.md).
Interrupted? Run the same command again: finished runs are skipped and a half-done run resumes
from its last checkpoint. Each run is trained holding its folder's lock: a run another process
is training is skipped (named with its holder), so several invocations or shards may share one
--out, on one machine or on a shared file system (docs/SCALING.md). Relative paths in
CONFIG.json are relative to its folder.
See experiments/paper-protocol.json and experiments/synthetic-demo.json.

  --out DIR    folder for the runs and the comparison (default ./runs/<config name>)
               (decoded images are cached in ~/.cache/bus-lab/datasets unless the config sets cacheDir)
  --shard K/N  run only the K-th of N interleaved parts of the grid (K = 1..N), e.g. one per
               process, core or scheduler task; then run without --shard to compare
  --json       print { outDir, runs, comparison } as JSON on the last line
`;

function parseShard(value: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) throw new UsageError(`--shard: expected K/N with 1 <= K <= N, got '${value}'`);
  return { index, count };
}

export const ablateCommand: CliCommand = {
  name: 'ablate',
  summary: 'run an ablation grid (methods x seeds), resumable, then compare',
  usage: USAGE,
  async run(argv, io) {
    const { positionals, options: o } = parseArgs(argv, { out: { type: 'string' }, shard: { type: 'string' }, json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new UsageError('give exactly one ablation config file');
    const shard = o.shard === undefined ? undefined : parseShard(String(o.shard));
    const file = resolve(positionals[0]);
    let ablation;
    try {
      ablation = await readAblationConfig(file);
      // Every variant's method, features and extra losses, before the first run trains for hours.
      await validateTrainConfigs(ablation.entries.filter((e, i, all) => all.findIndex((f) => f.variant === e.variant) === i).map((e) => ({ label: `${file}: variant '${e.variant}'`, config: e.config })));
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const outDir = resolve(String(o.out ?? `runs/${basename(file, extname(file))}`));
    // Decode each dataset once for the whole grid unless the config names its own cache.
    for (const entry of ablation.entries) entry.config.cacheDir ??= defaultCacheDir();
    io.info(`ablation '${ablation.name}': ${ablation.entries.length} runs${shard ? `, shard ${shard.index}/${shard.count}` : ''} -> ${outDir}`);
    const progress = createTrainProgress(io);
    let result;
    try {
      result = await runAblation(ablation, {
        outDir,
        shard,
        // In a worker thread, so that signals are answered even by a stuck training (trainInWorker.ts).
        train: trainInWorker,
        signal: io.signal,
        onEvent: progress.onEvent,
        onRun: ({ entry, index, total, action, holder }) => {
          const verb =
            action === 'skip' ? 'finished, skipping' : action === 'resume' ? 'resuming' : action === 'held' ? `in use (${holder ? describeHolder(holder) : 'locked'}), skipping` : 'starting';
          io.info(`[${index + 1}/${total}] ${entry.runId}: ${verb}`);
        },
      });
    } catch (err) {
      // A training terminated after a stop request (it did not answer in time) is a cancel.
      if (!io.signal.aborted) throw err;
      process.stderr.write(`bus-lab ablate: ${(err as Error).message}\n`);
      return EXIT.cancelled;
    } finally {
      progress.done();
    }
    const failed = result.runs.filter((r) => r.status === 'failed');
    for (const r of failed) io.warn(`${r.runId} failed: ${r.error ?? 'unknown error'}`);
    if (result.held.length > 0) {
      process.stderr.write(
        `bus-lab ablate: ${result.held.length} run(s) in use by other processes (${result.held.map((h) => `${h.runId}: ${describeHolder(h.holder)}`).join('; ')}); run again when they finish to compare\n`,
      );
    }
    if (result.comparison) {
      io.info(formatComparisonMarkdown(result.comparison).trimEnd());
      io.info(`wrote ${result.files?.json} and ${result.files?.markdown}`);
    }
    io.result({ outDir: result.outDir, runs: result.runs, comparison: result.comparison });
    if (result.cancelled) return EXIT.cancelled;
    return failed.length > 0 || result.held.length > 0 ? EXIT.failed : EXIT.ok;
  },
};
