/**
 * The U-Net of src/engine/model/unet.ts as an ONNX graph in NCHW layout, from a checkpoint's
 * tensors: batch norm folded into each convolution (the same folding the engine's inference uses),
 * kernels transposed from TensorFlow.js's [kh, kw, in, out] to ONNX's [out, in, kh, kw].
 *
 * Inputs and outputs (docs/EXPORT.md):
 *   image        float32 [N, 1, S, S], grey in [0, 1]
 *   mask         float32 [N, 1, S, S], lesion probability per pixel
 *   p_malignant  float32 [N, 1], malignancy probability (multi-task runs only)
 */
import type { ModelDescription } from '../model/predictor';
import { foldBatchNorm } from '../model/unet';
import type { Tensor, TF } from '../tf';
import { FloatArray, OnnxGraphBuilder } from './onnxBuilder';

export const ONNX_INPUT = 'image';
export const ONNX_MASK_OUTPUT = 'mask';
export const ONNX_MALIGNANCY_OUTPUT = 'p_malignant';
/** The ONNX operator set the graph uses (Conv, ConvTranspose, MaxPool, Gemm... as of opset 13). */
export const ONNX_OPSET = 13;

/** Copies a tensor's values out, transposed by `perm` when given. */
function floats(tf: TF, t: Tensor, perm?: number[]): FloatArray {
  const moved = perm ? tf.transpose(t, perm) : t;
  const out = { dims: [...moved.shape], values: Float32Array.from(moved.dataSync() as Float32Array) };
  if (moved !== t) moved.dispose();
  return out;
}

/** Shapes the exporter checks before it trusts a checkpoint. */
function expectShape(name: string, t: Tensor | undefined, shape: number[]): Tensor {
  if (!t) throw new Error(`checkpoint lacks weight '${name}'`);
  if (t.shape.join(',') !== shape.join(',')) throw new Error(`checkpoint weight '${name}' has shape [${t.shape}], expected [${shape}]`);
  return t;
}

export function unetToOnnxGraph(tf: TF, model: ModelDescription, tensors: Map<string, Tensor>): { graph: ReturnType<OnnxGraphBuilder['graph']>; hasClassifier: boolean } {
  if (model.architecture !== 'unet') throw new Error(`cannot export architecture '${String(model.architecture)}' (only 'unet')`);
  const { baseWidth, depth, withClassifier, inputSize: S } = model;
  const widths = Array.from({ length: depth + 1 }, (_, i) => baseWidth * 2 ** i);
  const g = new OnnxGraphBuilder();
  const get = (name: string, shape: number[]) => expectShape(name, tensors.get(name), shape);

  /** Conv 3x3 'same' with the folded batch norm, then ReLU. */
  const convBnRelu = (x: string, name: string, cin: number, cout: number): string => {
    const folded = foldBatchNorm(tf, get(`${name}/kernel`, [3, 3, cin, cout]), {
      gamma: get(`${name}/bn/gamma`, [cout]),
      beta: get(`${name}/bn/beta`, [cout]),
      movingMean: get(`${name}/bn/moving_mean`, [cout]),
      movingVariance: get(`${name}/bn/moving_variance`, [cout]),
    });
    try {
      const w = g.initializer(`${name}/kernel`, floats(tf, folded.kernel, [3, 2, 0, 1]));
      const b = g.initializer(`${name}/bias`, floats(tf, folded.bias));
      const y = g.node('Conv', [x, w, b], `${name}/conv`, { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1] });
      return g.node('Relu', [y], `${name}/relu`);
    } finally {
      folded.kernel.dispose();
      folded.bias.dispose();
    }
  };

  let h = g.input(ONNX_INPUT, ['N', 1, S, S]);
  const skips: string[] = [];
  let cin = 1;
  for (let i = 0; i < depth; i++) {
    h = convBnRelu(convBnRelu(h, `enc${i}/conv0`, cin, widths[i]), `enc${i}/conv1`, widths[i], widths[i]);
    skips.push(h);
    h = g.node('MaxPool', [h], `enc${i}/pool`, { kernel_shape: [2, 2], strides: [2, 2] });
    cin = widths[i];
  }
  h = convBnRelu(convBnRelu(h, 'bottleneck/conv0', widths[depth - 1], widths[depth]), 'bottleneck/conv1', widths[depth], widths[depth]);

  if (withClassifier) {
    const pooled = g.node('GlobalAveragePool', [h], 'classifier/pool');
    const flat = g.node('Flatten', [pooled], 'classifier/flatten', { axis: 1 });
    const w = g.initializer('classifier/kernel', floats(tf, get('classifier/kernel', [widths[depth], 1])));
    const b = g.initializer('classifier/bias', floats(tf, get('classifier/bias', [1])));
    const logit = g.node('Gemm', [flat, w, b], 'classifier/logit');
    g.node('Sigmoid', [logit], ONNX_MALIGNANCY_OUTPUT);
  }

  for (let level = depth - 1; level >= 0; level--) {
    // tfjs conv2dTranspose filters are [k, k, out, in]; ONNX ConvTranspose wants [in, out, k, k].
    const w = g.initializer(`up${level}/kernel`, floats(tf, get(`up${level}/kernel`, [2, 2, widths[level], widths[level + 1]]), [3, 2, 0, 1]));
    const b = g.initializer(`up${level}/bias`, floats(tf, get(`up${level}/bias`, [widths[level]])));
    const up = g.node('ConvTranspose', [h, w, b], `up${level}/conv`, { kernel_shape: [2, 2], strides: [2, 2] });
    h = g.node('Concat', [up, skips[level]], `dec${level}/concat`, { axis: 1 });
    h = convBnRelu(convBnRelu(h, `dec${level}/conv0`, 2 * widths[level], widths[level]), `dec${level}/conv1`, widths[level], widths[level]);
  }
  const hw = g.initializer('head/kernel', floats(tf, get('head/kernel', [1, 1, widths[0], 1]), [3, 2, 0, 1]));
  const hb = g.initializer('head/bias', floats(tf, get('head/bias', [1])));
  const logits = g.node('Conv', [h, hw, hb], 'head/conv', { kernel_shape: [1, 1] });
  g.node('Sigmoid', [logits], ONNX_MASK_OUTPUT);

  g.output(ONNX_MASK_OUTPUT, ['N', 1, S, S]);
  if (withClassifier) g.output(ONNX_MALIGNANCY_OUTPUT, ['N', 1]);
  return { graph: g.graph('bus_lab_unet'), hasClassifier: withClassifier };
}
