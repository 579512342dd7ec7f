/**
 * Training Dashboard host controller. On every `ready` it sends a full snapshot read from the run
 * folders (metrics.jsonl), then streams live TrainEvents as throttled `append` batches. Runs that
 * write metrics.jsonl without events (e.g. a CLI training) are tailed from disk while running.
 */
import * as vscode from 'vscode';
import type { RunStatus, TrainEvent } from '../../engine/types';
import { parseDashboardMessage, type DashboardRunData, type DashboardState, type DashboardToHost, type HostToDashboard, type RunOption } from '../protocol';
import { keepLastScatter, thinSteps } from './viewModel';
import { PanelController, type PanelEnv } from '../host/panelBase';
import { listRuns, readMetrics, readMetricsFrom, readRunRecord, runDirOf, runOptionOf } from '../host/runFiles';
import { DeltaBuffer, Throttle } from './throttle';

export const DASHBOARD_VIEW_TYPE = 'busLab.dashboard';
/** At most this many step points per run in a snapshot (epochs are never thinned). */
export const MAX_SNAPSHOT_STEPS = 5000;
/** Live batches go out at most this often (4 per second). */
export const FLUSH_INTERVAL_MS = 250;
const TAIL_INTERVAL_MS = 2000;
const MAX_SELECTED = 12;

export class DashboardPanel extends PanelController<DashboardToHost, HostToDashboard> {
  private selected: string[];
  private follow: boolean;
  private readonly buffer = new DeltaBuffer();
  private readonly throttle: Throttle;
  /** metrics.jsonl byte offsets per selected run, for tailing. */
  private readonly offsets = new Map<string, number>();
  private readonly lastEventAt = new Map<string, number>();
  private readonly totals = new Map<string, { steps?: number; epochs?: number }>();
  private readonly statuses = new Map<string, RunStatus>();
  private tailTimer: ReturnType<typeof setInterval> | undefined;
  private tailing = false;
  /** Set once the user picked runs: an empty selection then stays empty. */
  private userChose = false;

  constructor(panel: vscode.WebviewPanel, env: PanelEnv, state: DashboardState) {
    super(panel, env, 'dashboard', parseDashboardMessage);
    this.selected = state.selected.slice(0, MAX_SELECTED);
    this.follow = state.follow;
    this.throttle = new Throttle(() => this.flush(), FLUSH_INTERVAL_MS);
    this.disposables.push(
      env.deps.onTrainEvent((e) => this.onTrainEvent(e)),
      { dispose: () => this.throttle.dispose() },
      { dispose: () => this.tailTimer && clearInterval(this.tailTimer) },
    );
    this.tailTimer = setInterval(() => void this.tail(), TAIL_INTERVAL_MS);
    this.tailTimer.unref?.();
  }

  /** Adds a run to the overlay (opening the dashboard for one run). */
  showRun(runId: string | undefined): void {
    if (runId && !this.selected.includes(runId)) {
      this.selected = [runId, ...this.selected].slice(0, MAX_SELECTED);
      if (this.clientReady) void this.sendSnapshot();
    }
    if (!runId) this.follow = true;
  }

  protected async handle(msg: DashboardToHost): Promise<void> {
    if (msg.type === 'selectRuns') {
      this.selected = msg.runIds.slice(0, MAX_SELECTED);
      this.userChose = true;
      if (msg.follow !== undefined) this.follow = msg.follow;
      await this.sendSnapshot();
    }
  }

  private async runData(runId: string): Promise<DashboardRunData | undefined> {
    const dir = runDirOf(this.runsDir, runId);
    if (!dir) return undefined;
    const [record, metrics] = await Promise.all([readRunRecord(dir), readMetrics(dir)]);
    if (!record && metrics.steps.length === 0 && metrics.epochs.length === 0) return undefined;
    this.offsets.set(runId, metrics.offset);
    const run = runOptionOf(runId, record);
    const live = this.statuses.get(runId);
    if (live && run.status === 'running') run.status = live;
    this.statuses.set(runId, run.status);
    const total = this.totals.get(runId);
    const steps = thinSteps(metrics.steps, MAX_SNAPSHOT_STEPS);
    const data: DashboardRunData = { run, steps, epochs: keepLastScatter(metrics.epochs) };
    if (steps.length < metrics.steps.length) data.thinned = true;
    const totalEpochs = total?.epochs ?? record?.config?.epochs;
    if (typeof totalEpochs === 'number') data.totalEpochs = totalEpochs;
    if (total?.steps !== undefined) data.totalSteps = total.steps;
    return data;
  }

