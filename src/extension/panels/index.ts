/**
 * The three webview panels (Training Dashboard, Mask Gallery, Ablation Comparison).
 * The rest of the extension talks to them only through `registerPanels`.
 */
import * as vscode from 'vscode';
import type { TrainEvent } from '../../engine/types';

export interface PanelDeps {
  /** Absolute path of the runs folder (each run is `<runs>/<runId>/`). */
  runsDirectory(): string;
  /** Live training events from the training service. */
  onTrainEvent: vscode.Event<TrainEvent>;
  /** Writes a line to the extension's output channel. */
  log(line: string): void;
  /** Computes the comparison (comparison.json contents) of the given run folders. */
  compareRuns(runDirs: string[]): Promise<unknown>;
}

export interface PanelCommands {
  openTrainingDashboard(runId?: string): void;
  openMaskGallery(runId: string, dataset?: string): void;
  openAblationComparison(runIds: string[]): void;
}

export const VIEW_TYPES = {
  dashboard: 'busLab.dashboard',
  gallery: 'busLab.gallery',
  comparison: 'busLab.comparison',
} as const;

export function registerPanels(context: vscode.ExtensionContext, deps: PanelDeps): PanelCommands {
  // Placeholder until the panel controllers land: keeps the interface stable for callers.
  void context;
  return {
    openTrainingDashboard: (runId) => deps.log(`[panels] dashboard ${runId ?? ''} (not yet implemented)`),
    openMaskGallery: (runId, dataset) => deps.log(`[panels] gallery ${runId} ${dataset ?? ''} (not yet implemented)`),
    openAblationComparison: (runIds) => deps.log(`[panels] comparison ${runIds.join(',')} (not yet implemented)`),
  };
}
