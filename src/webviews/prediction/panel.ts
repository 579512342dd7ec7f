/**
 * Segmentation result view (*BUS: Segment Image...*): one image, or a folder as a gallery, with
 * the predicted contour, a heat-map toggle, p_malignant, phi and the BI-RADS features. The
 * pictures were written by the engine worker into `<run>/predictions/<source>/` (inside the runs
 * folder, a localResourceRoot); the webview loads them from there. Not restored after a window
 * reload: the command is cheap to run again.
 */
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { PredictionSummary } from '../../engine/predict/predictionTypes';
import { parsePredictionMessage, type HostToPrediction, type PredictionToHost } from '../protocol';
import { PanelController, type PanelEnv } from '../host/panelBase';

export const PREDICTION_VIEW_TYPE = 'busLab.prediction';

export interface PredictionPanelInput {
  summary: PredictionSummary;
  runName: string;
  /** The image's or folder's name, for the title. */
  source: string;
}

export class PredictionPanel extends PanelController<PredictionToHost, HostToPrediction> {
  constructor(
    panel: vscode.WebviewPanel,
    env: PanelEnv,
    private readonly input: PredictionPanelInput,
  ) {
    super(panel, env, 'prediction', parsePredictionMessage);
    panel.title = `Segmentation: ${input.source}`;
  }

  protected async handle(msg: PredictionToHost): Promise<void> {
    if (msg.type !== 'saveOutput') return;
    const row = this.input.summary.rows.find((r) => r.name === msg.name);
    if (!row) {
      this.log(`saveOutput: no prediction named "${msg.name}"`);
      return;
    }
    const source = join(this.input.summary.outDir, msg.kind === 'mask' ? 'masks' : 'overlays', `${row.name}.png`);
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(this.input.summary.outDir);
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(folder, `${row.name}_${msg.kind}.png`),
      filters: { 'PNG image': ['png'] },
      saveLabel: 'Save',
      title: `Save the predicted ${msg.kind} of ${row.file}`,
    });
    if (!target) return;
    await copyFile(source, target.fsPath);
    this.log(`saved ${target.fsPath}`);
    this.post({ type: 'saved', fileName: target.fsPath.split(/[\\/]/).pop() ?? target.fsPath });
  }

  protected async sendSnapshot(): Promise<void> {
    const { summary, runName, source } = this.input;
    this.post({
      type: 'snapshot',
      view: {
        runId: summary.runId,
        runName,
        method: summary.method,
        source,
        baseUri: this.panel.webview.asWebviewUri(vscode.Uri.file(summary.outDir)).toString().replace(/\/$/, ''),
        rows: summary.rows,
        featureIds: summary.featureIds,
        skipped: summary.skipped,
      },
    });
  }
}
