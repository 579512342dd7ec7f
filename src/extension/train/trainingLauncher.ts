/**
 * Starts a training run from a partial config (the wizard, the API, Resume): refuses in
 * Restricted Mode and while another run goes, fills the config from settings, checks dataset
 * paths and plugins before the engine starts, and announces the end (Open Mask Gallery /
 * Compare Runs, Resume, or the error with Show Log).
 */
import { mkdir } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { PluginReference, RunRecord, TrainConfig } from '../../engine/types';
import { checkDatasetSpec } from '../config/settingPaths';
import { openSetting, readAccelerator, readNativeModulesPath, readTrainSettings, workspaceFolderPaths } from '../config/settings';
import { showError, type Log } from '../outputLog';
import type { ProviderCatalog } from '../providers/providerCatalog';
import type { RunsRepository } from '../runs/runsRepository';
import type { RunListing } from '../runs/runSummaries';
import { assertTrusted, checkTrusted } from '../workspaceTrust';
import { completeTrainConfig, validateTrainConfig } from './trainConfigDefaults';
import { ResumePluginsError, resumeConfigFrom } from './resumeConfig';
import { StartedTraining, TrainingBusyError, TrainingService, TrainingTerminatedError } from './trainingService';
import { providerIdsOf } from './trainWizardModel';

/** A problem found before the engine started, with the setting that fixes it (if one does). */
export class TrainingSetupError extends Error {
  override name = 'TrainingSetupError';
  constructor(
    message: string,
    readonly setting?: string,
  ) {
    super(message);
  }
}

export interface LaunchOptions {
  /** Show messages (command palette, tree) rather than only throwing (API). */
  interactive: boolean;
  runId?: string;
  resume?: boolean;
}

export interface TrainingLauncherDeps {
  service: TrainingService;
  /** Where decoded, resized dataset arrays are cached between runs (the extension's global storage). */
  datasetCacheDir: string;
  catalog: ProviderCatalog;
  repository: RunsRepository;
  log: Log;
}

function samePlugin(a: PluginReference, b: PluginReference): boolean {
  const ida = (a as { id?: string }).id;
  const idb = (b as { id?: string }).id;
  return a.modulePath === b.modulePath && ida === idb;
}

export class TrainingLauncher {
  constructor(private readonly deps: TrainingLauncherDeps) {}

  /**
   * The full, checked TrainConfig for `partial`: settings fill the gaps, dataset paths become
   * absolute, and the plugins the method/losses/features need are added. Throws TrainingSetupError.
   */
  prepareConfig(partial: Partial<TrainConfig>): TrainConfig {
    const native = readNativeModulesPath();
    if (native.problem && partial.nativeModulesPath === undefined) throw new TrainingSetupError(native.problem.message, native.problem.setting);
    const accelerator = readAccelerator();
    if (accelerator.problem && partial.accelerator === undefined) throw new TrainingSetupError(accelerator.problem.message, accelerator.problem.setting);
    const config = completeTrainConfig(partial, readTrainSettings());
    config.cacheDir ??= this.deps.datasetCacheDir;
    const folders = workspaceFolderPaths();
    const train = checkDatasetSpec(config.train, folders);
    if (!train.ok) throw new TrainingSetupError(`Training dataset: ${train.reason}`, 'busLab.datasets');
    config.train = train.spec;
    config.external = config.external.map((spec) => {
      const checked = checkDatasetSpec(spec, folders);
      if (!checked.ok) throw new TrainingSetupError(`External dataset: ${checked.reason}`, 'busLab.datasets');
      return checked.spec;
    });
    const pluginIds = providerIdsOf(config).filter((id) => this.deps.catalog.get(id)?.origin !== 'builtin');
    const unknown = pluginIds.filter((id) => !this.deps.catalog.get(id));
    if (unknown.length > 0) {
      throw new TrainingSetupError(`Unknown method or provider: ${unknown.join(', ')}. Is the plugin extension installed and enabled? (See the Providers view.)`);
    }
    const refs = this.deps.catalog.pluginReferences(pluginIds);
    config.plugins = [...config.plugins, ...refs.filter((r) => !config.plugins.some((p) => samePlugin(p, r)))];
    const problems = validateTrainConfig(config);
    if (problems.length > 0) throw new TrainingSetupError(`Invalid training settings: ${problems.join(' ')}`, 'busLab.train');
    return config;
  }

