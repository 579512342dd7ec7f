import { resolve } from 'node:path';
import { evaluateRun, EvaluationExistsError } from '../../engine/eval/evaluateRun';
import type { EvaluationSummary, ExistingEvaluation } from '../../engine/eval/evaluationTypes';
import { readRunRecord, RunFolderError } from '../../engine/runs/runFolder';
import { parseArgs } from '../args';
import { CliCommand, EXIT, UsageError } from '../command';
import { initRunBackend, RUN_BACKEND_OPTIONS, RUN_BACKEND_USAGE } from '../runBackend';
import { defaultCacheDir } from './train';

const USAGE = `Usage: bus-lab evaluate --run RUN_DIR --dataset SPEC [--dataset SPEC...] [options]

Evaluates a trained run on datasets and writes RUN_DIR/eval/<slug>/ (per_image.csv,
summary.json, gallery PNGs). Metrics are computed at each image's original resolution.
summary.json records the checkpoint (epoch, weights sha256), the data (path, fingerprint),
the threshold and the time. A dataset evaluated before is not overwritten unless you say so.

  --run DIR            the run folder (holds run.json and model/)
  --dataset SPEC       dataset to evaluate, e.g. busi:/data/BUSI (repeat or comma-separate)
  --which best|last    checkpoint to use (default best)
  --threshold X        classification threshold (default: the one chosen on the run's
                       internal validation, saved with the checkpoint, else 0.5)
  --overwrite          replace an existing eval/<slug>/
  --keep-both          keep an existing eval/<slug>/ and write eval/<slug>@<time>/
  --seed N             seed of the bootstrap CIs (default: the run's seed)
  --limit N            at most N images per dataset
  --no-images          skip the gallery PNGs
${RUN_BACKEND_USAGE}
  --cache DIR          decoded-image cache (default ~/.cache/bus-lab/datasets); --no-cache
  --json               print { runDir, checkpoint, threshold, summaries } as JSON on the last line
`;

const fmt = (v: number | undefined, digits = 3) => (v === undefined ? '–' : v.toFixed(digits));

export function summaryLine(s: EvaluationSummary): string {
  const d = s.metrics.dice;
  const dice = d ? `Dice ${fmt(d.mean)} [${fmt(d.ci95[0])}, ${fmt(d.ci95[1])}] (n=${d.n})` : 'Dice –';
  const auc = s.auc ? `AUC ${fmt(s.auc.value)}${s.auc.ci95 ? ` [${fmt(s.auc.ci95[0])}, ${fmt(s.auc.ci95[1])}]` : ''}` : 'AUC –';
  const normal = s.normal ? `, normal: ${s.normal.withFalsePositive}/${s.normal.n} with a false positive` : '';
  return `${s.dataset}: ${dice}, IoU ${fmt(s.metrics.iou?.mean)}, HD95 ${fmt(s.metrics.hd95?.mean, 1)} px, ${auc}${normal}`;
}

export const evaluateCommand: CliCommand = {
  name: 'evaluate',
  summary: 'evaluate a trained run on datasets (per-image metrics, CIs, gallery)',
  usage: USAGE,
  async run(argv, io) {
    const { positionals, options: o } = parseArgs(argv, {
      run: { type: 'string' },
      dataset: { type: 'list' },
      which: { type: 'string' },
      threshold: { type: 'number' },
      overwrite: { type: 'boolean' },
      'keep-both': { type: 'boolean' },
      seed: { type: 'number' },
      limit: { type: 'number' },
      'no-images': { type: 'boolean' },
      ...RUN_BACKEND_OPTIONS,
      cache: { type: 'string' },
      'no-cache': { type: 'boolean' },
      json: { type: 'boolean' },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    if (!o.run) throw new UsageError('--run RUN_DIR is required');
    const specs = (o.dataset as string[] | undefined) ?? [];
    if (specs.length === 0) throw new UsageError('at least one --dataset SPEC is required');
    const which = (o.which ?? 'best') as string;
    if (which !== 'best' && which !== 'last') throw new UsageError(`--which must be best or last, not '${which}'`);
    if (o.overwrite && o['keep-both']) throw new UsageError('--overwrite and --keep-both exclude each other');
    const existing: ExistingEvaluation = o.overwrite ? 'overwrite' : o['keep-both'] ? 'keepBoth' : 'refuse';
    const runDir = resolve(String(o.run));
    let record;
    try {
      record = await readRunRecord(runDir);
    } catch (err) {
      if (err instanceof RunFolderError) throw new UsageError(err.message);
      throw err;
    }
    const backend = await initRunBackend(o, record);
    io.info(`backend: ${backend.name} (${backend.reason})`);
    const cacheDir = o['no-cache'] ? undefined : resolve(String(o.cache ?? defaultCacheDir()));
    let evaluation;
    try {
      evaluation = await evaluateRun({
        tf: backend.tf,
        runDir,
        datasets: specs,
        which,
        threshold: o.threshold as number | undefined,
        seed: o.seed as number | undefined,
        cacheDir,
        limit: o.limit as number | undefined,
        writeImages: !o['no-images'],
        existing,
        signal: io.signal,
        onWarning: io.warn,
        onDataset: (d) => io.info(`evaluating ${d.name} (${d.images} images) at ${d.size}x${d.size}, threshold ${d.threshold} -> eval/${d.slug}`),
        onProgress: (slug, done, total) => {
          if (io.isTTY && !io.json) process.stderr.write(`\r${slug}: ${done}/${total}${done === total ? '\n' : ''}`);
        },
      });
    } catch (err) {
      if (err instanceof EvaluationExistsError) throw new UsageError(`${err.message} (--overwrite, or --keep-both)`);
      throw err;
    }
    const c = evaluation.checkpoint;
    io.info(`checkpoint: ${c.which}${c.epoch !== undefined ? ` (epoch ${c.epoch})` : ''}, weights sha256 ${c.weightsSha256.slice(0, 16)}...`);
    const summaries: Record<string, EvaluationSummary> = {};
    for (const e of evaluation.evaluations) {
      summaries[e.slug] = e.summary;
      io.info(summaryLine(e.summary));
      io.info(`  -> ${e.outDir}`);
    }
    if (evaluation.cancelled) return EXIT.cancelled;
    io.result({ runDir, checkpoint: evaluation.checkpoint, threshold: evaluation.threshold, summaries });
    return EXIT.ok;
  },
};
