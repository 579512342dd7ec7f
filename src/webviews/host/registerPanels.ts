/**
 * The webview panels (Training Dashboard, Mask Gallery, Ablation Comparison, Segmentation).
 * The rest of the extension talks to them only through `registerPanels`; see docs/WEBVIEWS.md.
 */
import * as vscode from 'vscode';
import type { TrainEvent } from '../../engine/types';
import { isRunId, parseComparisonState, parseDashboardState, parseGalleryState, type Comparison, type ComparisonState, type DashboardState } from '../protocol';
import { COMPARISON_VIEW_TYPE, ComparisonPanel } from '../comparison/panel';
import { DASHBOARD_VIEW_TYPE, DashboardPanel } from '../dashboard/panel';
import { GALLERY_VIEW_TYPE, GalleryPanel } from '../gallery/panel';
import type { PanelEnv } from './panelBase';
import { PREDICTION_VIEW_TYPE, PredictionPanel, type PredictionPanelInput } from '../prediction/panel';

export interface PanelDeps {
  /** Absolute path of the runs folder (each run is `<runs>/<runId>/`). */
  runsDirectory(): string;
  /** Live training events from the training service. */
  onTrainEvent: vscode.Event<TrainEvent>;
  /** Writes a line to the extension's output channel. */
  log(line: string): void;
  /** The engine's compareRuns on the given run folders (comparison.json contents). */
  compareRuns(runDirs: string[], options?: { baseline?: string; seed?: number; resamples?: number }): Promise<Comparison>;
}

export interface PanelCommands {
  openTrainingDashboard(runId?: string): void;
  /** Opens a run's gallery, on a dataset's tab, with one image's detail open when `imageId` is given. */
  openMaskGallery(runId: string, dataset?: string, imageId?: string): void;
  /** Compares the runs against `baseline` (a run id; default: the first run). */
  openAblationComparison(runIds: string[], baseline?: string): void;
  /** Shows a finished prediction job (BUS: Segment Image...). */
  openPrediction(input: PredictionPanelInput): void;
}

const DEFAULT_DASHBOARD_STATE: DashboardState = { selected: [], follow: true, smoothing: 0.6 };

export function registerPanels(context: vscode.ExtensionContext, deps: PanelDeps): PanelCommands {
  const env: PanelEnv = { extensionUri: context.extensionUri, deps };
  let dashboard: DashboardPanel | undefined;
  let comparison: ComparisonPanel | undefined;
  const galleries = new Map<string, GalleryPanel>();
  /** Every live controller, for disposal on deactivation (restored ones included). */
  const live = new Set<{ dispose(): void; onDidDispose: vscode.Event<void> }>();
  const track = <T extends { dispose(): void; onDidDispose: vscode.Event<void> }>(p: T): T => {
    live.add(p);
    p.onDidDispose(() => live.delete(p));
    return p;
  };

  const column = () => vscode.window.activeTextEditor?.viewColumn ?? vscode.ViewColumn.One;
  const create = (viewType: string, title: string) =>
    vscode.window.createWebviewPanel(viewType, title, column(), { enableScripts: true, localResourceRoots: [] });

  const adoptDashboard = (panel: vscode.WebviewPanel, state: DashboardState) => {
    const p = track(new DashboardPanel(panel, env, state));
    dashboard = p;
    p.onDidDispose(() => {
      if (dashboard === p) dashboard = undefined;
    });
    return p;
  };
  const adoptGallery = (panel: vscode.WebviewPanel, runId: string, dataset?: string) => {
    const p = track(new GalleryPanel(panel, env, { runId, ...(dataset ? { dataset } : {}) }));
    galleries.set(runId, p);
    p.onDidDispose(() => {
      if (galleries.get(runId) === p) galleries.delete(runId);
    });
    return p;
  };
  const adoptComparison = (panel: vscode.WebviewPanel, state: ComparisonState) => {
    const p = track(new ComparisonPanel(panel, env, state, (runId, dataset, imageId) => commands.openMaskGallery(runId, dataset, imageId)));
    comparison = p;
    p.onDidDispose(() => {
      if (comparison === p) comparison = undefined;
    });
    return p;
  };

  // Restores panels after a window reload: the webview's own saved state says what it showed.
  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, {
      async deserializeWebviewPanel(panel, state: unknown) {
        adoptDashboard(panel, parseDashboardState(state) ?? DEFAULT_DASHBOARD_STATE);
      },
    }),
    vscode.window.registerWebviewPanelSerializer(GALLERY_VIEW_TYPE, {
      async deserializeWebviewPanel(panel, state: unknown) {
        const s = parseGalleryState(state);
        if (!s) {
          deps.log('[gallery] could not restore a mask gallery without a valid saved run id');
          panel.dispose();
          return;
        }
        adoptGallery(panel, s.runId, s.dataset);
      },
    }),
    vscode.window.registerWebviewPanelSerializer(COMPARISON_VIEW_TYPE, {
      async deserializeWebviewPanel(panel, state: unknown) {
        adoptComparison(panel, parseComparisonState(state) ?? {});
      },
    }),
    {
      dispose: () => {
        for (const p of [...live]) p.dispose();
      },
    },
  );

  const commands: PanelCommands = {
    openTrainingDashboard(runId?: string) {
      if (runId !== undefined && !isRunId(runId)) {
        deps.log(`[dashboard] ignored an invalid run id "${runId}"`);
        runId = undefined;
      }
      if (dashboard) {
        dashboard.showRun(runId);
        dashboard.reveal();
        return;
      }
      adoptDashboard(create(DASHBOARD_VIEW_TYPE, 'Training Dashboard'), { ...DEFAULT_DASHBOARD_STATE, selected: runId ? [runId] : [], follow: !runId });
    },
    openMaskGallery(runId: string, dataset?: string, imageId?: string) {
      if (!isRunId(runId)) {
        deps.log(`[gallery] ignored an invalid run id "${runId}"`);
        return;
      }
      const existing = galleries.get(runId);
      if (existing) {
        existing.showDataset(dataset);
        if (dataset && imageId) existing.showImage(dataset, imageId);
        existing.reveal();
        return;
      }
      const p = adoptGallery(create(GALLERY_VIEW_TYPE, `Masks: ${runId}`), runId, dataset);
      if (dataset && imageId) p.showImage(dataset, imageId);
    },
    openPrediction(input: PredictionPanelInput) {
      track(new PredictionPanel(create(PREDICTION_VIEW_TYPE, `Segmentation: ${input.source}`), env, input));
    },
    openAblationComparison(runIds: string[], baseline?: string) {
      const valid = runIds.filter((id) => {
        if (isRunId(id)) return true;
        deps.log(`[comparison] ignored an invalid run id "${id}"`);
        return false;
      });
      const base = baseline !== undefined && valid.includes(baseline) ? baseline : undefined;
      if (comparison) {
        comparison.reveal();
        if (valid.length) void comparison.compute(valid, base);
        return;
      }
      adoptComparison(create(COMPARISON_VIEW_TYPE, 'Ablation Comparison'), valid.length ? { runIds: valid, ...(base ? { baseline: base } : {}) } : {});
    },
  };
  return commands;
}
