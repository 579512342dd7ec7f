/**
 * Mask Gallery host controller: one panel per run. The snapshot lists the run's evaluated datasets
 * (per_image.csv rows) with a webview URI for each dataset's eval folder; the images themselves
 * are loaded by the webview from the runs folder (a localResourceRoot), never sent as base64.
 * A second run can be chosen to compare the same images side by side.
 */
import * as vscode from 'vscode';
import { parseGalleryMessage, type GalleryRunData, type GalleryState, type GalleryToHost, type HostToGallery } from '../protocol';
import { PanelController, type PanelEnv } from '../host/panelBase';
import { evalDirOf, evaluatedSlugs, listRuns, readGalleryDataset, readMetrics, readRunRecord, runDirOf, runOptionOf } from '../host/runFiles';
import { featureInfoOf, originalImagePath, phiWeightsOf } from '../host/galleryData';

export const GALLERY_VIEW_TYPE = 'busLab.gallery';

export class GalleryPanel extends PanelController<GalleryToHost, HostToGallery> {
  readonly runId: string;
  /** The tab the next snapshot asks for (once: the webview owns its tab after that, issue 18 bug 1). */
  private dataset: string | undefined;
  private compareRunId: string | null;
  private pendingImage: { dataset: string; imageId: string } | undefined;

  constructor(panel: vscode.WebviewPanel, env: PanelEnv, state: GalleryState) {
    super(panel, env, 'gallery', parseGalleryMessage);
    this.runId = state.runId;
    this.dataset = state.dataset;
    this.compareRunId = state.compareRunId ?? null;
  }

  /** Switches to a dataset tab (opening the gallery again for the same run). */
  showDataset(dataset: string | undefined): void {
    if (dataset) {
      this.dataset = dataset;
      if (this.clientReady) void this.sendSnapshot();
    }
  }

  /** Opens one image's detail (from a click in the comparison's strip plot); kept until the page is ready. */
  showImage(dataset: string, imageId: string): void {
    this.pendingImage = { dataset, imageId };
    if (this.clientReady) this.postPendingImage();
  }

  private postPendingImage(): void {
    if (!this.pendingImage) return;
    this.post({ type: 'showImage', ...this.pendingImage });
    this.pendingImage = undefined;
  }

  protected async handle(msg: GalleryToHost): Promise<void> {
    if (msg.type === 'selectCompareRun') {
      this.compareRunId = msg.runId === this.runId ? null : msg.runId;
      await this.sendSnapshot();
    } else if (msg.type === 'openOriginal') {
      const dir = runDirOf(this.runsDir, msg.runId);
      const found = dir ? await originalImagePath(dir, msg.dataset, msg.imageId) : { problem: `Run "${msg.runId}" was not found.` };
      if ('problem' in found) this.post({ type: 'error', message: found.problem });
      else await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(found.path), { preview: true, viewColumn: vscode.ViewColumn.Beside });
    }
  }

  private async runData(runId: string): Promise<GalleryRunData | undefined> {
    const dir = runDirOf(this.runsDir, runId);
    if (!dir) return undefined;
    const record = await readRunRecord(dir);
    const slugs = await evaluatedSlugs(dir, record);
    const datasets = [];
    for (const slug of slugs) {
      const ds = await readGalleryDataset(dir, slug);
      const evalDir = evalDirOf(dir, slug);
      if (!ds || !evalDir) continue;
      const baseUri = this.panel.webview.asWebviewUri(vscode.Uri.file(evalDir)).toString().replace(/\/$/, '');
      datasets.push({ ...ds, baseUri });
    }
    if (!record && datasets.length === 0) return undefined;
    const phi = phiWeightsOf((await readMetrics(dir)).epochs, record?.bestEpoch);
    return { run: runOptionOf(runId, record), datasets, ...(phi ? { phi } : {}) };
  }

  protected async sendSnapshot(): Promise<void> {
    const [runs, primary, compare] = await Promise.all([
      listRuns(this.runsDir),
      this.runData(this.runId),
      this.compareRunId ? this.runData(this.compareRunId) : Promise.resolve(undefined),
    ]);
    if (!primary) {
      this.post({ type: 'error', message: `Run "${this.runId}" was not found in ${this.runsDir}.` });
      return;
    }
    if (primary.datasets.length === 0) this.log(`run ${this.runId} has no eval/<dataset>/per_image.csv yet`);
    this.panel.title = `Masks: ${primary.run.name}`;
    const featureIds = [...new Set([primary, compare].flatMap((r) => r?.datasets.flatMap((d) => d.features) ?? []))];
    this.post({
      type: 'snapshot',
      runs,
      primary,
      compare: compare ?? null,
      ...(this.dataset ? { activeDataset: this.dataset } : {}),
      features: featureInfoOf(featureIds),
    });
    this.dataset = undefined;
    this.postPendingImage();
  }
}