  /** Starts training; undefined (interactive) or throws (API) when it cannot start. */
  async launch(partial: Partial<TrainConfig>, options: LaunchOptions): Promise<StartedTraining | undefined> {
    const { service, log } = this.deps;
    const action = options.resume ? 'Resuming a training run' : 'Training';
    if (options.interactive) {
      if (!checkTrusted(action)) return undefined;
    } else assertTrusted(action);

    if (service.isRunning) {
      const error = new TrainingBusyError(service.current?.runId);
      if (!options.interactive) throw error;
      void vscode.window.showWarningMessage(error.message, 'Open Training Dashboard', 'Stop Training').then((picked) => {
        if (picked === 'Open Training Dashboard') void vscode.commands.executeCommand('busLab.openTrainingDashboard');
        if (picked === 'Stop Training') void vscode.commands.executeCommand('busLab.stopTraining');
      });
      return undefined;
    }

    let config: TrainConfig;
    try {
      config = this.prepareConfig(partial);
    } catch (error) {
      if (!options.interactive) throw error;
      const setting = error instanceof TrainingSetupError ? error.setting : undefined;
      const picked = await showError(log, (error as Error).message, ...(setting ? ['Open Settings'] : []));
      if (picked === 'Open Settings' && setting) void openSetting(setting);
      return undefined;
    }

    const runsDir = this.deps.repository.directory;
    try {
      await mkdir(runsDir, { recursive: true });
    } catch (error) {
      const message = `Cannot create the runs folder ${runsDir}: ${(error as Error).message}`;
      if (!options.interactive) throw new TrainingSetupError(message, 'busLab.runsDirectory');
      void showError(log, message);
      return undefined;
    }

    log.info(`${options.resume ? 'Resuming' : 'Starting'} training: ${JSON.stringify({ ...config, plugins: config.plugins.map((p) => p.modulePath) })}`);
    let started: StartedTraining;
    try {
      started = await service.start({ config, runsDir, ...(options.runId ? { runId: options.runId } : {}), ...(options.resume ? { resume: true } : {}) });
    } catch (error) {
      if (!options.interactive) throw error;
      void showError(log, `Training could not start: ${(error as Error).message}`);
      return undefined;
    }
    this.deps.repository.scheduleRefresh(0);
    void started.finished.then(
      (record) => this.announceEnd(record),
      (error: Error) => {
        this.deps.repository.scheduleRefresh(0);
        if (error instanceof TrainingTerminatedError) {
          log.warn(error.message);
          void vscode.window.showWarningMessage(error.message, 'Resume').then((picked) => {
            if (picked === 'Resume') void vscode.commands.executeCommand('busLab.resumeRun', started.runId);
          });
          return;
        }
        void showError(log, `Training ${started.runId} failed: ${error.message}`);
      },
    );
    return started;
  }

  /**
   * Continues a cancelled, failed or interrupted run from its checkpoint. Plugin, accelerator and
   * native-module paths come from the settings, never from run.json (resumeConfig.ts).
   */
  async resume(run: RunListing, record: RunRecord): Promise<StartedTraining | undefined> {
    let config: Partial<TrainConfig>;
    try {
      config = resumeConfigFrom(record, (id) => this.deps.catalog.get(id) !== undefined);
    } catch (error) {
      if (!(error instanceof ResumePluginsError)) throw error;
      const picked = await showError(this.deps.log, error.message, 'Open Settings');
      if (picked === 'Open Settings') void openSetting(error.setting);
      return undefined;
    }
    return this.launch(config, { interactive: true, runId: run.id, resume: true });
  }

  private announceEnd(record: RunRecord): void {
    this.deps.repository.scheduleRefresh(0);
    if (record.status === 'cancelled') {
      void vscode.window
        .showInformationMessage(`Training ${record.id} was cancelled after ${record.epochsCompleted} epochs; a checkpoint was saved.`, 'Resume')
        .then((picked) => {
          if (picked === 'Resume') void vscode.commands.executeCommand('busLab.resumeRun', record.id);
        });
      return;
    }
    const dice = record.bestValDice !== undefined ? ` — best validation Dice ${record.bestValDice.toFixed(3)}` : '';
    void vscode.window.showInformationMessage(`Training ${record.id} finished${dice}.`, 'Open Mask Gallery', 'Compare Runs').then((picked) => {
      if (picked === 'Open Mask Gallery') void vscode.commands.executeCommand('busLab.openMaskGallery', record.id);
      if (picked === 'Compare Runs') void vscode.commands.executeCommand('busLab.compareRuns');
    });
  }
}
