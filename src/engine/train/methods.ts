/**
 * Methods as loss sets. `single`, `mtl` and `birads` share one code path and differ only in the
 * loss terms they add; a plugin loss id can also serve as a method (multi-task plus that loss).
 */
import type { LossProvider } from '../plugins/providers';
import type { ProviderRegistry } from '../plugins/registry';
import type { TrainConfig } from '../types';

export interface LossTerm {
  /** Name in metrics (the provider id, or `consistency` for the BI-RADS term). */
  name: string;
  providerId: string;
  weight: number;
  options: Record<string, unknown>;
}

export interface MethodPlan {
  withClassifier: boolean;
  needsFeatures: boolean;
  terms: LossTerm[];
}

export function methodIds(losses: ProviderRegistry<LossProvider>): string[] {
  const builtinLossIds = new Set(['segmentation', 'classification', 'biradsConsistency']);
  return ['single', 'mtl', 'birads', ...losses.list().map((p) => p.id).filter((id) => !builtinLossIds.has(id))];
}

export function planMethod(config: TrainConfig, losses: ProviderRegistry<LossProvider>): MethodPlan {
  const terms: LossTerm[] = [{ name: 'segmentation', providerId: 'segmentation', weight: 1, options: {} }];
  const { method } = config;
  if (method !== 'single') terms.push({ name: 'classification', providerId: 'classification', weight: config.alpha, options: {} });
  if (method === 'birads') {
    terms.push({ name: 'consistency', providerId: 'biradsConsistency', weight: config.lambda, options: { featureIds: config.features } });
  } else if (!['single', 'mtl'].includes(method)) {
    const p = losses.get(method);
    terms.push({ name: p.id, providerId: p.id, weight: 1, options: { ...(p.defaultOptions ?? {}) } });
  }
  for (const extra of config.extraLosses) {
    const p = losses.get(extra.id);
    terms.push({ name: p.id, providerId: p.id, weight: extra.weight, options: { ...(p.defaultOptions ?? {}), ...(extra.options ?? {}) } });
  }
  const providers = terms.map((t) => losses.get(t.providerId));
  return {
    withClassifier: method !== 'single' || providers.some((p) => p.needsClassifier),
    needsFeatures: providers.some((p) => p.needsFeatures),
    terms,
  };
}
