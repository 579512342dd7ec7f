/**
 * The ablation runner: trains every grid entry (variant x seed) one run at a time, each evaluated
 * on every external dataset by the trainer, then compares the runs (comparison.json / .md).
 *
 * Resumable: run ids are deterministic, so a second invocation skips finished runs, resumes a
 * half-done run from its last checkpoint, and starts the rest. `<out>/ablation.json` records the
 * state of the grid after every change.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { readRunRecord } from '../runs/runFolder';
import { writeFileAtomic } from '../runs/atomicWrite';
import type { TrainOptions } from '../train/trainer';
import type { RunRecord, RunStatus, TrainConfig, TrainEvent } from '../types';
import type { Ablation, AblationEntry } from './ablationConfig';
import { compareRuns, writeComparison } from './compare';
import type { Comparison } from './comparisonTypes';

export type TrainFunction = (config: Partial<TrainConfig>, options: TrainOptions) => Promise<RunRecord>;

export type AblationAction = 'skip' | 'resume' | 'start';

export interface AblationOptions {
  /** Folder of the runs (`<out>/<runId>/`), ablation.json and the comparison. */
  outDir: string;
  /** The training function (default: the engine's runTraining); tests inject a fake. */
  train?: TrainFunction;
  signal?: AbortSignal;
  onEvent?: (event: TrainEvent) => void;
  /**
   * Run only this part of the grid: entries whose position modulo `count` is `index - 1`
   * (1-based, as SLURM array and Kubernetes indexed jobs number them). Shards never share a run,
   * so N processes finish the grid together; each writes its own state file and none writes the
   * comparison: a plain (unsharded) run afterwards trains nothing new and compares.
   */
  shard?: { index: number; count: number };
  /** Called before each grid entry with what will happen to it. */
  onRun?: (info: { entry: AblationEntry; index: number; total: number; action: AblationAction }) => void;
}

export interface AblationRunState {
  runId: string;
  variant: string;
  seed: number;
  status: RunStatus | 'pending';
  error?: string;
}

export interface AblationResult {
  outDir: string;
  /** True when stopped through the signal; the next invocation continues. */
  cancelled: boolean;
  runs: AblationRunState[];
  comparison?: Comparison;
  files?: { json: string; markdown: string };
}

const IGNORED_WHEN_RESUMING: readonly string[] = ['cacheDir', 'backend', 'nativeModulesPath', 'accelerator'];

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Refuses to resume or skip a run whose stored configuration is not this grid entry's. */
function checkSameConfig(entry: AblationEntry, record: RunRecord, runDir: string): void {
  for (const [key, value] of Object.entries(entry.partial)) {
    if (IGNORED_WHEN_RESUMING.includes(key)) continue;
    const stored = (record.config as unknown as Record<string, unknown>)[key];
    if (!sameValue(stored, value)) {
      throw new Error(
        `${runDir}: existing run has ${key} = ${JSON.stringify(stored)} but the ablation config says ${JSON.stringify(value)}; ` +
          'delete that run folder or choose another --out',
      );
    }
  }
}

async function existingRun(runDir: string): Promise<RunRecord | undefined> {
  if (!existsSync(join(runDir, 'run.json'))) return undefined;
  return readRunRecord(runDir);
}

async function defaultTrain(): Promise<TrainFunction> {
  // Loaded on demand: the trainer pulls in TensorFlow.js, which the grid logic does not need.
  const { runTraining } = await import('../train/trainer');
  return runTraining;
}

export async function runAblation(ablation: Ablation, options: AblationOptions): Promise<AblationResult> {
  const { outDir } = options;
  const train = options.train ?? (await defaultTrain());
  const shard = options.shard;
  if (shard && !(Number.isInteger(shard.count) && shard.count >= 1 && Number.isInteger(shard.index) && shard.index >= 1 && shard.index <= shard.count)) {
    throw new Error(`shard: expected K/N with 1 <= K <= N, got ${shard.index}/${shard.count}`);
  }
  const mine = (position: number) => !shard || position % shard.count === shard.index - 1;
  const states: AblationRunState[] = ablation.entries.map((e) => ({ runId: e.runId, variant: e.variant, seed: e.seed, status: 'pending' }));
  const saveState = () =>
    writeFileAtomic(
      join(outDir, shard ? `ablation.shard-${shard.index}-of-${shard.count}.json` : 'ablation.json'),
      JSON.stringify({ formatVersion: 1, config: ablation.file, name: ablation.name, baseline: ablation.baseline, updatedAt: new Date().toISOString(), runs: states }, null, 1) + '\n',
    );

  // Existing runs are checked against the grid before anything trains.
  const records = new Map<string, RunRecord>();
  for (const [i, entry] of ablation.entries.entries()) {
    const runDir = join(outDir, entry.runId);
    const record = await existingRun(runDir);
    if (!record) continue;
    checkSameConfig(entry, record, runDir);
    records.set(entry.runId, record);
    states[i].status = record.status;
  }
  await saveState();

  let cancelled = false;
  for (const [index, entry] of ablation.entries.entries()) {
    if (options.signal?.aborted) {
      cancelled = true;
      break;
    }
    if (!mine(index)) continue;
    const runDir = join(outDir, entry.runId);
    const previous = records.get(entry.runId);
    const resumable = previous !== undefined && existsSync(join(runDir, 'checkpoint', 'model.json'));
    const action: AblationAction = previous?.status === 'finished' ? 'skip' : resumable ? 'resume' : 'start';
    options.onRun?.({ entry, index, total: ablation.entries.length, action });
    if (action === 'skip') continue;
    // A run folder without a checkpoint holds nothing worth keeping (killed before its first epoch).
    if (action === 'start' && previous) await rm(runDir, { recursive: true, force: true });
    states[index].status = 'running';
    await saveState();
    let record: RunRecord;
    try {
      record = await train(entry.config, { runsDir: outDir, runId: entry.runId, resume: action === 'resume', signal: options.signal, onEvent: options.onEvent });
    } catch (err) {
      states[index].status = 'failed';
      states[index].error = (err as Error).message;
      await saveState();
      throw new Error(`${entry.runId}: ${(err as Error).message}`);
    }
    states[index].status = record.status;
    if (record.error) states[index].error = record.error;
    await saveState();
    if (record.status === 'cancelled') {
      cancelled = true;
      break;
    }
  }

  const finished = states.filter((s) => s.status === 'finished').map((s) => join(outDir, s.runId));
  if (cancelled || shard || finished.length === 0) return { outDir, cancelled, runs: states };
  const baselineRun = states.find((s) => s.variant === ablation.baseline && s.status === 'finished');
  const comparison = await compareRuns(finished, { baseline: baselineRun ? ablation.baseline : undefined, seed: ablation.comparisonSeed });
  if (!baselineRun) comparison.notes.unshift(`baseline '${ablation.baseline}' has no finished run; differences are to ${comparison.baseline} instead`);
  const files = await writeComparison(outDir, comparison);
  return { outDir, cancelled, runs: states, comparison, files };
}
