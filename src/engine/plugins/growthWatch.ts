/**
 * Watches the engine's tensor memory between training steps. A training step frees everything it
 * allocates (the training test checks the count is flat after warm-up), so memory that grows at
 * every step for several steps is a leak, in practice a plugin's: warn once, naming the plugins,
 * long before the backend runs out of memory.
 */
import type { TF } from '../tf';

/** Consecutive growing steps before the warning: one-off allocations (optimizer moments on the
 * first step, a plugin's cached constant) grow once, a leak grows every time. */
export const GROWTH_STEPS = 3;

export class TensorGrowthWatch {
  private last?: { numTensors: number; numBytes: number };
  private first?: { numTensors: number; numBytes: number };
  private growing = 0;
  private warned = false;

  /** `suspects`: the plugins in this run, named in the warning. */
  constructor(
    private readonly tf: TF,
    private readonly suspects: readonly string[],
  ) {}

  /** Call after each training step; returns the warning the first time growth is sustained. */
  afterStep(): string | undefined {
    const { numTensors, numBytes } = this.tf.memory();
    const now = { numTensors, numBytes };
    const grew = this.last !== undefined && (numTensors > this.last.numTensors || numBytes > this.last.numBytes);
    if (!grew) this.first = now;
    this.growing = grew ? this.growing + 1 : 0;
    this.last = now;
    if (this.warned || this.growing < GROWTH_STEPS || !this.first) return undefined;
    this.warned = true;
    const tensors = (numTensors - this.first.numTensors) / this.growing;
    const bytes = (numBytes - this.first.numBytes) / this.growing;
    const size = bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${Math.round(bytes / 1e3)} KB`;
    const who = this.suspects.length > 0 ? `; plugins in this run: ${this.suspects.join(', ')}` : '';
    return `tensor memory grows at every step (${this.growing} steps, about ${Math.round(tensors)} tensors and ${size} per step): a leak that will exhaust memory${who}`;
  }
}
