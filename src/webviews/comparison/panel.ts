/**
 * Ablation Comparison host controller. Shows a comparison.json written by the ablation runner
 * (found under the runs folder, or picked with an open dialog), or one computed on demand for the
 * runs the user selects (through PanelDeps.compareRuns). The normalised ComparisonView is sent;
 * baseline choice, tables, charts and exports happen in the webview from the shared view model.
 */
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import * as vscode from 'vscode';
import {
  parseComparisonMessage,
  type ComparisonSource,
  type ComparisonState,
  type ComparisonToHost,
  type HostToComparison,
} from '../protocol';
import { normalizeComparison, type ComparisonView } from './viewModel';
import { PanelController, type PanelEnv } from '../host/panelBase';
import { resolveInsideReal } from '../host/pathGuard';
import { listComparisonFiles, listRuns, runDirOf } from '../host/runFiles';

export const COMPARISON_VIEW_TYPE = 'busLab.comparison';
const MAX_COMPARISON_BYTES = 200 * 1024 * 1024;

export class ComparisonPanel extends PanelController<ComparisonToHost, HostToComparison> {
  private source: ComparisonSource = { kind: 'none' };
  private comparison: ComparisonView | null = null;
  private busy = false;
  private generation = 0;

  constructor(panel: vscode.WebviewPanel, env: PanelEnv, state: ComparisonState) {
    super(panel, env, 'comparison', parseComparisonMessage);
    if (state.file) void this.loadRelativeFile(state.file);
    else if (state.runIds && state.runIds.length) void this.compute(state.runIds);
  }

  /** Computes the comparison of these runs (the first is the runner's baseline, by convention). */
  async compute(runIds: string[]): Promise<void> {
    const gen = ++this.generation;
    const dirs: string[] = [];
    for (const id of runIds) {
      const dir = runDirOf(this.runsDir, id);
      if (!dir) {
        this.log(`ignored an invalid run id "${id}"`);
        continue;
      }
      dirs.push(dir);
    }
    if (dirs.length === 0) return;
    this.setBusy(true);
    try {
      const raw = await this.env.deps.compareRuns(dirs);
      if (gen !== this.generation) return;
      this.comparison = normalizeComparison(raw);
      this.source = { kind: 'computed', runIds };
      for (const w of this.comparison.warnings) this.log(`comparison: ${w}`);
    } catch (e) {
      if (gen !== this.generation) return;
      const message = e instanceof Error ? e.message : String(e);
      this.log(`compareRuns failed: ${message}`);
      this.post({ type: 'error', message: `Comparison failed: ${message}` });
    } finally {
      if (gen === this.generation) {
        this.busy = false;
        await this.sendSnapshot();
      }
    }
  }

  /** Opens a comparison.json by absolute path (from a command, or the user's open dialog). */
  async loadFile(absPath: string, label?: string): Promise<void> {
    const gen = ++this.generation;
    this.setBusy(true);
    try {
      const text = await readFile(absPath, 'utf8');
      if (text.length > MAX_COMPARISON_BYTES) throw new Error('comparison file is too large');
      if (gen !== this.generation) return;
      this.comparison = normalizeComparison(JSON.parse(text));
      this.source = { kind: 'file', label: label ?? absPath };
      for (const w of this.comparison.warnings) this.log(`comparison: ${w}`);
    } catch (e) {
      if (gen !== this.generation) return;
      const message = e instanceof Error ? e.message : String(e);
      this.log(`could not read ${absPath}: ${message}`);
      this.post({ type: 'error', message: `Could not read the comparison: ${message}` });
    } finally {
      if (gen === this.generation) {
        this.busy = false;
        await this.sendSnapshot();
      }
    }
  }

  private async loadRelativeFile(rel: string): Promise<void> {
    const abs = await resolveInsideReal(this.runsDir, ...rel.split('/'));
    if (!abs) {
      this.log(`refused a comparison file outside the runs folder: ${rel}`);
      this.post({ type: 'error', message: `Not a file inside the runs folder: ${rel}` });
      return;
    }
    await this.loadFile(abs, rel);
  }

  private setBusy(busy: boolean): void {
    this.busy = busy;
    this.post({ type: 'busy', busy });
  }

  protected async handle(msg: ComparisonToHost): Promise<void> {
    switch (msg.type) {
      case 'compare':
        await this.compute(msg.runIds);
        return;
      case 'loadComparisonFile':
        await this.loadRelativeFile(msg.file);
        return;
      case 'openComparisonFile': {
        const picked = await vscode.window.showOpenDialog({
          canSelectMany: false,
          defaultUri: vscode.Uri.file(this.runsDir),
          filters: { 'Comparison JSON': ['json'] },
          openLabel: 'Open comparison',
        });
        if (!picked || picked.length === 0) return;
        const file = picked[0].fsPath;
        const rel = relative(this.runsDir, file);
        await this.loadFile(file, rel.startsWith('..') ? file : rel);
        return;
      }
      default:
        return;
    }
  }

  protected async sendSnapshot(): Promise<void> {
    const [runs, files] = await Promise.all([listRuns(this.runsDir), listComparisonFiles(this.runsDir)]);
    this.post({ type: 'snapshot', runs, files, source: this.source, comparison: this.comparison, busy: this.busy });
  }
}
