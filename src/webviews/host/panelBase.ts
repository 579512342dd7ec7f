/**
 * What the three panel controllers share: webview options and HTML, validation of incoming
 * messages (unknown or malformed ones are dropped and logged), the `ready` handshake (nothing is
 * posted before it; every `ready` is answered with a full snapshot), exports through a save
 * dialog, and disposal.
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { CommonToWebview, PanelKind, SaveFileMessage } from '../protocol';
import { renderHtml, webviewOptions } from './html';
import type { PanelDeps } from './registerPanels';

export interface PanelEnv {
  extensionUri: vscode.Uri;
  deps: PanelDeps;
}

export abstract class PanelController<ToHost extends { type: string }, ToWebview extends { type: string }> implements vscode.Disposable {
  /** True between the webview's `ready` and its next unload (hidden, moved, reloaded). */
  protected clientReady = false;
  protected readonly disposables: vscode.Disposable[] = [];
  protected runsDir: string;
  private disposed = false;
  readonly onDidDispose: vscode.Event<void>;
  private readonly disposeEmitter = new vscode.EventEmitter<void>();

  constructor(
    readonly panel: vscode.WebviewPanel,
    protected readonly env: PanelEnv,
    private readonly kind: PanelKind,
    private readonly parse: (raw: unknown) => ToHost | undefined,
  ) {
    this.runsDir = env.deps.runsDirectory();
    this.onDidDispose = this.disposeEmitter.event;
    panel.webview.options = webviewOptions(env.extensionUri, this.runsDir);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      panel.onDidChangeViewState(() => {
        // A hidden webview is torn down (no retainContextWhenHidden); it says `ready` again when shown.
        if (!panel.visible) this.clientReady = false;
      }),
      panel.onDidDispose(() => this.dispose()),
    );
    this.reload();
  }

  /** Sets the HTML again (a fresh document, which will send `ready`). */
  protected reload(): void {
    this.clientReady = false;
    this.panel.webview.html = renderHtml(this.panel.webview, this.env.extensionUri, this.kind, this.panel.title);
  }

  protected log(line: string): void {
    this.env.deps.log(`[${this.kind}] ${line}`);
  }

  private receive(raw: unknown): void {
    const msg = this.parse(raw);
    if (!msg) {
      const t = typeof raw === 'object' && raw !== null && 'type' in raw ? String((raw as { type: unknown }).type).slice(0, 40) : typeof raw;
      this.log(`dropped an invalid message from the webview (type: ${t})`);
      return;
    }
    void this.dispatch(msg).catch((e: unknown) => {
      const message = e instanceof Error ? e.message : String(e);
      this.log(`error handling "${msg.type}": ${message}`);
      this.postCommon({ type: 'error', message });
    });
  }

  private async dispatch(msg: ToHost): Promise<void> {
    const m = msg as unknown as { type: string };
    if (m.type === 'ready') {
      const current = this.env.deps.runsDirectory();
      if (current !== this.runsDir) {
        // The runs folder setting changed: new resource roots, then a fresh page (another `ready`).
        this.log(`runs folder changed to ${current}`);
        this.runsDir = current;
        this.panel.webview.options = webviewOptions(this.env.extensionUri, this.runsDir);
        this.reload();
        return;
      }
      this.clientReady = true;
      await this.sendSnapshot();
      return;
    }
    if (m.type === 'log') {
      const l = msg as unknown as { level: string; message: string };
      this.log(`webview ${l.level}: ${l.message}`);
      return;
    }
    if (m.type === 'saveFile') {
      await this.saveFile(msg as unknown as SaveFileMessage);
      return;
    }
    await this.handle(msg);
  }

  /** Posts when the webview is listening; returns whether it was posted. */
  protected post(msg: ToWebview | CommonToWebview): boolean {
    if (!this.clientReady || this.disposed) return false;
    void this.panel.webview.postMessage(msg);
    return true;
  }

  private postCommon(msg: CommonToWebview): void {
    this.post(msg);
  }

  private async saveFile(m: SaveFileMessage): Promise<void> {
    const filters: Record<string, Record<string, string[]>> = {
      png: { 'PNG image': ['png'] },
      csv: { CSV: ['csv'] },
      md: { Markdown: ['md'] },
      svg: { 'SVG image': ['svg'] },
    };
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(this.runsDir);
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(folder, m.fileName),
      filters: filters[m.format],
      saveLabel: 'Export',
      title: `Export ${m.fileName}`,
    });
    if (!target) return;
    const bytes = m.format === 'png' ? Buffer.from(m.data, 'base64') : Buffer.from(m.data, 'utf8');
    await vscode.workspace.fs.writeFile(target, bytes);
    this.log(`exported ${target.fsPath}`);
    this.postCommon({ type: 'saved', fileName: basename(target.fsPath) });
  }

  /** Sends the full state; called after every `ready`. */
  protected abstract sendSnapshot(): Promise<void>;
  /** Panel-specific messages (already validated). */
  protected abstract handle(msg: ToHost): Promise<void>;

  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.clientReady = false;
    this.disposeEmitter.fire();
    this.disposeEmitter.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
