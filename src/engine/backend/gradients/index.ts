/**
 * Gradients the project registers in place of tfjs-core's where those are needlessly slow. A
 * gradient is backend-independent, so these apply to every backend; each is tested against the
 * plain-op formula it replaces.
 */
import { GradConfig, registerGradient } from '@tensorflow/tfjs-core';
import { fusedBatchNormGradConfig } from './fused-batch-norm-grad';

export const GRADIENT_REPLACEMENTS: readonly GradConfig[] = [fusedBatchNormGradConfig];

export function registerProjectGradients(): void {
  // registerGradient warns when replacing, except in production mode (set by initBackend).
  for (const config of GRADIENT_REPLACEMENTS) registerGradient(config);
}
