/**
 * The extension's door to the engine for one-off requests (evaluate, check a dataset, compare
 * runs, list providers, predict, export ONNX) and the factory for training jobs. Each request runs in its own worker;
 * `stopAll` ends them on deactivation. No `vscode` import.
 */
import type { PluginReference, TrainEvent } from '../../engine/types';
import type { CompareRequest, DatasetCheckResult, EngineWorkerData, HostToWorkerMessage, ProviderInfo, TrainRequest } from '../../engine/train/workerProtocol';
import type { Comparison } from '../../engine/experiments/comparisonTypes';
import type { ExistingEvaluation } from '../../engine/eval/evaluationTypes';
import type { OnnxExportResult } from '../../engine/export/exportOnnx';
import type { PredictionSummary } from '../../engine/predict/predictionTypes';
import { EngineError, EngineJob } from './engineJob';

export interface EngineClientOptions {
  workerPath: string;
  /** Read at each request, so setting changes apply to the next one. */
  workerData(): EngineWorkerData;
  log(line: string): void;
}

type Request = Exclude<HostToWorkerMessage, { type: 'cancel' }>;

export interface RunningRequest<T> {
  result: Promise<T>;
  cancel(): void;
}

export class EngineClient {
  private readonly jobs = new Set<EngineJob>();

  constructor(private readonly options: EngineClientOptions) {}

  /** Starts a worker for `request`; the job leaves the set when it settles. */
  startJob(request: Request, onEvent?: (event: TrainEvent) => void): EngineJob {
    const job = new EngineJob(request, {
      workerPath: this.options.workerPath,
      workerData: this.options.workerData(),
      onEvent,
      onLog: (line) => this.options.log(`[engine] ${line}`),
    });
    this.jobs.add(job);
    void job.done.then(
      () => this.jobs.delete(job),
      () => this.jobs.delete(job),
    );
    return job;
  }

  /** The factory TrainingService uses. */
  readonly createTrainJob = (request: TrainRequest, onEvent: (event: TrainEvent) => void): EngineJob => this.startJob(request, onEvent);

  private run<T>(request: Request, onEvent?: (event: TrainEvent) => void): RunningRequest<T> {
    const job = this.startJob(request, onEvent);
    return {
      result: job.done.then((outcome) => outcome.value as T),
      cancel: () => job.cancel(),
    };
  }

  /** `existing`: what to do with a dataset evaluated before (default: refuse, an EngineError with code `evaluationExists`). */
  evaluate(runDir: string, datasets: string[], onEvent?: (event: TrainEvent) => void, cacheDir?: string, existing?: ExistingEvaluation): RunningRequest<unknown> {
    return this.run({ type: 'evaluate', runDir, datasets, ...(cacheDir ? { cacheDir } : {}), ...(existing ? { existing } : {}) }, onEvent);
  }

  checkDataset(spec: string, onEvent?: (event: TrainEvent) => void): RunningRequest<DatasetCheckResult> {
    return this.run<DatasetCheckResult>({ type: 'checkDataset', spec }, onEvent);
  }

  /** The engine's compareRuns on these run folders (comparison.json contents). */
  compare(runDirs: string[], options: Omit<CompareRequest, 'type' | 'runDirs'> = {}): RunningRequest<Comparison> {
    const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    return this.run<Comparison>({ type: 'compare', runDirs, ...defined });
  }

  predict(runDir: string, input: string, outDir: string, onEvent?: (event: TrainEvent) => void): RunningRequest<PredictionSummary> {
    return this.run<PredictionSummary>({ type: 'predict', runDir, input, outDir }, onEvent);
  }

  exportOnnx(runDir: string, outFile: string): RunningRequest<OnnxExportResult> {
    return this.run<OnnxExportResult>({ type: 'exportOnnx', runDir, outFile });
  }

  async listProviders(plugins: PluginReference[]): Promise<{ losses: ProviderInfo[]; features: ProviderInfo[] }> {
    const outcome = await this.startJob({ type: 'listProviders', plugins }).done;
    if (outcome.type !== 'providers') throw new EngineError('The engine answered listProviders without a provider list.');
    return outcome.value;
  }

  get activeCount(): number {
    return this.jobs.size;
  }

  /** Cancels every request, waits up to `timeoutMs`, then terminates what is left. */
  async stopAll(timeoutMs: number): Promise<void> {
    await Promise.all([...this.jobs].map((job) => job.stop(timeoutMs)));
  }
}
