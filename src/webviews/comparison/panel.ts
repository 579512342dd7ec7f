/**
 * Ablation Comparison host controller. Shows a comparison.json written by the ablation runner
 * (found under the runs folder, or picked with an open dialog), or one the engine computes for the
 * runs the user selects (PanelDeps.compareRuns). Choosing another baseline asks the engine for the
 * same comparison against it (same runs, bootstrap seed and resamples), so every baseline gets the
 * engine's CIs, Wilcoxon/DeLong p-values and Holm adjustment; the webview computes nothing.
 */
import { dirname, relative } from 'node:path';
import * as vscode from 'vscode';
import { readComparisonFile } from '../../engine/experiments/comparisonFile';
import { listComparisonFiles } from '../../engine/runs/comparisonFiles';
import { isRunFolder } from '../../engine/runs/runFolder';
import {
  parseComparisonMessage,
  type Comparison,
  type ComparisonSource,
  type ComparisonState,
  type ComparisonToHost,
  type HostToComparison,
} from '../protocol';
import { PanelController, type PanelEnv } from '../host/panelBase';
import { resolveInsideReal } from '../host/pathGuard';
import { listRuns, runDirOf } from '../host/runFiles';

export const COMPARISON_VIEW_TYPE = 'busLab.comparison';

/** Opens one image's detail in a run's Mask Gallery (a strip-plot point was clicked). */
export type OpenImage = (runId: string, dataset: string, imageId: string) => void;

export class ComparisonPanel extends PanelController<ComparisonToHost, HostToComparison> {
  private source: ComparisonSource = { kind: 'none' };
  /** Run folders of the source, for asking the engine again with another baseline. */
  private runDirs: string[] = [];
  /** The comparisons of this source by baseline: the source's own, and each rebase already asked for. */
  private byBaseline = new Map<string, Comparison>();
  private sourceBaseline: string | null = null;
  private comparison: Comparison | null = null;
  private busy = false;
  private generation = 0;

  constructor(
    panel: vscode.WebviewPanel,
    env: PanelEnv,
    state: ComparisonState,
    private readonly openImage: OpenImage,
  ) {
    super(panel, env, 'comparison', parseComparisonMessage);
    const { file, runIds, baseline } = state;
    if (file) void this.loadRelativeFile(file).then(() => (baseline ? this.rebase(baseline) : undefined));
    else if (runIds && runIds.length) void this.compute(runIds, baseline);
  }

  /** Computes the comparison of these runs against `baseline` (a run id or method; default: the first run's method). */
  async compute(runIds: string[], baseline?: string): Promise<void> {
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
    await this.run(async () => {
      const c = await this.env.deps.compareRuns(dirs, baseline ? { baseline } : {});
      return () => this.setSource({ kind: 'computed', runIds }, dirs, c);
    }, 'Comparison failed');
  }

  /** Opens a comparison.json by absolute path (from a command, or the user's open dialog). */
  async loadFile(absPath: string, label?: string): Promise<void> {
    await this.run(async () => {
      const c = await readComparisonFile(absPath);
      const dirs = await this.runDirsOf(c, dirname(absPath));
      return () => this.setSource({ kind: 'file', label: label ?? absPath }, dirs, c);
    }, 'Could not read the comparison');
  }

  /** Shows the comparison against another baseline (a ComparisonMethod id), computed by the engine once per baseline. */
  async rebase(baseline: string): Promise<void> {
    const current = this.comparison;
    if (!current || current.baseline === baseline) return;
    if (!current.methods.some((m) => m.id === baseline)) {
      this.log(`ignored an unknown baseline "${baseline}"`);
      return;
    }
    const known = this.byBaseline.get(baseline);
    if (known) {
      this.comparison = known;
      await this.sendSnapshot();
      return;
    }
    const dirs = this.runDirs;
    await this.run(async () => {
      if (dirs.length === 0) throw new Error('the runs of this comparison were not found, so it cannot be computed against another baseline');
      // The same bootstrap seed and resamples: the numbers that do not depend on the baseline stay identical.
      const c = await this.env.deps.compareRuns(dirs, { baseline, seed: current.seed, resamples: current.bootstrapResamples });
      return () => {
        this.byBaseline.set(c.baseline, c);
        this.comparison = c;
      };
    }, `Could not compare against ${baseline}`);
  }

  /** Runs one engine request; a newer request (or source) makes this one's answer stale. */
  private async run(work: () => Promise<() => void>, failure: string): Promise<void> {
    const gen = ++this.generation;
    this.setBusy(true);
    try {
      const apply = await work();
      if (gen !== this.generation) return;
      apply();
      for (const n of this.comparison?.notes ?? []) this.log(`comparison: ${n}`);
    } catch (e) {
      if (gen !== this.generation) return;
      const message = e instanceof Error ? e.message : String(e);
      this.log(`${failure}: ${message}`);
      this.post({ type: 'error', message: `${failure}: ${message}` });
    } finally {
      if (gen === this.generation) {
        this.busy = false;
        await this.sendSnapshot();
      }
    }
  }

  private setSource(source: ComparisonSource, dirs: string[], c: Comparison): void {
    this.source = source;
    this.runDirs = dirs;
    this.byBaseline = new Map([[c.baseline, c]]);
    this.sourceBaseline = c.baseline;
    this.comparison = c;
  }

  /**
   * The run folders of a comparison.json: next to the file (where the ablation runner puts them),
   * else in the runs folder. Empty when any is missing (the file is still shown, not rebased).
   */
  private async runDirsOf(c: Comparison, fileDir: string): Promise<string[]> {
    const dirs: string[] = [];
    for (const m of c.methods) {
      for (const r of m.runs) {
        const candidates = [await resolveInsideReal(fileDir, r.id), runDirOf(this.runsDir, r.id)];
        const found = candidates.find((d): d is string => d !== undefined && isRunFolder(d));
        if (!found) {
          this.log(`run ${r.id} of the comparison is neither next to it nor in the runs folder; other baselines are unavailable`);
          return [];
        }
        dirs.push(found);
      }
    }
    return dirs;
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
        await this.compute(msg.runIds, msg.baseline);
        return;
      case 'rebase':
        await this.rebase(msg.baseline);
        return;
      case 'openImage': {
        // Only runs of the comparison shown; the gallery shows runs of the runs folder.
        if (!this.comparison?.methods.some((m) => m.runs.some((r) => r.id === msg.runId))) {
          this.log(`ignored openImage for run "${msg.runId}", which is not in this comparison`);
          return;
        }
        const dir = runDirOf(this.runsDir, msg.runId);
        if (!dir || !isRunFolder(dir)) {
          this.post({ type: 'error', message: `Run ${msg.runId} is not in the runs folder, so its Mask Gallery cannot open.` });
          return;
        }
        this.openImage(msg.runId, msg.dataset, msg.imageId);
        return;
      }
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
    this.post({ type: 'snapshot', runs, files, source: this.source, comparison: this.comparison, sourceBaseline: this.sourceBaseline, busy: this.busy });
  }
}
