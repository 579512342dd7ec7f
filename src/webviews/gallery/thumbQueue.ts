/**
 * Which thumbnails load, and in what order: only those in (or near) the viewport, in grid order
 * (top-left first), at most `concurrency` at a time. A thumbnail scrolled away before it loaded is
 * taken off the queue, or its load is aborted, so what the user looks at is never stuck behind
 * off-screen work (issue 18: black tiles for ~10 s, searches 10x slower while loads drained).
 * Pure (no DOM): the client feeds it IntersectionObserver entries; tests feed it by hand.
 */
export type ThumbState = 'queued' | 'loading' | 'done' | 'error' | 'cancelled';

export interface ThumbQueueOptions<K> {
  concurrency: number;
  /** Loads one thumbnail; must reject (or resolve) soon after `signal` aborts. */
  load: (key: K, signal: AbortSignal) => Promise<void>;
  /** Each state change, for the placeholder / spinner. */
  onState?: (key: K, state: ThumbState, error?: unknown) => void;
}

interface Entry {
  order: number;
  visible: boolean;
  state: ThumbState | 'idle';
  abort?: AbortController;
}

export class ThumbQueue<K> {
  private readonly entries = new Map<K, Entry>();
  private running = 0;
  private closed = false;

  constructor(private readonly opts: ThumbQueueOptions<K>) {}

  /** Registers a thumbnail at its grid position (0 = first); nothing loads until it is visible. */
  add(key: K, order: number): void {
    if (!this.entries.has(key)) this.entries.set(key, { order, visible: false, state: 'idle' });
  }

  /** The viewport reports a thumbnail entering (true) or leaving (false). */
  setVisible(key: K, visible: boolean): void {
    const e = this.entries.get(key);
    if (!e || this.closed) return;
    e.visible = visible;
    if (visible) {
      if (e.state === 'idle' || e.state === 'cancelled') this.setState(key, e, 'queued');
    } else if (e.state === 'queued') {
      this.setState(key, e, 'cancelled');
    } else if (e.state === 'loading') {
      e.abort?.abort();
    }
    this.pump();
  }

  /** Keys waiting to load, in the order they will start. */
  pending(): K[] {
    return [...this.entries].filter(([, e]) => e.state === 'queued').sort((a, b) => a[1].order - b[1].order).map(([k]) => k);
  }

  /** Keys loading now. */
  loading(): K[] {
    return [...this.entries].filter(([, e]) => e.state === 'loading').map(([k]) => k);
  }

  stateOf(key: K): ThumbState | 'idle' | undefined {
    return this.entries.get(key)?.state;
  }

  /** Aborts everything (a new page, sort or filter replaces the grid). */
  close(): void {
    this.closed = true;
    for (const [key, e] of this.entries) {
      if (e.state === 'loading') e.abort?.abort();
      else if (e.state === 'queued') this.setState(key, e, 'cancelled');
    }
  }

  private setState(key: K, e: Entry, state: ThumbState, error?: unknown): void {
    e.state = state;
    this.opts.onState?.(key, state, error);
  }

  private pump(): void {
    while (!this.closed && this.running < this.opts.concurrency) {
      const next = this.pending()[0];
      if (next === undefined) return;
      this.start(next, this.entries.get(next)!);
    }
  }

  private start(key: K, e: Entry): void {
    const abort = new AbortController();
    e.abort = abort;
    this.running++;
    this.setState(key, e, 'loading');
    let task: Promise<void>;
    try {
      task = this.opts.load(key, abort.signal);
    } catch (err) {
      task = Promise.reject(err);
    }
    task.then(
      () => this.finish(key, e, abort, abort.signal.aborted ? 'cancelled' : 'done'),
      (err: unknown) => this.finish(key, e, abort, abort.signal.aborted ? 'cancelled' : 'error', err),
    );
  }

  private finish(key: K, e: Entry, abort: AbortController, state: ThumbState, error?: unknown): void {
    this.running--;
    if (e.abort === abort) {
      e.abort = undefined;
      // Aborted, but scrolled back into view meanwhile: queue it again.
      if (state === 'cancelled' && e.visible && !this.closed) this.setState(key, e, 'queued');
      else this.setState(key, e, state, error);
    }
    this.pump();
  }
}
