/**
 * Sizes the accelerator's OpenMP team to the cores other processes leave free.
 *
 * oneDNN splits every kernel evenly over its threads and waits for the slowest. When another
 * process holds a core, the thread that shares it is descheduled for whole time slices and its
 * partner spins at the barrier: two 2-thread engines on 2 cores, or one beside a busy core, lost
 * 3.5x to 7x of their throughput (docs/PERFORMANCE.md, Contention). One thread per free core
 * avoids that. Twice a second, on the thread that runs the kernels (OpenMP's setting is per calling
 * thread), it reads the machine's busy time from /proc/stat, subtracts this process's own CPU
 * time, and moves the team to round(free cores / engines of this process), within [1, the
 * configured threads], after two readings in a row agree. Other processes' load is seen in
 * /proc/stat; this process's other engines (the extension host's training and evaluation workers)
 * are counted by the addon. Linux only; elsewhere the team keeps its configured size.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** Cumulative CPU seconds: the whole machine's busy time and this process's own. */
export interface CpuSample {
  /** Wall-clock seconds (monotonic). */
  wall: number;
  /** Seconds all CPUs spent busy (not idle or waiting for I/O) since boot. */
  machineBusy: number;
  /** Seconds this process's threads ran. */
  own: number;
}

/** USER_HZ: /proc/stat counts in 1/100 s on every Linux architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/** Reads /proc/stat's first line; undefined where there is none (not Linux). */
export function readCpuSample(): CpuSample | undefined {
  let text: string;
  try {
    text = readFileSync('/proc/stat', 'latin1');
  } catch {
    return undefined;
  }
  const line = text.slice(0, text.indexOf('\n'));
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  if (fields.length < 5 || fields.some((v) => !Number.isFinite(v))) return undefined;
  // user nice system idle iowait irq softirq steal [guest guest_nice: already inside user/nice]
  const [user, nice, system, idle, iowait, irq = 0, softirq = 0, steal = 0] = fields;
  void idle;
  void iowait;
  const usage = process.cpuUsage();
  return {
    wall: performance.now() / 1000,
    machineBusy: (user! + nice! + system! + irq + softirq + steal) / TICKS_PER_SECOND,
    own: (usage.user + usage.system) / 1e6,
  };
}

/** Cores other processes kept busy between two samples (>= 0). */
export function othersBusyCores(before: CpuSample, after: CpuSample): number {
  const wall = after.wall - before.wall;
  if (wall <= 0) return 0;
  return Math.max(0, (after.machineBusy - before.machineBusy - (after.own - before.own)) / wall);
}

/**
 * The team size for `others` busy cores out of `cores`, the free ones shared by `engines` engines
 * of this process (whose CPU time is not in `others`), within [1, max].
 */
export function threadsForFreeCores(cores: number, others: number, max: number, engines = 1): number {
  return Math.max(1, Math.min(max, Math.round((cores - others) / Math.max(1, engines))));
}

export interface ThreadGovernorOptions {
  /** The configured team size: the most it will use. */
  maxThreads: number;
  /** Cores of the machine (default: os.availableParallelism()). */
  cores?: number;
  /** Seconds between readings (default 0.5). */
  intervalSeconds?: number;
  /** Sets the team size on the calling thread. */
  apply: (threads: number) => void;
  /** Where readings come from (tests pass their own). */
  sample?: () => CpuSample | undefined;
  /** Monotonic seconds (tests pass their own). */
  now?: () => number;
  /**
   * Engines of this process computing now, this one included (the extension host's training and
   * evaluation workers share its cores); called at every reading. Default: 1.
   */
  engines?: () => number;
}

export class ThreadGovernor {
  private readonly cores: number;
  private readonly interval: number;
  private readonly sample: () => CpuSample | undefined;
  private readonly now: () => number;
  private last: CpuSample | undefined;
  private pending: number | undefined;
  private current: number;
  /** Team sizes it moved to, with when (for the bench's report and the tests). */
  readonly changes: { atSeconds: number; threads: number; othersBusyCores: number; engines: number }[] = [];

  constructor(private readonly options: ThreadGovernorOptions) {
    this.cores = options.cores ?? availableParallelism();
    this.interval = options.intervalSeconds ?? 0.5;
    this.sample = options.sample ?? readCpuSample;
    this.now = options.now ?? (() => performance.now() / 1000);
    this.current = options.maxThreads;
    this.last = this.sample();
  }

  get threads(): number {
    return this.current;
  }

  /** Cheap unless a reading is due; call it from the thread that runs the kernels. */
  tick(): void {
    if (!this.last) return;
    if (this.now() - this.last.wall < this.interval) return;
    const next = this.sample();
    if (!next) return;
    const others = othersBusyCores(this.last, next);
    this.last = next;
    const engines = this.options.engines?.() ?? 1;
    const target = threadsForFreeCores(this.cores, others, this.options.maxThreads, engines);
    if (target === this.current) {
      this.pending = undefined;
      return;
    }
    // Two readings in a row must agree: one busy second elsewhere does not resize the team.
    if (this.pending !== target) {
      this.pending = target;
      return;
    }
    this.pending = undefined;
    this.current = target;
    this.options.apply(target);
    this.changes.push({ atSeconds: next.wall, threads: target, othersBusyCores: others, engines });
  }
}
