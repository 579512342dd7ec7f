/**
 * Training-mode batch norm (the batch's own statistics over every axis but the last) followed by
 * ReLU, as one op. Where the active backend has a fused kernel for it (the native accelerator on
 * wasm), the forward and backward passes are one kernel call each; elsewhere it is the composite
 * of tf.moments, tf.batchNorm and tf.relu. Both give the same values and gradients (to float
 * rounding); test/unit/backend-accelerator.test.ts checks it.
 *
 * The mean and variance outputs feed the running statistics only: they are not differentiated
 * through in the fused op, and not used on the gradient tape by the model.
 */
import type { NamedTensorMap, Tensor, TF } from '../tf';

/** Kernel names a backend may implement; inputs and outputs as documented on each. */
export const BATCH_NORM_RELU = 'BusLabBatchNormRelu'; // {x, gamma, beta}, {epsilon} -> [out, mean, variance]
export const BATCH_NORM_RELU_GRAD = 'BusLabBatchNormReluGrad'; // {dy, x, gamma, out, mean, variance}, {epsilon} -> [dx, dgamma, dbeta]

export interface BatchNormReluResult<T extends Tensor> {
  out: T;
  mean: Tensor;
  variance: Tensor;
}

const gradientRegistered = new WeakSet<object>();

function registerGradient(tf: TF): void {
  if (gradientRegistered.has(tf)) return;
  gradientRegistered.add(tf);
  tf.registerGradient({
    kernelName: BATCH_NORM_RELU,
    inputsToSave: ['x', 'gamma'],
    outputsToSave: [true, true, true],
    gradFunc: (dy, saved, attrs) => {
      const [x, gamma, out, mean, variance] = saved as Tensor[];
      const dOut = Array.isArray(dy) ? dy[0]! : dy;
      const inputs = { dy: dOut, x, gamma, out, mean, variance } as unknown as NamedTensorMap;
      const [dx, dgamma, dbeta] = tf.engine().runKernel(BATCH_NORM_RELU_GRAD, inputs, attrs) as Tensor[];
      return { x: () => dx!, gamma: () => dgamma!, beta: () => dbeta! };
    },
  });
}

/** Whether the active backend runs this op as one fused kernel. */
export function hasFusedBatchNormRelu(tf: TF): boolean {
  const backend = tf.getBackend();
  return tf.getKernel(BATCH_NORM_RELU, backend) !== undefined && tf.getKernel(BATCH_NORM_RELU_GRAD, backend) !== undefined;
}

export function batchNormRelu<T extends Tensor>(tf: TF, x: T, gamma: Tensor, beta: Tensor, epsilon: number): BatchNormReluResult<T> {
  if (hasFusedBatchNormRelu(tf)) {
    registerGradient(tf);
    const inputs = { x, gamma, beta } as unknown as NamedTensorMap;
    const [out, mean, variance] = tf.engine().runKernel(BATCH_NORM_RELU, inputs, { epsilon }) as Tensor[];
    return { out: out as T, mean: mean!, variance: variance! };
  }
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  const out = tf.relu(tf.batchNorm(x, mean, variance, beta, gamma, epsilon)) as T;
  return { out, mean, variance };
}
