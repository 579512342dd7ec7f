/**
 * The multi-task U-Net: segmentation (sigmoid per pixel) and, optionally, a malignancy classifier
 * on the bottleneck (global average pooling, dense, sigmoid).
 *
 * Written with plain tfjs-core ops and explicit variables rather than tfjs-layers: the engine
 * needs control over batch-norm statistics, folding them into convolutions for inference, and a
 * weight format it can write atomically without tfjs-node's file IO.
 */
import type { Tensor, Tensor4D, TF, Variable } from '../tf';
import { batchNormRelu } from '../ops/batchNormRelu';

export interface UNetOptions {
  baseWidth: number;
  /** Number of down-sampling levels (4 in the paper's setting). */
  depth: number;
  withClassifier: boolean;
  seed: number;
}

export interface UNetOutputs {
  /** Lesion probability per pixel, [B, S, S, 1]. */
  seg: Tensor4D;
  /** Malignancy probability per image, [B]; absent without a classifier. */
  pMalignant?: Tensor;
}

/** One batch-norm layer: trainable scale/offset plus running statistics used at inference. */
interface BatchNormParams {
  gamma: Variable;
  beta: Variable;
  movingMean: Variable;
  movingVariance: Variable;
}

interface ConvBnParams {
  kernel: Variable;
  bn: BatchNormParams;
}

const BN_MOMENTUM = 0.9;
const BN_EPSILON = 1e-3;

/**
 * Inference-mode batch norm folded into the convolution before it: kernel * scale per output
 * channel and a bias, scale = gamma / sqrt(movingVariance + eps). The forward pass and the ONNX
 * exporter both use this, so an exported model computes what the engine computes.
 */
export function foldBatchNorm(
  tf: TF,
  kernel: Tensor,
  bn: { gamma: Tensor; beta: Tensor; movingMean: Tensor; movingVariance: Tensor },
): { kernel: Tensor4D; bias: Tensor } {
  return tf.tidy(() => {
    const scale = tf.mul(bn.gamma, tf.rsqrt(tf.add(bn.movingVariance, BN_EPSILON)));
    return { kernel: tf.mul(kernel, scale) as Tensor4D, bias: tf.sub(bn.beta, tf.mul(bn.movingMean, scale)) };
  });
}

export class UNet {
  readonly options: UNetOptions;
  /** Every variable by a stable name; the checkpoint format and the optimizer rely on these names. */
  readonly variables = new Map<string, Variable>();
  private readonly tf: TF;
  private seedCounter: number;
  /** Batch statistics of the last training forward pass, applied by commitBatchNormUpdates(). */
  private pendingStats: { bn: BatchNormParams; mean: Tensor; variance: Tensor }[] = [];

  constructor(tf: TF, options: UNetOptions) {
    this.tf = tf;
    this.options = options;
    this.seedCounter = options.seed * 7919;
    this.build();
  }

  /** Variables the optimizer updates (kernels, biases, batch-norm scale and offset). */
  get trainableVariables(): Variable[] {
    return [...this.variables.values()].filter((v) => v.trainable);
  }

  get parameterCount(): number {
    let n = 0;
    for (const v of this.variables.values()) if (v.trainable) n += v.size;
    return n;
  }

  private widths(): number[] {
    const { baseWidth, depth } = this.options;
    return Array.from({ length: depth + 1 }, (_, i) => baseWidth * 2 ** i);
  }

  private addVariable(name: string, init: Tensor, trainable = true): Variable {
    // tfjs variable names are global to the engine; ours live in the map so two models (training
    // and a predictor) can coexist.
    const v = this.tf.variable(init, trainable);
    init.dispose();
    this.variables.set(name, v);
    return v;
  }

  /** He-normal initialisation, seeded per layer so runs are reproducible on a given backend. */
  private heKernel(name: string, shape: [number, number, number, number], fanIn: number): Variable {
    const std = Math.sqrt(2 / fanIn);
    return this.addVariable(name, this.tf.randomNormal(shape, 0, std, 'float32', this.seedCounter++));
  }

  private convBn(name: string, cin: number, cout: number): ConvBnParams {
    const tf = this.tf;
    return {
      kernel: this.heKernel(`${name}/kernel`, [3, 3, cin, cout], 9 * cin),
      bn: {
        gamma: this.addVariable(`${name}/bn/gamma`, tf.ones([cout])),
        beta: this.addVariable(`${name}/bn/beta`, tf.zeros([cout])),
        movingMean: this.addVariable(`${name}/bn/moving_mean`, tf.zeros([cout]), false),
        movingVariance: this.addVariable(`${name}/bn/moving_variance`, tf.ones([cout]), false),
      },
    };
  }

  private encoder: ConvBnParams[][] = [];
  private bottleneck: ConvBnParams[] = [];
  private upKernels: { kernel: Variable; bias: Variable }[] = [];
  private decoder: ConvBnParams[][] = [];
  private head!: { kernel: Variable; bias: Variable };
  private classifier?: { kernel: Variable; bias: Variable };

