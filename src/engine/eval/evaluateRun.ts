/**
 * Evaluating a run: the one path the trainer (after training), `bus-lab evaluate` and the engine
 * worker (VS Code's *Evaluate Run on Dataset...*) share. It loads the chosen checkpoint, applies
 * the classification threshold saved with it (chosen on validation) unless the caller gives one,
 * evaluates each dataset into `eval/<slug>/` and records provenance in summary.json: which
 * checkpoint (epoch, weights hash), which data (path, fingerprint) and when.
 *
 * Nothing named in run.json is loaded as code: the caller brings its `tf` (and so its backend,
 * native modules and accelerator, from its own settings or command line), and no plugin runs.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadDataset } from '../data/load';
import { datasetSlug, parseDatasetSpec } from '../data/spec';
import { BUILTIN_FEATURE_IDS } from '../features';
import type { CheckpointManifest } from '../model/checkpoint';
import { loadPredictor, type ModelDescription } from '../model/predictor';
import { phiModelFrom, type PhiModel } from '../predict/phi';
import { evaluationDir, hasEvaluation, keepBothSlug } from '../runs/evaluationFolder';
import { acquireRunLock } from '../runs/runLock';
import { readRunRecord } from '../runs/runFolder';
import { addEvaluated } from '../runs/runStore';
import type { TF } from '../tf';
import type { RunRecord } from '../types';
import { evaluateDataset } from './evaluate';
import type { EvaluatedCheckpoint, EvaluationSummary, ExistingEvaluation } from './evaluationTypes';

/** Thrown (before anything is evaluated) when `existing` is 'refuse' and some datasets were evaluated before. */
export class EvaluationExistsError extends Error {
  override name = 'EvaluationExistsError';
  constructor(
    readonly runDir: string,
    readonly slugs: string[],
  ) {
    super(`${runDir}: already evaluated on ${slugs.map((s) => `eval/${s}`).join(', ')}; choose to overwrite or to keep both`);
  }
}

export interface EvaluateRunOptions {
  tf: TF;
  runDir: string;
  /** Dataset specs; each writes `eval/<slug>/` (or `eval/<slug>@<time>/` when keeping both). */
  datasets: readonly string[];
  /** The checkpoint: best (model/, default) or last (checkpoint/). */
  which?: 'best' | 'last';
  /** Classification threshold; default the one saved with the checkpoint (validation), else 0.5. */
  threshold?: number;
  /** Seed of the bootstrap CIs (default the run's seed). */
  seed?: number;
  cacheDir?: string;
  /** At most this many images per dataset. */
  limit?: number;
  /** Keep lesion-free images (default true). */
  includeNormal?: boolean;
  writeImages?: boolean;
  resamples?: number;
  /** Default 'refuse'. */
  existing?: ExistingEvaluation;
  signal?: AbortSignal;
  onDataset?: (info: { slug: string; name: string; images: number; size: number; threshold: number }) => void;
  onProgress?: (slug: string, done: number, total: number) => void;
  onWarning?: (message: string) => void;
  /**
   * Records a finished evaluation in run.json's `evaluated`. Default: re-reads run.json and adds
   * the slug. The trainer passes its own (it holds the record it keeps writing).
   */
  recordEvaluated?: (slug: string) => Promise<void>;
  /**
   * The caller holds the run folder's lock (the trainer). Otherwise evaluateRun takes it for the
   * whole evaluation, so it never reads the checkpoint of a run that is still training
   * (RunLockedError naming the holder) and two evaluations never write the same folder.
   */
  callerHoldsLock?: boolean;
}

export interface RunEvaluation {
  runDir: string;
  checkpoint: EvaluatedCheckpoint;
  threshold: number;
  /** The finished evaluations, in the order of `datasets`. */
  evaluations: { slug: string; outDir: string; summary: EvaluationSummary }[];
  /** True when the signal stopped it: the dataset being evaluated is not recorded. */
  cancelled: boolean;
}

/** Slugs among `specs` that the run has a finished evaluation of (what 'refuse' refuses; a host asks the user about these). */
export function existingEvaluations(runDir: string, specs: readonly string[]): string[] {
  return [...new Set(specs.map((spec) => datasetSlug(parseDatasetSpec(spec))))].filter((slug) => hasEvaluation(runDir, slug));
}

