/**
 * BUS Lab extension entry: wires the parts together and returns the API. Every registration is
 * pushed to context.subscriptions; `deactivate` stops a running training cleanly (cancel, bounded
 * wait, terminate), which leaves a resumable run.
 */
import * as vscode from 'vscode';
import type { BusLabApi } from '../../api/bus-lab-api';
import { resolveRunsDirectory, readAccelerator, readBackend, readMaxImagePixels, readNativeModulesPath, readSetting } from './config/settings';
import { registerDatasetCommands } from './commands/datasetCommands';
import { registerPanelCommands } from './commands/panelCommands';
import { registerPredictionCommands } from './commands/predictionCommands';
import { registerRunCommands } from './commands/runCommands';
import { registerTrainCommands } from './commands/trainCommands';
import { createBusLabApi } from './api/busLabApi';
import { EngineClient } from './workerClient/engineClient';
import { createOutputLog } from './outputLog';
import { registerPanels } from '../webviews/host/registerPanels';
import { discoverProviders, isInstalledExtension, moduleExists } from './providers/providerDiscovery';
import { ProviderCatalog } from './providers/providerCatalog';
import { createProvidersView } from './providers/providersTreeProvider';
import { RunsRepository } from './runs/runsRepository';
import { createRunsView } from './runs/runsTreeProvider';
import { watchRunsDirectory } from './runs/runsWatcher';
import { TrainingLauncher } from './train/trainingLauncher';
import { showTrainingProgress } from './train/trainingProgressUi';
import { TrainingService } from './train/trainingService';

/** How long deactivation waits for the trainer to save its checkpoint before terminating it. */
const STOP_TIMEOUT_MS = 4000;

let engine: EngineClient | undefined;
let service: TrainingService | undefined;

export function activate(context: vscode.ExtensionContext): BusLabApi {
  const log = createOutputLog(context);

  const runsDirectory = () => {
    const { path, problem } = resolveRunsDirectory(context.globalStorageUri);
    if (problem) log.warn(`${problem.setting}: ${problem.message}`);
    return path;
  };
  const repository = new RunsRepository(runsDirectory());
  context.subscriptions.push(repository, watchRunsDirectory(repository), createRunsView(repository));

  engine = new EngineClient({
    workerPath: vscode.Uri.joinPath(context.extensionUri, 'dist', 'engine-worker.js').fsPath,
    workerData: () => {
      const native = readNativeModulesPath();
      const accelerator = readAccelerator();
      const maxImagePixels = readMaxImagePixels();
      return {
        backend: readBackend(),
        ...(native.path ? { nativeModulesPath: native.path } : {}),
        ...(accelerator.value ? { accelerator: accelerator.value } : {}),
        ...(maxImagePixels !== undefined ? { maxImagePixels } : {}),
      };
    },
    log: (line) => log.info(line),
  });
  service = new TrainingService(engine.createTrainJob);
  context.subscriptions.push(service, showTrainingProgress(service, log));

  const catalog = new ProviderCatalog({ isKnownExtension: isInstalledExtension, moduleExists });
  context.subscriptions.push(catalog, discoverProviders(catalog, log), createProvidersView(catalog));

  // Decoded datasets are cached once per machine, so a second run never decodes PNGs again.
  const datasetCacheDir = vscode.Uri.joinPath(context.globalStorageUri, 'dataset-cache').fsPath;
  const launcher = new TrainingLauncher({ service, catalog, repository, log, datasetCacheDir });
  const trainingService = service;
  const engineClient = engine;
  const panels = registerPanels(context, {
    runsDirectory: () => repository.directory,
    onTrainEvent: (listener, thisArgs, disposables) => {
      const subscription = trainingService.onTrainEvent(listener, thisArgs);
      const disposable = new vscode.Disposable(() => subscription.dispose());
      disposables?.push(disposable);
      return disposable;
    },
    log: (line) => log.info(line),
    compareRuns: (runDirs, options) => engineClient.compare(runDirs, options).result,
  });

  registerTrainCommands(context, { launcher, service, catalog, repository, log });
  registerRunCommands(context, { repository, engine, service, log, datasetCacheDir });
  registerPanelCommands(context, { panels, repository, service });
  registerDatasetCommands(context, { engine, log });
  registerPredictionCommands(context, { repository, engine, panels, log });
  context.subscriptions.push(
    vscode.commands.registerCommand('busLab.showLog', () => log.show()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('busLab.runsDirectory')) repository.setDirectory(runsDirectory());
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => repository.setDirectory(runsDirectory())),
    vscode.workspace.onDidGrantWorkspaceTrust(() => repository.setDirectory(runsDirectory())),
  );
  void vscode.commands.executeCommand('setContext', 'busLab.trainingRunning', false);
  void repository.refresh().then(() => {
    for (const p of repository.problems) log.warn(p);
  });
  log.info(`BUS Lab activated; runs folder ${repository.directory}; backend ${readSetting<string>('engine.backend') ?? 'auto'}`);

  const api = createBusLabApi({ catalog, repository, launcher });
  context.subscriptions.push(api);
  return api;
}

export async function deactivate(): Promise<void> {
  await Promise.all([service?.stop(STOP_TIMEOUT_MS), engine?.stopAll(STOP_TIMEOUT_MS)]);
  service = undefined;
  engine = undefined;
}