  private build(): void {
    const tf = this.tf;
    const w = this.widths();
    const depth = this.options.depth;
    let cin = 1;
    for (let i = 0; i < depth; i++) {
      this.encoder.push([this.convBn(`enc${i}/conv0`, cin, w[i]), this.convBn(`enc${i}/conv1`, w[i], w[i])]);
      cin = w[i];
    }
    this.bottleneck = [this.convBn('bottleneck/conv0', w[depth - 1], w[depth]), this.convBn('bottleneck/conv1', w[depth], w[depth])];
    for (let i = depth - 1; i >= 0; i--) {
      // conv2dTranspose filters are [k, k, outChannels, inChannels].
      this.upKernels.push({
        kernel: this.heKernel(`up${i}/kernel`, [2, 2, w[i], w[i + 1]], 4 * w[i + 1]),
        bias: this.addVariable(`up${i}/bias`, tf.zeros([w[i]])),
      });
      this.decoder.push([this.convBn(`dec${i}/conv0`, 2 * w[i], w[i]), this.convBn(`dec${i}/conv1`, w[i], w[i])]);
    }
    this.head = {
      kernel: this.heKernel('head/kernel', [1, 1, w[0], 1], w[0]),
      bias: this.addVariable('head/bias', tf.zeros([1])),
    };
    if (this.options.withClassifier) {
      const std = Math.sqrt(1 / w[depth]);
      this.classifier = {
        kernel: this.addVariable('classifier/kernel', tf.randomNormal([w[depth], 1], 0, std, 'float32', this.seedCounter++)),
        bias: this.addVariable('classifier/bias', tf.zeros([1])),
      };
    }
  }

  private convBnRelu(x: Tensor4D, p: ConvBnParams, training: boolean): Tensor4D {
    const tf = this.tf;
    const { bn } = p;
    if (!training) {
      // Inference: fold the running statistics into the kernel and a bias, so one fused
      // conv + bias + ReLU kernel does the whole block.
      const { kernel, bias } = foldBatchNorm(tf, p.kernel, bn);
      return tf.fused.conv2d({ x, filter: kernel, strides: 1, pad: 'same', bias, activation: 'relu' });
    }
    const y = tf.conv2d(x, p.kernel as Tensor4D, 1, 'same');
    const { out, mean, variance } = batchNormRelu(tf, y, bn.gamma, bn.beta, BN_EPSILON);
    this.pendingStats.push({ bn, mean: tf.keep(mean), variance: tf.keep(variance) });
    return out;
  }

  /**
   * Runs the network. In training mode batch-norm uses the batch's statistics and records them;
   * call commitBatchNormUpdates() after the optimizer step (outside any gradient tape).
   */
  forward(x: Tensor4D, training: boolean): UNetOutputs {
    const tf = this.tf;
    const skips: Tensor4D[] = [];
    let h = x;
    for (const [a, b] of this.encoder) {
      h = this.convBnRelu(this.convBnRelu(h, a, training), b, training);
      skips.push(h);
      h = tf.maxPool(h, 2, 2, 'valid');
    }
    h = this.convBnRelu(this.convBnRelu(h, this.bottleneck[0], training), this.bottleneck[1], training);
    let pMalignant: Tensor | undefined;
    if (this.classifier) {
      const pooled = tf.mean(h, [1, 2]);
      const logit = tf.add(tf.matMul(pooled, this.classifier.kernel), this.classifier.bias);
      pMalignant = tf.reshape(tf.sigmoid(logit), [-1]);
    }
    for (let i = 0; i < this.decoder.length; i++) {
      const skip = skips[skips.length - 1 - i];
      const up = this.upKernels[i];
      const [b, hh, ww, c] = skip.shape;
      const upsampled = tf.add(tf.conv2dTranspose(h, up.kernel as Tensor4D, [b, hh, ww, c], 2, 'same'), up.bias) as Tensor4D;
      h = tf.concat([upsampled, skip], 3);
      const [a, bb] = this.decoder[i];
      h = this.convBnRelu(this.convBnRelu(h, a, training), bb, training);
    }
    const logits = tf.add(tf.conv2d(h, this.head.kernel as Tensor4D, 1, 'same'), this.head.bias) as Tensor4D;
    return { seg: tf.sigmoid(logits), pMalignant };
  }

  /** Moves the running batch-norm statistics towards the last training batch's. */
  commitBatchNormUpdates(): void {
    const tf = this.tf;
    for (const { bn, mean, variance } of this.pendingStats) {
      tf.tidy(() => {
        bn.movingMean.assign(tf.add(tf.mul(bn.movingMean, BN_MOMENTUM), tf.mul(mean, 1 - BN_MOMENTUM)));
        bn.movingVariance.assign(tf.add(tf.mul(bn.movingVariance, BN_MOMENTUM), tf.mul(variance, 1 - BN_MOMENTUM)));
      });
      mean.dispose();
      variance.dispose();
    }
    this.pendingStats = [];
  }

  /** Drops recorded statistics without applying them (a failed or cancelled step). */
  discardBatchNormUpdates(): void {
    for (const s of this.pendingStats) {
      s.mean.dispose();
      s.variance.dispose();
    }
    this.pendingStats = [];
  }

  dispose(): void {
    this.discardBatchNormUpdates();
    for (const v of this.variables.values()) v.dispose();
    this.variables.clear();
  }
}

export function createUNet(tf: TF, options: UNetOptions): UNet {
  return new UNet(tf, options);
}