async function sha256OfFiles(dir: string, files: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const f of files) hash.update(await readFile(join(dir, f)));
  return hash.digest('hex');
}

/** phi is reported for runs whose consistency loss learned it on built-in features only. */
function phiFeatures(record: RunRecord): string[] {
  const builtin = BUILTIN_FEATURE_IDS as readonly string[];
  const features = record.config.features ?? [];
  return record.config.method === 'birads' && features.every((id) => builtin.includes(id)) ? features : [];
}

export async function evaluateRun(opts: EvaluateRunOptions): Promise<RunEvaluation> {
  const lock = opts.callerHoldsLock ? undefined : acquireRunLock(opts.runDir, 'evaluate');
  try {
    return await evaluateLocked(opts);
  } finally {
    lock?.release();
  }
}

async function evaluateLocked(opts: EvaluateRunOptions): Promise<RunEvaluation> {
  const { tf, runDir } = opts;
  const which = opts.which ?? 'best';
  const existing = opts.existing ?? 'refuse';
  const record = await readRunRecord(runDir);
  const taken = existingEvaluations(runDir, opts.datasets);
  if (existing === 'refuse' && taken.length > 0) throw new EvaluationExistsError(runDir, taken);

  let manifest: CheckpointManifest<ModelDescription> | undefined;
  let phi: PhiModel | undefined;
  const features = phiFeatures(record);
  const predictor = await loadPredictor(tf, runDir, which, (m, tensors) => {
    manifest = m;
    phi = features.length > 0 ? phiModelFrom(m, tensors, features) : undefined;
  });
  try {
    const state = manifest!.state;
    const checkpointDir = join(runDir, which === 'best' ? 'model' : 'checkpoint');
    const epoch = Number(state.epoch);
    const checkpoint: EvaluatedCheckpoint = {
      which,
      ...(Number.isInteger(epoch) && epoch > 0 ? { epoch } : {}),
      weightsSha256: await sha256OfFiles(checkpointDir, manifest!.weightsManifest.flatMap((g) => g.paths)),
    };
    const saved = Number(state.classificationThreshold);
    const threshold = opts.threshold ?? (Number.isFinite(saved) ? saved : 0.5);
    const seed = opts.seed ?? record.config.seed;
    const record1 = opts.recordEvaluated ?? ((slug: string) => addEvaluated(runDir, slug));
    const evaluations: RunEvaluation['evaluations'] = [];
    for (const spec of opts.datasets) {
      if (opts.signal?.aborted) return { runDir, checkpoint, threshold, evaluations, cancelled: true };
      const dataset = await loadDataset(spec, { size: predictor.size, cacheDir: opts.cacheDir, limit: opts.limit, includeNormal: opts.includeNormal ?? true, onWarning: opts.onWarning, signal: opts.signal });
      const slug = existing === 'keepBoth' && hasEvaluation(runDir, dataset.slug) ? keepBothSlug(runDir, dataset.slug) : dataset.slug;
      opts.onDataset?.({ slug, name: dataset.name, images: dataset.items.length, size: predictor.size, threshold });
      const data = { path: dataset.path ?? dataset.spec, fingerprint: dataset.fingerprint ? await dataset.fingerprint() : '' };
      const result = await evaluateDataset({
        tf,
        predictor,
        dataset: { ...dataset, slug },
        outDir: evaluationDir(runDir, slug),
        threshold,
        seed,
        signal: opts.signal,
        writeImages: opts.writeImages,
        resamples: opts.resamples,
        cacheDir: opts.cacheDir,
        phi,
        provenance: { checkpoint, data },
        onProgress: (done, total) => opts.onProgress?.(slug, done, total),
      });
      // A cancelled evaluation wrote no summary: it is not one of the run's evaluations.
      if (!result.complete || !result.summary) return { runDir, checkpoint, threshold, evaluations, cancelled: true };
      await record1(slug);
      evaluations.push({ slug, outDir: result.outDir, summary: result.summary });
    }
    return { runDir, checkpoint, threshold, evaluations, cancelled: false };
  } finally {
    predictor.dispose();
  }
}
