/**
 * Batches for training and evaluation: samples packed into Float32Arrays shaped [B, S, S, 1]
 * (images and masks) plus a malignancy vector. BatchLoader prepares batch k+1 (augmentation and
 * packing) in a setImmediate callback while the consumer works on batch k, so data preparation
 * runs in the gaps left by asynchronous training steps rather than in front of them. Order and
 * augmentation come from seeds derived per epoch and per position, never from timing, so a seed
 * gives the same batches whatever the consumer does.
 */
import { Label, Sample } from '../types';
import { augmentSample, AugmentOptions } from './augment';
import { deriveSeed, mulberry32, shuffled } from './random';

export interface Batch {
  /** count * size * size values, layout [count, size, size, 1]. */
  images: Float32Array;
  /** Same layout, values 0 or 1. */
  masks: Float32Array;
  /** 1 for malignant, 0 for benign and normal; length count. */
  malignant: Float32Array;
  labels: Label[];
  ids: string[];
  count: number;
  size: number;
}

export interface BatchLoaderOptions {
  batchSize: number;
  seed: number;
  /** Reshuffle every epoch (default true). */
  shuffle?: boolean;
  /** Augment (training only); true uses the default ranges. Default false. */
  augment?: boolean | AugmentOptions;
  /**
   * What to do with the samples left over when the count is not a multiple of the batch size:
   * 'keep' them as a last, smaller batch (evaluation; the default), 'drop' them, or 'merge' them
   * into the last full batch. Training merges: BrEaST's 201 training images at batch 4 would
   * otherwise end every epoch on a batch of one image, whose batch-norm statistics are
   * degenerate (zero variance), while merging still shows every image once per epoch.
   */
  remainder?: 'keep' | 'drop' | 'merge';
}

/** Packs samples (optionally replaced by augmented pixels) into one batch. */
export function packBatch(samples: readonly Sample[], pixels?: readonly { image: Float32Array; mask: Uint8Array }[]): Batch {
  if (samples.length === 0) throw new Error('packBatch: no samples');
  const size = samples[0].size;
  const n = size * size;
  const images = new Float32Array(samples.length * n);
  const masks = new Float32Array(samples.length * n);
  const malignant = new Float32Array(samples.length);
  samples.forEach((s, b) => {
    if (s.size !== size) throw new Error(`packBatch: sample ${s.id} is ${s.size}x${s.size}, batch is ${size}x${size}`);
    const image = pixels ? pixels[b].image : s.image;
    const mask = pixels ? pixels[b].mask : s.mask;
    images.set(image, b * n);
    for (let i = 0; i < n; i++) masks[b * n + i] = mask[i];
    malignant[b] = s.label === 'malignant' ? 1 : 0;
  });
  return { images, masks, malignant, labels: samples.map((s) => s.label), ids: samples.map((s) => s.id), count: samples.length, size };
}

export class BatchLoader {
  private readonly samples: readonly Sample[];
  private readonly options: Required<Omit<BatchLoaderOptions, 'augment'>> & { augment: AugmentOptions | undefined };

  constructor(samples: readonly Sample[], options: BatchLoaderOptions) {
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) throw new RangeError(`BatchLoader: batchSize must be a positive integer, got ${options.batchSize}`);
    if (samples.length === 0) throw new Error('BatchLoader: no samples');
    this.samples = samples;
    this.options = {
      batchSize: options.batchSize,
      seed: options.seed,
      shuffle: options.shuffle ?? true,
      remainder: options.remainder ?? 'keep',
      augment: options.augment === true ? {} : options.augment || undefined,
    };
  }

  get batchesPerEpoch(): number {
    const { batchSize, remainder } = this.options;
    const n = this.samples.length;
    if (remainder === 'keep') return Math.ceil(n / batchSize);
    // Fewer samples than one batch still make one (smaller) batch rather than none.
    return Math.max(1, Math.floor(n / batchSize));
  }

  /** Sample order of one epoch. */
  order(epoch: number): number[] {
    const indices = this.samples.map((_, i) => i);
    return this.options.shuffle ? shuffled(mulberry32(deriveSeed(this.options.seed, 'order', epoch)), indices) : indices;
  }

  /** Builds batch `index` of `epoch` synchronously (what the lookahead runs ahead of time). */
  batch(epoch: number, index: number, order = this.order(epoch)): Batch {
    const { batchSize, augment, seed, remainder } = this.options;
    const last = index === this.batchesPerEpoch - 1;
    const end = last && remainder === 'merge' ? order.length : (index + 1) * batchSize;
    const positions = order.slice(index * batchSize, end);
    const chosen = positions.map((i) => this.samples[i]);
    if (!augment) return packBatch(chosen);
    const pixels = chosen.map((s, k) => augmentSample(s, mulberry32(deriveSeed(seed, 'augment', epoch, index * batchSize + k)), augment));
    return packBatch(chosen, pixels);
  }

  /** The batches of one epoch, each prepared while the previous one is being consumed. */
  async *epoch(epoch: number): AsyncGenerator<Batch, void, undefined> {
    const order = this.order(epoch);
    const total = this.batchesPerEpoch;
    const later = (index: number) => {
      const p = new Promise<Batch>((resolve, reject) => {
        setImmediate(() => {
          try {
            resolve(this.batch(epoch, index, order));
          } catch (err) {
            reject(err);
          }
        });
      });
      p.catch(() => undefined); // surfaced when awaited; avoids an unhandled rejection if the consumer stops early
      return p;
    };
    let pending = later(0);
    for (let index = 0; index < total; index++) {
      const current = await pending;
      if (index + 1 < total) pending = later(index + 1);
      yield current;
    }
  }
}
