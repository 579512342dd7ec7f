import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { initBackend } from '../../engine/backend';
import { loadDataset } from '../../engine/data';
import { evaluateDataset } from '../../engine/eval/evaluate';
import type { EvaluationSummary } from '../../engine/eval/evaluationTypes';
import { loadPredictor } from '../../engine/model/predictor';
import { readRunRecord } from '../../engine/runs/runStore';
import type { BackendChoice } from '../../engine/types';
import { parseArgs } from '../args';
import { CliCommand, EXIT, UsageError } from '../command';
import { defaultCacheDir } from './train';

const USAGE = `Usage: bus-lab evaluate --run RUN_DIR --dataset SPEC [--dataset SPEC...] [options]

Evaluates a trained run on datasets and writes RUN_DIR/eval/<slug>/ (per_image.csv,
summary.json, gallery PNGs). Metrics are computed at each image's original resolution.

  --run DIR            the run folder (holds run.json and model/)
  --dataset SPEC       dataset to evaluate, e.g. busi:/data/BUSI (repeat or comma-separate)
  --which best|last    checkpoint to use (default best)
  --threshold X        classification threshold (default: the one chosen on the run's
                       internal validation, else 0.5)
  --seed N             seed of the bootstrap CIs (default: the run's seed)
  --limit N            at most N images per dataset
  --no-images          skip the gallery PNGs
  --backend NAME       auto | tensorflow-gpu | tensorflow | wasm | cpu (default: the run's)
  --cache DIR          decoded-image cache (default ~/.cache/bus-lab/datasets); --no-cache
  --json               print { runDir, summaries } as JSON on the last line
`;

/** The classification threshold the trainer stored with the checkpoint, if any. */
async function storedThreshold(runDir: string, which: 'best' | 'last'): Promise<number | undefined> {
  try {
    const manifest = JSON.parse(await readFile(join(runDir, which === 'best' ? 'model' : 'checkpoint', 'model.json'), 'utf8'));
    const t = Number(manifest?.state?.classificationThreshold);
    return Number.isFinite(t) ? t : undefined;
  } catch {
    return undefined;
  }
}

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
      seed: { type: 'number' },
      limit: { type: 'number' },
      'no-images': { type: 'boolean' },
      backend: { type: 'string' },
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
    const runDir = resolve(String(o.run));
    let record;
    try {
      record = await readRunRecord(runDir);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const backend = await initBackend((o.backend ?? record.config.backend ?? 'auto') as BackendChoice, { nativeModulesPath: record.config.nativeModulesPath, accelerator: record.config.accelerator });
    io.info(`backend: ${backend.name} (${backend.reason})`);
    const predictor = await loadPredictor(backend.tf, runDir, which);
    const threshold = (o.threshold as number | undefined) ?? (await storedThreshold(runDir, which)) ?? 0.5;
    const cacheDir = o['no-cache'] ? undefined : resolve(String(o.cache ?? defaultCacheDir()));
    const summaries: Record<string, EvaluationSummary> = {};
    try {
      for (const spec of specs) {
        if (io.signal.aborted) return EXIT.cancelled;
        const dataset = await loadDataset(spec, { size: predictor.size, cacheDir, limit: o.limit as number | undefined, includeNormal: true, onWarning: io.warn, signal: io.signal });
        io.info(`evaluating ${dataset.name} (${dataset.items.length} images) at ${predictor.size}x${predictor.size}, threshold ${threshold}`);
        const result = await evaluateDataset({
          tf: backend.tf,
          predictor,
          dataset,
          outDir: join(runDir, 'eval', dataset.slug),
          threshold,
          seed: (o.seed as number | undefined) ?? record.config.seed,
          signal: io.signal,
          writeImages: !o['no-images'],
          onProgress: (done, total) => {
            if (io.isTTY && !io.json) process.stderr.write(`\r${dataset.name}: ${done}/${total}`);
          },
        });
        if (io.isTTY && !io.json) process.stderr.write('\n');
        if (!result.complete || !result.summary) return EXIT.cancelled;
        summaries[dataset.slug] = result.summary;
        io.info(summaryLine(result.summary));
        io.info(`  -> ${result.outDir}`);
      }
    } finally {
      predictor.dispose();
    }
    io.result({ runDir, summaries });
    return EXIT.ok;
  },
};