  protected async sendSnapshot(): Promise<void> {
    const runs = await listRuns(this.runsDir);
    if (this.selected.length === 0 && this.follow && !this.userChose) {
      const running = runs.find((r) => r.status === 'running');
      const latest = running ?? runs[0];
      if (latest) this.selected = [latest.id];
    }
    this.selected = this.selected.filter((id) => runs.some((r) => r.id === id));
    const data = (await Promise.all(this.selected.map((id) => this.runData(id)))).filter((d): d is DashboardRunData => d !== undefined);
    // Records buffered meanwhile still go out with the next flush: the client merges by step and
    // epoch, so duplicates of what the snapshot already holds are harmless and nothing is lost.
    this.post({ type: 'snapshot', runs, selected: this.selected, data, follow: this.follow });
  }

  private onTrainEvent(e: TrainEvent): void {
    if (this.isDisposed) return;
    const runId = this.buffer.add(e);
    if (!runId) return;
    this.lastEventAt.set(runId, Date.now());
    if (e.type === 'started') {
      this.totals.set(runId, { ...this.totals.get(runId), steps: e.totalSteps, epochs: e.record.config.epochs });
      this.statuses.set(runId, 'running');
      if (this.follow && !this.selected.includes(runId)) {
        this.selected = [runId, ...this.selected].slice(0, MAX_SELECTED);
        if (this.clientReady) void this.sendSnapshot();
        return;
      }
    }
    if (e.type === 'step') this.totals.set(runId, { ...this.totals.get(runId), steps: e.totalSteps });
    if (e.type === 'epoch') this.totals.set(runId, { ...this.totals.get(runId), epochs: e.totalEpochs });
    if (e.type === 'finished' || e.type === 'cancelled' || e.type === 'failed') {
      this.statuses.set(runId, e.type);
      if (this.clientReady) void this.refreshRunList();
    }
    if (this.selected.includes(runId)) this.throttle.schedule();
  }

  private async refreshRunList(): Promise<void> {
    const runs: RunOption[] = await listRuns(this.runsDir);
    this.post({ type: 'runs', runs });
  }

  private flush(): void {
    const deltas = this.buffer.take((id) => this.selected.includes(id));
    if (!this.clientReady) return; // the next `ready` brings a snapshot with all of it
    for (const d of deltas) {
      const msg: HostToDashboard = { type: 'append', runId: d.runId, steps: d.steps, epochs: d.epochs };
      if (d.status) msg.status = d.status;
      if (d.totalSteps !== undefined) msg.totalSteps = d.totalSteps;
      if (d.totalEpochs !== undefined) msg.totalEpochs = d.totalEpochs;
      this.post(msg);
    }
  }

  /** Tails metrics.jsonl of selected running runs that get no events (trained elsewhere). */
  private async tail(): Promise<void> {
    if (!this.clientReady || this.tailing) return;
    this.tailing = true;
    try {
      const now = Date.now();
      for (const runId of this.selected) {
        if (this.statuses.get(runId) !== 'running') continue;
        if (now - (this.lastEventAt.get(runId) ?? 0) < 2 * TAIL_INTERVAL_MS) continue;
        const offset = this.offsets.get(runId);
        const dir = runDirOf(this.runsDir, runId);
        if (offset === undefined || !dir) continue;
        const record = await readRunRecord(dir);
        const r = await readMetricsFrom(dir, offset);
        this.offsets.set(runId, r.offset);
        const status = record?.status;
        if (r.steps.length || r.epochs.length || (status && status !== 'running')) {
          if (status) this.statuses.set(runId, status);
          this.post({ type: 'append', runId, steps: r.steps, epochs: keepLastScatter(r.epochs), ...(status ? { status } : {}) });
        }
      }
    } finally {
      this.tailing = false;
    }
  }
}
