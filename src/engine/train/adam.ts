/**
 * Adam, as tfjs's AdamOptimizer (same formula, same state variables, same getWeights/setWeights
 * layout, so checkpoints move freely between the two), with each variable's step done by one fused
 * kernel where the backend has it (ops/adamUpdate.ts). Stock tfjs Adam runs about 15 small
 * kernels per variable; for the U-Net's 66 variables that was about a fifth of a training step.
 * Elsewhere it is tfjs's own applyGradients, unchanged.
 */
import type { NamedTensorMap, Tensor, TF, Variable } from '../tf';
import { ADAM_UPDATE, hasFusedAdamUpdate } from '../ops/adamUpdate';

/** AdamOptimizer's private state, which this subclass shares (tfjs-core 4.x field names). */
interface AdamState {
  accBeta1: Variable;
  accBeta2: Variable;
  accumulatedFirstMoment: { originalName: string; variable: Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: Variable }[];
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

export type Adam = ReturnType<TF['train']['adam']>;
type VariableGradients = Parameters<Adam['applyGradients']>[0];

export function createAdam(tf: TF, learningRate: number, beta1 = 0.9, beta2 = 0.999): Adam {
  class FusedAdam extends tf.AdamOptimizer {
    override applyGradients(variableGradients: VariableGradients): void {
      if (!hasFusedAdamUpdate(tf)) {
        super.applyGradients(variableGradients);
        return;
      }
      const state = this as unknown as AdamState;
      const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
      tf.tidy(() => {
        names.forEach((name, i) => {
          const value = tf.engine().registeredVariables[name]!;
          state.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
          state.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
          const gradient = Array.isArray(variableGradients) ? variableGradients[i]!.tensor : variableGradients[name];
          if (gradient == null) return;
          const m = state.accumulatedFirstMoment[i]!.variable;
          const v = state.accumulatedSecondMoment[i]!.variable;
          const inputs = { value, m, v, gradient, accBeta1: state.accBeta1, accBeta2: state.accBeta2 } as unknown as NamedTensorMap;
          const attrs = { learningRate: state.learningRate, beta1: state.beta1, beta2: state.beta2, epsilon: state.epsilon };
          const [newValue, newM, newV] = tf.engine().runKernel(ADAM_UPDATE, inputs, attrs) as Tensor[];
          m.assign(newM!);
          v.assign(newV!);
          value.assign(newValue!);
        });
        state.accBeta1.assign(tf.mul(state.accBeta1, state.beta1));
        state.accBeta2.assign(tf.mul(state.accBeta2, state.beta2));
      });
      this.incrementIterations();
    }
  }
  return new FusedAdam(learningRate, beta1, beta2);
}
