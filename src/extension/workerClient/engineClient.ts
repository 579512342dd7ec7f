/**
 * The extension's door to the engine for one-off requests (evaluate, check a dataset, compare
 * runs, list providers, predict, export ONNX) and the factory for training jobs. Each request runs in its own worker;
 * `stopAll` ends them on deactivation. No `vscode` import.
 */
import type { PluginReference, TrainEvent } from '../../engine/types';
import type { ExistingEvaluation } from '../../engine/eval/evaluationTypes';
import type { CompareRequest, EngineWorkerData, HostToWorkerMessage, ProviderInfo, ResultRequest, TrainRequest, WorkerResults } from '../../engine/worker/protocol';
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

  /** Runs a request and answers with its typed result (a result for another request is a protocol error). */
  private run<K extends ResultRequest>(request: Request & { type: K }, onEvent?: (event: TrainEvent) => void): RunningRequest<WorkerResults[K]> {
    const job = this.startJob(request, onEvent);
    const asked: Request['type'] = request.type;
    return {
      result: job.done.then((outcome) => {
        if (outcome.type !== 'result' || outcome.request !== asked) throw new EngineError(`The engine answered ${asked} with ${outcome.type === 'result' ? `a ${outcome.request} result` : outcome.type}.`, 'invalidRequest');
        return outcome.value as WorkerResults[K];
      }),
      cancel: () => job.cancel(),
    };
  }

  /** `existing`: what to do with a dataset evaluated before (default: refuse, an EngineError with code `evaluationExists`). */
  evaluate(runDir: string, datasets: string[], onEvent?: (event: TrainEvent) => void, cacheDir?: string, existing?: ExistingEvaluation): RunningRequest<WorkerResults['evaluate']> {
    return this.run({ type: 'evaluate', runDir, datasets, ...(cacheDir ? { cacheDir } : {}), ...(existing ? { existing } : {}) }, onEvent);
  }

  checkDataset(spec: string, onEvent?: (event: TrainEvent) => void): RunningRequest<WorkerResults['checkDataset']> {
    return this.run({ type: 'checkDataset', spec }, onEvent);
  }

  /** The engine's compareRuns on these run folders (comparison.json contents). */
  compare(runDirs: string[], options: Omit<CompareRequest, 'type' | 'runDirs'> = {}): RunningRequest<WorkerResults['compare']> {
    const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    return this.run({ type: 'compare', runDirs, ...defined });
  }

  predict(runDir: string, input: string, outDir: string, onEvent?: (event: TrainEvent) => void): RunningRequest<WorkerResults['predict']> {
    return this.run({ type: 'predict', runDir, input, outDir }, onEvent);
  }

  exportOnnx(runDir: string, outFile: string): RunningRequest<WorkerResults['exportOnnx']> {
    return this.run({ type: 'exportOnnx', runDir, outFile });
  }

  async listProviders(plugins: PluginReference[]): Promise<{ losses: ProviderInfo[]; features: ProviderInfo[] }> {
    const outcome = await this.startJob({ type: 'listProviders', plugins }).done;
    if (outcome.type !== 'providers') throw new EngineError('The engine answered listProviders without a provider list.', 'invalidRequest');
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
