/**
 * Gradient of FusedBatchNorm (tf.batchNorm) with fewer passes over the activations.
 *
 * tfjs-core's gradient tiles the per-channel factor to the full activation shape before
 * multiplying, and forms each parameter gradient from full-size products: about thirteen passes
 * over a [B,H,W,C] tensor per layer, and the wasm Tile kernel alone was a fifth of a U-Net
 * training step. Per-channel factors distribute out of the sums, so with
 *   r = rsqrt(variance + eps), S1 = sum(dy), S2 = sum(dy * (x - mean))   (sums over B, H, W)
 * the gradients are
 *   dx = dy * (scale * r)            dmean = -scale * r * S1         doffset = S1
 *   dscale = r * S2                  dvariance = -0.5 * scale * r^3 * S2
 * which is four full-size passes (two products, two sums), broadcasting instead of tiling.
 * Mathematically the same as tfjs's; registered for every backend.
 */
import { add, backend_util, FusedBatchNorm, FusedBatchNormAttrs, GradConfig, mul, neg, reshape, rsqrt, scalar, sub, sum, Tensor } from '@tensorflow/tfjs-core';


export const fusedBatchNormGradConfig: GradConfig = {
  kernelName: FusedBatchNorm,
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs) => {
    const grad = dy as Tensor;
    const { varianceEpsilon } = attrs as unknown as FusedBatchNormAttrs;
    const [x, mean, variance, scale] = saved as [Tensor, Tensor, Tensor, Tensor | undefined];
    // Axes along which the parameters broadcast (B, H, W for per-channel parameters).
    const axes = backend_util.getReductionAxes(mean.shape, x.shape);
    const scaleValue = scale ?? scalar(1);
    const r = rsqrt(add(variance, scalar(varianceEpsilon)));
    const reduce = (t: Tensor) => (axes.length > 0 ? sum(t, axes) : t);
    // Computed here, not inside the closures: the tape runs each closure in its own tidy, so a
    // sum shared by two closures must be created outside them (the backward pass's scope frees it).
    const s1 = reduce(grad);
    const s2 = reduce(mul(grad, sub(x, mean)));
    return {
      x: () => reshape(mul(grad, mul(scaleValue, r)), x.shape),
      mean: () => reshape(neg(mul(mul(scaleValue, r), s1)), mean.shape),
      variance: () => reshape(mul(mul(mul(scaleValue, scalar(-0.5)), mul(mul(r, r), r)), s2), mean.shape),
      scale: () => reshape(mul(r, s2), mean.shape),
      offset: () => reshape(s1, mean.shape),
    };
  },
};
