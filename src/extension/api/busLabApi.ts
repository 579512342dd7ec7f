/**
 * The API `activate()` returns to other extensions (shipped as api/bus-lab-api.d.ts, which this
 * file implements; the type checks below fail compilation if its config drifts from the engine's). One API object is shared by all callers; the
 * provider id's namespace names the registering extension (see ProviderCatalog).
 */
import * as vscode from 'vscode';
import type { BusLabApi, BusLabRunSummary, BusLabTrainConfig } from '../../../api/bus-lab-api';
import type { TrainConfig } from '../../engine/types';
import type { ProviderCatalog } from '../providers/providerCatalog';
import type { RunsRepository } from '../runs/runsRepository';
import type { RunListing } from '../runs/runSummaries';
import type { TrainingLauncher } from '../train/trainingLauncher';

// The public config and the engine's must describe the same fields, in both directions.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const configsMatch: Same<Required<BusLabTrainConfig>, Required<TrainConfig>> = true;
void configsMatch;

export interface BusLabApiDeps {
  catalog: ProviderCatalog;
  repository: RunsRepository;
  launcher: TrainingLauncher;
}

/** The public summary (drops the Runs view's extra fields). */
export function toRunSummary(run: RunListing): BusLabRunSummary {
  return {
    id: run.id,
    dir: run.dir,
    name: run.name,
    method: run.method,
    status: run.status,
    createdAt: run.createdAt,
    ...(run.bestValDice !== undefined ? { bestValDice: run.bestValDice } : {}),
    epochsCompleted: run.epochsCompleted,
    epochs: run.epochs,
    external: run.external.map((e) => ({ dataset: e.dataset, slug: e.slug, ...(e.dice ? { dice: e.dice } : {}), ...(e.auc !== undefined ? { auc: e.auc } : {}) })),
  };
}

export function createBusLabApi(deps: BusLabApiDeps): BusLabApi & vscode.Disposable {
  const { catalog, repository, launcher } = deps;
  const providersChanged = new vscode.EventEmitter<void>();
  const runsChanged = new vscode.EventEmitter<void>();
  const subscriptions = [catalog.onDidChange(() => providersChanged.fire()), repository.onDidChange(() => runsChanged.fire())];
  const register = (kind: 'loss' | 'feature', provider: unknown) => {
    const registration = catalog.register(kind, provider);
    return new vscode.Disposable(() => registration.dispose());
  };
  return {
    apiVersion: 1,
    registerLossProvider: (provider) => register('loss', provider),
    registerFeatureProvider: (provider) => register('feature', provider),
    onDidChangeProviders: providersChanged.event,
    getRuns: async () => (await repository.refresh()).map(toRunSummary),
    onDidChangeRuns: runsChanged.event,
    async train(config) {
      const started = await launcher.launch((config ?? {}) satisfies Partial<TrainConfig>, { interactive: false });
      if (!started) throw new Error('Training did not start.');
      const finished = started.finished.then(async () => toRunSummary(await repository.readRun(started.runDir)));
      finished.catch(() => undefined);
      return { runId: started.runId, finished };
    },
    dispose() {
      for (const s of subscriptions) s.dispose();
      providersChanged.dispose();
      runsChanged.dispose();
    },
  };
}
