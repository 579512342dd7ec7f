/**
 * The four built-in BI-RADS feature providers, and a helper that computes feature values for
 * plain arrays of masks (evaluation, feature validation).
 */
import type { FeatureProvider } from '../plugins/providers';
import type { Tensor4D, TF } from '../tf';
import { computeEllipseDeviation, computeMarginIrregularity, computeOrientation, computeShapeIrregularity } from './birads';

export const BUILTIN_FEATURE_IDS = ['shapeIrregularity', 'orientation', 'marginIrregularity', 'ellipseDeviation'] as const;

export const builtinFeatureProviders: FeatureProvider[] = [
  {
    id: 'shapeIrregularity',
    label: 'Shape irregularity',
    description: 'BI-RADS shape: 1 - 4*pi*A/P^2 of the soft mask (0 for a disc, larger when irregular).',
    source: 'builtin',
    create: (tf) => (m) => computeShapeIrregularity(tf, m),
  },
  {
    id: 'orientation',
    label: 'Orientation (taller than wide)',
    description: 'BI-RADS orientation: vertical share of the second moments, above 0.5 when not parallel to the skin.',
    source: 'builtin',
    create: (tf) => (m) => computeOrientation(tf, m),
  },
  {
    id: 'marginIrregularity',
    label: 'Margin irregularity',
    description: 'BI-RADS margin: contour length in excess of the moment-matched ellipse of equal area.',
    source: 'builtin',
    create: (tf) => (m) => computeMarginIrregularity(tf, m),
  },
  {
    id: 'ellipseDeviation',
    label: 'Ellipse deviation',
    description: 'Lobulation and protrusions: area outside plus area missing from the moment-matched ellipse, over 2A.',
    source: 'builtin',
    create: (tf, options) => (m) => computeEllipseDeviation(tf, m, typeof options.edgeSharpness === 'number' ? options.edgeSharpness : undefined),
  },
];

/**
 * Feature values of N masks given as one N*S*S array of values in [0, 1], in batches so a large
 * dataset never holds more than a batch of tensors.
 */
export async function computeFeatureValues(
  tf: TF,
  masks: Float32Array,
  n: number,
  size: number,
  featureIds: readonly string[] = BUILTIN_FEATURE_IDS,
  providers: readonly FeatureProvider[] = builtinFeatureProviders,
  batchSize = 16,
): Promise<Record<string, Float32Array>> {
  const fns = featureIds.map((id) => {
    const p = providers.find((q) => q.id === id);
    if (!p) throw new Error(`unknown feature provider '${id}'`);
    return { id, fn: p.create(tf, p.defaultOptions ?? {}) };
  });
  const out: Record<string, Float32Array> = {};
  for (const { id } of fns) out[id] = new Float32Array(n);
  const px = size * size;
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    const m = tf.tensor4d(masks.subarray(start * px, (start + count) * px), [count, size, size, 1]);
    for (const { id, fn } of fns) {
      const v = tf.tidy(() => fn(m as Tensor4D, m as Tensor4D));
      out[id].set(await v.data(), start);
      v.dispose();
    }
    m.dispose();
  }
  return out;
}
