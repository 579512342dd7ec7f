import { builtinFeatureProviders } from '../features';
import { biradsConsistencyLoss } from '../losses/biradsConsistency';
import { classificationLoss, segmentationLoss } from '../losses/segmentation';
import type { FeatureProvider, LossProvider } from './providers';
import { ProviderRegistry } from './registry';

export interface Registries {
  losses: ProviderRegistry<LossProvider>;
  features: ProviderRegistry<FeatureProvider>;
}

/** Fresh registries holding the built-in providers. */
export function createRegistries(): Registries {
  const losses = new ProviderRegistry<LossProvider>('loss');
  const features = new ProviderRegistry<FeatureProvider>('feature');
  for (const p of [segmentationLoss, classificationLoss, biradsConsistencyLoss]) losses.register(p);
  for (const p of builtinFeatureProviders) features.register(p);
  return { losses, features };
}
