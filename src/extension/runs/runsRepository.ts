/**
 * The runs the extension shows: a cached listing of the runs folder, refreshed on demand or
 * (debounced) when the watcher reports a change. No `vscode` import.
 */
import { listRuns, readRun, RunListing } from './runSummaries';
import { DisposableLike, Signal } from '../util/signal';

export class RunsRepository implements DisposableLike {
  private cached: RunListing[] = [];
  private problemLines: string[] = [];
  private inFlight: Promise<RunListing[]> | undefined;
  private queued: Promise<RunListing[]> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly changed = new Signal<void>();
  private readonly directoryChanged = new Signal<string>();
  /** Fires after a refresh that found a different listing. */
  readonly onDidChange = this.changed.event;
  readonly onDidChangeDirectory = this.directoryChanged.event;
  private signature = '';

  constructor(private dir: string) {}

  get directory(): string {
    return this.dir;
  }

  setDirectory(dir: string): void {
    if (dir === this.dir) return;
    this.dir = dir;
    this.directoryChanged.fire(dir);
    void this.refresh();
  }

  /** The listing as of the last refresh. */
  get runs(): readonly RunListing[] {
    return this.cached;
  }

  get problems(): readonly string[] {
    return this.problemLines;
  }

  find(id: string): RunListing | undefined {
    return this.cached.find((r) => r.id === id);
  }

  /**
   * Re-reads the folder. One read at a time: a call during a read gets one more read after it,
   * shared by every caller that comes meanwhile (so a caller never waits on an endless chain).
   */
  refresh(): Promise<RunListing[]> {
    if (!this.inFlight) return this.read();
    if (!this.queued) {
      this.queued = this.inFlight
        .catch(() => undefined)
        .then(() => {
          this.queued = undefined;
          return this.read();
        });
    }
    return this.queued;
  }

  private read(): Promise<RunListing[]> {
    const read = (async () => {
      try {
        const { runs, problems } = await listRuns(this.dir);
        const signature = JSON.stringify([runs, problems]);
        this.cached = runs;
        this.problemLines = problems;
        if (signature !== this.signature) {
          this.signature = signature;
          this.changed.fire();
        }
        return runs;
      } finally {
        this.inFlight = undefined;
      }
    })();
    this.inFlight = read;
    return read;
  }

  /** Refreshes after `delayMs` of quiet (file events come in bursts). */
  scheduleRefresh(delayMs = 300): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh().catch(() => undefined);
    }, delayMs);
  }

  /** Reads one run folder directly (fresh, not cached). */
  readRun(dir: string): Promise<RunListing> {
    return readRun(dir);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.changed.dispose();
    this.directoryChanged.dispose();
  }
}
