/**
 * Identity in the forward pass, zero gradient in the backward pass (tfjs has no stop-gradient
 * op). The consistency loss reads the mask's features through it when `maskGradient` is off, so
 * the term trains the classifier and phi but never pulls on the mask.
 */
import type { Tensor, TF } from '../tf';

export function stopGradient<T extends Tensor>(tf: TF, x: T): T {
  const f = tf.customGrad((...inputs: unknown[]) => ({
    value: tf.clone(inputs[0] as Tensor),
    gradFunc: (dy: Tensor | Tensor[]) => tf.zerosLike(dy as Tensor),
  }));
  return f(x) as T;
}
