import { builtinFeatureProviders } from '../features';
import { biradsConsistencyLoss } from '../losses/biradsConsistency';
import { classificationLoss, segmentationLoss } from '../losses/segmentation';
import type { FeatureProvider, LossProvider } from './providers';
import { ProviderRegistry } from './registry';

/** The methods the trainer defines itself (src/engine/train/methods.ts). */
export const BUILTIN_METHODS: readonly string[] = ['single', 'mtl', 'birads'];

export interface Registries {
  losses: ProviderRegistry<LossProvider>;
  features: ProviderRegistry<FeatureProvider>;
}

/** Fresh registries holding the built-in providers. */
export function createRegistries(): Registries {
  // A loss id can serve as a method, so the method names are reserved for losses and features alike.
  const losses = new ProviderRegistry<LossProvider>('loss', BUILTIN_METHODS);
  const features = new ProviderRegistry<FeatureProvider>('feature', BUILTIN_METHODS);
  for (const p of [segmentationLoss, classificationLoss, biradsConsistencyLoss]) losses.register(p);
  for (const p of builtinFeatureProviders) features.register(p);
  return { losses, features };
}
