/**
 * Packs samples into training batches. The next batch is prepared (augmented and packed) while
 * the current step computes, so a step never waits on data preparation.
 */
import type { Label, Sample } from '../types';

export interface PackedBatch {
  images: Float32Array;
  masks: Float32Array;
  /** 1 malignant, 0 otherwise. */
  labels: Float32Array;
  /** 1 where the image has a benign/malignant label. */
  hasLabel: Float32Array;
  ids: string[];
  trueLabels: Label[];
  size: number;
  count: number;
}

export type AugmentFn = (sample: Sample, index: number) => { image: Float32Array; mask: Uint8Array | Float32Array };

export function packBatch(samples: readonly Sample[], size: number, augment?: AugmentFn, indices?: readonly number[]): PackedBatch {
  const n = samples.length;
  const px = size * size;
  const images = new Float32Array(n * px);
  const masks = new Float32Array(n * px);
  const labels = new Float32Array(n);
  const hasLabel = new Float32Array(n);
  samples.forEach((s, i) => {
    if (s.size !== size) throw new Error(`sample '${s.id}' has size ${s.size}, expected ${size}`);
    const { image, mask } = augment ? augment(s, indices?.[i] ?? i) : s;
    images.set(image, i * px);
    for (let j = 0; j < px; j++) masks[i * px + j] = mask[j] > 0.5 ? 1 : 0;
    labels[i] = s.label === 'malignant' ? 1 : 0;
    hasLabel[i] = s.label === 'normal' ? 0 : 1;
  });
  return { images, masks, labels, hasLabel, ids: samples.map((s) => s.id), trueLabels: samples.map((s) => s.label), size, count: n };
}

/**
 * Yields the batches of one epoch in the given order, preparing batch k+1 on the event loop
 * while the caller runs step k.
 */
export async function* epochBatches(
  samples: readonly Sample[],
  order: readonly number[],
  batchSize: number,
  size: number,
  augment?: AugmentFn,
  startBatch = 0,
): AsyncGenerator<PackedBatch> {
  const batchCount = Math.ceil(order.length / batchSize);
  const prepare = (b: number) =>
    new Promise<PackedBatch>((resolve, reject) =>
      setImmediate(() => {
        try {
          const idx = order.slice(b * batchSize, (b + 1) * batchSize);
          resolve(packBatch(idx.map((i) => samples[i]), size, augment, idx));
        } catch (err) {
          reject(err);
        }
      }),
    );
  let next = startBatch < batchCount ? prepare(startBatch) : undefined;
  for (let b = startBatch; b < batchCount; b++) {
    const current = await next!;
    next = b + 1 < batchCount ? prepare(b + 1) : undefined;
    yield current;
  }
}
