/**
 * The ablation runner: trains every grid entry (variant x seed) one run at a time, each evaluated
 * on every external dataset by the trainer, then compares the runs (comparison.json / .md).
 *
 * Resumable: run ids are deterministic, so a second invocation skips finished runs, resumes a
 * half-done run from its last checkpoint (from epoch 1 if it had none), and starts the rest.
 * `<out>/ablation.json` records the state of the grid after every change.
 *
 * Concurrent: each run is trained holding its folder's lock (runs/runLock.ts), taken before the
 * run is looked at; a run another process holds is skipped, named with its holder. So shards, or
 * several plain invocations, on one shared folder never train a run twice.
 */
import { join } from 'node:path';
import { readRun, RunFolderError } from '../runs/runFolder';
import { writeFileAtomic } from '../runs/atomicWrite';
import { acquireRunLock, readRunLock, RunLock, RunLockedError, RunLockHolder } from '../runs/runLock';
import { runStatusOf } from '../runs/runStatus';
import type { TrainOptions } from '../train/trainer';
import type { RunRecord, RunStatus, TrainConfig, TrainEvent } from '../types';
import type { Ablation, AblationEntry } from './ablationConfig';
import { compareRuns, writeComparison } from './compare';
import type { Comparison } from './comparisonTypes';

export type TrainFunction = (config: Partial<TrainConfig>, options: TrainOptions) => Promise<RunRecord>;

/** 'held': another process has the run (its lock); this invocation leaves it alone. */
export type AblationAction = 'skip' | 'resume' | 'start' | 'held';

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
  onRun?: (info: { entry: AblationEntry; index: number; total: number; action: AblationAction; holder?: RunLockHolder }) => void;
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
  /** Runs another process was training; no comparison is written while there are any. */
  held: { runId: string; holder: RunLockHolder }[];
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

/** The run in `runDir`, undefined when there is none yet; throws on a broken run.json. */
async function existingRun(runDir: string): Promise<RunRecord | undefined> {
  const read = await readRun(runDir);
  if (read.kind === 'notARun') return undefined;
  if (read.kind === 'unreadable') throw new RunFolderError('unreadable', read.problem);
  return read.record;
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
    states[i].status = runStatusOf(runDir, record);
  }
  await saveState();

  let cancelled = false;
  const held: AblationResult['held'] = [];
  for (const [index, entry] of ablation.entries.entries()) {
    if (options.signal?.aborted) {
      cancelled = true;
      break;
    }
    if (!mine(index)) continue;
    const runDir = join(outDir, entry.runId);
    const info = { entry, index, total: ablation.entries.length };
    if (records.get(entry.runId)?.status === 'finished') {
      options.onRun?.({ ...info, action: 'skip' });
      continue;
    }
    let lock: RunLock;
    try {
      lock = acquireRunLock(runDir, 'ablate', { createFolder: true });
    } catch (err) {
      if (!(err instanceof RunLockedError)) throw err;
      options.onRun?.({ ...info, action: 'held', holder: err.holder });
      held.push({ runId: entry.runId, holder: err.holder });
      states[index].status = 'running';
      continue;
    }
    let record: RunRecord;
    try {
      // Looked at again under the lock: another process may have finished or started it meanwhile.
      const previous = await existingRun(runDir);
      if (previous) checkSameConfig(entry, previous, runDir);
      const action: AblationAction = previous?.status === 'finished' ? 'skip' : previous ? 'resume' : 'start';
      options.onRun?.({ ...info, action });
      if (action === 'skip') {
        states[index].status = 'finished';
        continue;
      }
      states[index].status = 'running';
      await saveState();
      const trainOptions: TrainOptions = { runsDir: outDir, runId: entry.runId, resume: action === 'resume', signal: options.signal, onEvent: options.onEvent, callerHoldsLock: true };
      record = await train(entry.config, trainOptions);
    } catch (err) {
      states[index].status = 'failed';
      states[index].error = (err as Error).message;
      await saveState();
      throw new Error(`${entry.runId}: ${(err as Error).message}`);
    } finally {
      lock.release();
    }
    states[index].status = record.status;
    if (record.error) states[index].error = record.error;
    await saveState();
    if (record.status === 'cancelled') {
      cancelled = true;
      break;
    }
  }

  // Runs other processes held may have finished meanwhile (the last of several invocations compares).
  for (const h of [...held]) {
    const runDir = join(outDir, h.runId);
    const record = await existingRun(runDir);
    if (record?.status !== 'finished' || readRunLock(runDir)?.live) continue;
    held.splice(held.indexOf(h), 1);
    states[ablation.entries.findIndex((e) => e.runId === h.runId)].status = 'finished';
  }
  await saveState();
  const finished = states.filter((s) => s.status === 'finished').map((s) => join(outDir, s.runId));
  if (cancelled || shard || held.length > 0 || finished.length === 0) return { outDir, cancelled, runs: states, held };
  const baselineRun = states.find((s) => s.variant === ablation.baseline && s.status === 'finished');
  const comparison = await compareRuns(finished, { baseline: baselineRun ? ablation.baseline : undefined, seed: ablation.comparisonSeed });
  if (!baselineRun) comparison.notes.unshift(`baseline '${ablation.baseline}' has no finished run; differences are to ${comparison.baseline} instead`);
  const files = await writeComparison(outDir, comparison);
  return { outDir, cancelled, runs: states, held, comparison, files };
}
