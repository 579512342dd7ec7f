/**
 * The provider contracts: loss providers and feature providers, built-in or from plugins.
 * A provider is a descriptor plus a factory that receives the engine's own `tf`.
 */
import type { Scalar, Tensor1D, Tensor4D, TF, Variable } from '../tf';

/** A training batch as tensors. `label` is 1 for malignant, 0 otherwise; `hasLabel` is 1 where the
 * image has a benign/malignant label (normal images have no malignancy target). */
export interface LossBatch {
  image: Tensor4D;
  mask: Tensor4D;
  label: Tensor1D;
  hasLabel: Tensor1D;
}

export interface LossOutputs {
  /** Lesion probability per pixel, [B, S, S, 1]. */
  seg: Tensor4D;
  /** Malignancy probability per image, [B]; absent for segmentation-only models. */
  pMalignant?: Tensor1D;
}

export interface LossContext {
  epoch: number;
  step: number;
  /** BI-RADS feature values of the predicted soft mask, by feature id, each [B]. */
  features: Record<string, Tensor1D>;
}

export type LossFunction = (batch: LossBatch, outputs: LossOutputs, context: LossContext) => Scalar;

/** What a loss factory may return: a plain function, or one with its own trainable variables
 * (the consistency loss learns its feature weights) and extra values worth logging. */
export interface LossInstance {
  compute: LossFunction;
  variables?: Variable[];
  /** The BI-RADS prior phi for given feature values (consistency losses), for the dashboard. */
  phi?: (features: Record<string, Tensor1D>) => Tensor1D;
  /** Scalars logged per epoch (e.g. the learned feature weights). */
  describe?: () => Record<string, number>;
  dispose?: () => void;
}

export interface ProviderDescriptor {
  id: string;
  label: string;
  description?: string;
  defaultOptions?: Record<string, unknown>;
  /** Where the provider came from: "builtin", an extension id, or a plugin path. */
  source?: string;
}

export interface LossProvider extends ProviderDescriptor {
  /** Whether the loss needs the BI-RADS feature values in its context. */
  needsFeatures?: boolean;
  /** Whether the loss needs the classification head. */
  needsClassifier?: boolean;
  create(tf: TF, options: Record<string, unknown>): LossFunction | LossInstance;
}

export type FeatureFunction = (softMask: Tensor4D, image: Tensor4D) => Tensor1D;

export interface FeatureProvider extends ProviderDescriptor {
  create(tf: TF, options: Record<string, unknown>): FeatureFunction;
}

export function toLossInstance(created: LossFunction | LossInstance): LossInstance {
  return typeof created === 'function' ? { compute: created } : created;
}
