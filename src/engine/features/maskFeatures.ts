/**
 * The feature values the losses see for a batch: every configured feature function applied to the
 * predicted soft mask, or to a stop-gradient copy of it when the mask gradient is off. One
 * function for training, validation instruments and tests, so all three take the same path.
 */
import { stopGradient } from '../ops/stopGradient';
import type { FeatureFunction } from '../plugins/providers';
import type { Tensor1D, Tensor4D, TF } from '../tf';

export interface NamedFeatureFunction {
  id: string;
  fn: FeatureFunction;
}

export function computeMaskFeatures(tf: TF, featureFns: readonly NamedFeatureFunction[], seg: Tensor4D, image: Tensor4D, maskGradient = true): Record<string, Tensor1D> {
  const input = maskGradient ? seg : stopGradient(tf, seg);
  const out: Record<string, Tensor1D> = {};
  for (const { id, fn } of featureFns) out[id] = fn(input, image);
  return out;
}
