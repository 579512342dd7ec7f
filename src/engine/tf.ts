/**
 * The TensorFlow.js namespace the engine computes with. It is passed explicitly (never imported
 * for computation) so that model, losses, features and plugins all use the instance whose backend
 * `backend/` selected, including a tfjs-node found outside our node_modules.
 */
export type TF = typeof import('@tensorflow/tfjs-core');
export type Tensor = import('@tensorflow/tfjs-core').Tensor;
export type Scalar = import('@tensorflow/tfjs-core').Scalar;
export type Tensor1D = import('@tensorflow/tfjs-core').Tensor1D;
export type Tensor4D = import('@tensorflow/tfjs-core').Tensor4D;
export type Variable = import('@tensorflow/tfjs-core').Variable;
export type NamedTensorMap = import('@tensorflow/tfjs-core').NamedTensorMap;
