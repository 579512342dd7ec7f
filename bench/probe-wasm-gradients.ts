/**
 * Probe: runs tf.grad through every op the U-Net, its losses and the BI-RADS features use, on the
 * wasm backend, and lists the ones that fail (a missing kernel or gradient). Run it after a tfjs
 * upgrade: `node --import tsx bench/probe-wasm-gradients.ts` (exit code 1 when any op fails).
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/engine/backend';

type Probe = () => unknown;

/** Ops whose gradient tfjs 4.22 lacks or gets wrong on every backend, cpu included: avoid them. */
const TFJS_LIMITATIONS: Record<string, string> = {
  cumsum: 'Cumsum gradient has the wrong shape for an axis other than the last',
  cumprod: 'no Cumprod gradient',
  stridedSlice: 'no StridedSlice gradient (use slice)',
};

function probes(): Record<string, Probe> {
  const x = tf.randomNormal([2, 8, 8, 3]);
  const w = tf.randomNormal([3, 3, 3, 4]);
  const sum = (t: tf.Tensor) => tf.sum(t);
  const g1 = (f: (t: tf.Tensor) => tf.Tensor) => () => tf.grad(f)(x);
  return {
    conv2dSame: () => tf.grads((a, b) => sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')))([x, w]),
    conv2dStride2Valid: () => tf.grads((a, b) => sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'valid')))([x, w]),
    fusedConv2dReluBias: () =>
      tf.grads((a, b, c) => sum(tf.fused.conv2d({ x: a as tf.Tensor4D, filter: b as tf.Tensor4D, strides: 1, pad: 'same', bias: c, activation: 'relu' })))([x, w, tf.zeros([4])]),
    conv2dTranspose: () =>
      tf.grads((a, b) => sum(tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, [2, 16, 16, 4], 2, 'same')))([x, tf.randomNormal([2, 2, 4, 3])]),
    maxPool: g1((t) => sum(tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid'))),
    avgPool: g1((t) => sum(tf.avgPool(t as tf.Tensor4D, 2, 2, 'valid'))),
    moments: g1((t) => {
      const m = tf.moments(t, [0, 1, 2]);
      return sum(tf.add(m.mean, m.variance));
    }),
    batchNorm: () =>
      tf.grads((a, m, v, o, s) => sum(tf.batchNorm(a, m, v, o, s, 1e-3)))([x, tf.zeros([3]), tf.ones([3]), tf.zeros([3]), tf.ones([3])]),
    rsqrt: g1((t) => sum(tf.rsqrt(tf.add(tf.square(t), 1)))),
    sqrt: g1((t) => sum(tf.sqrt(tf.add(tf.square(t), 1)))),
    pow: g1((t) => sum(tf.pow(tf.add(tf.abs(t), 0.1), tf.scalar(1.5)))),
    relu: g1((t) => sum(tf.relu(t))),
    sigmoid: g1((t) => sum(tf.sigmoid(t))),
    log: g1((t) => sum(tf.log(tf.add(tf.abs(t), 1)))),
    log1p: g1((t) => sum(tf.log1p(tf.abs(t)))),
    clipByValue: g1((t) => sum(tf.clipByValue(t, 0.1, 0.9))),
    concat: g1((t) => sum(tf.concat([t, t], 3))),
    mean: g1((t) => sum(tf.mean(t, [1, 2]))),
    atan2: g1((t) => sum(tf.atan2(t, tf.add(tf.abs(t), 2)))),
    atan: g1((t) => sum(tf.atan(t))),
    sigmoidCrossEntropy: g1((t) => tf.losses.sigmoidCrossEntropy(tf.onesLike(t), t)),
    matMul: () => tf.grads((a, b) => sum(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D)))([tf.ones([2, 3]), tf.ones([3, 4])]),
    fusedMatMulSigmoid: () =>
      tf.grads((a, b, c) => sum(tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias: c, activation: 'sigmoid' })))([tf.ones([2, 3]), tf.ones([3, 4]), tf.ones([4])]),
    resizeBilinear: g1((t) => sum(tf.image.resizeBilinear(t as tf.Tensor4D, [16, 16]))),
    resizeNearest: g1((t) => sum(tf.image.resizeNearestNeighbor(t as tf.Tensor4D, [16, 16]))),
    maximum: g1((t) => sum(tf.maximum(t, 0))),
    minimum: g1((t) => sum(tf.minimum(t, 0))),
    where: () => {
      const positive = tf.greater(x, 0);
      return tf.grad((t) => sum(tf.where(positive, t, tf.zerosLike(t))))(x);
    },
    exp: g1((t) => sum(tf.exp(t))),
    tanh: g1((t) => sum(tf.tanh(t))),
    softplus: g1((t) => sum(tf.softplus(t))),
    abs: g1((t) => sum(tf.abs(t))),
    div: g1((t) => sum(tf.div(t, tf.add(tf.abs(t), 1)))),
    slice: g1((t) => sum(tf.slice(t, [0, 1, 1, 0], [1, 3, 3, 2]))),
    pad: g1((t) => sum(tf.pad(t, [[0, 0], [1, 1], [1, 1], [0, 0]]))),
    transpose: g1((t) => sum(tf.transpose(t, [0, 3, 1, 2]))),
    tile: g1((t) => sum(tf.tile(t, [1, 2, 1, 1]))),
    cumsum: g1((t) => sum(tf.cumsum(t, 1))),
    gather: g1((t) => sum(tf.gather(t, [0, 0], 1))),
    max: g1((t) => tf.max(t)),
    min: g1((t) => tf.min(t)),
    sin: g1((t) => sum(tf.sin(t))),
    cos: g1((t) => sum(tf.cos(t))),
    squaredDifference: g1((t) => sum(tf.squaredDifference(t, 1))),
    leakyRelu: g1((t) => sum(tf.leakyRelu(t))),
    elu: g1((t) => sum(tf.elu(t))),
    depthwiseConv2d: () => tf.grads((a, b) => sum(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')))([x, tf.ones([3, 3, 3, 1])]),
    reciprocal: g1((t) => sum(tf.reciprocal(tf.add(tf.abs(t), 1)))),
    sign: g1((t) => sum(tf.mul(tf.sign(t), t))),
    prod: g1((t) => sum(tf.prod(t, 1))),
    softmax: g1((t) => sum(tf.mul(tf.softmax(t), t))),
    logSumExp: g1((t) => sum(tf.logSumExp(t, 3))),
    mirrorPad: g1((t) => sum(tf.mirrorPad(t, [[0, 0], [1, 1], [1, 1], [0, 0]], 'reflect'))),
    stridedSlice: g1((t) => sum(tf.stridedSlice(t, [0, 0, 0, 0], [2, 8, 8, 3], [1, 2, 2, 1]))),
    stack: g1((t) => sum(tf.stack([t, t]))),
    cumprod: g1((t) => sum(tf.cumprod(tf.add(tf.abs(t), 1), 1))),
    asin: g1((t) => sum(tf.asin(tf.mul(tf.tanh(t), 0.5)))),
    acos: g1((t) => sum(tf.acos(tf.mul(tf.tanh(t), 0.5)))),
    relu6: g1((t) => sum(tf.relu6(t))),
    selu: g1((t) => sum(tf.selu(t))),
    step: g1((t) => sum(tf.step(t))),
    prelu: () => tf.grads((a, b) => sum(tf.prelu(a, b)))([x, tf.fill([3], 0.1)]),
    expm1: g1((t) => sum(tf.expm1(t))),
    erf: g1((t) => sum(tf.erf(t))),
    mod: g1((t) => sum(tf.mod(t, 2))),
    floor: g1((t) => sum(tf.floor(t))),
    round: g1((t) => sum(tf.round(t))),
    localResponseNormalization: g1((t) => sum(tf.localResponseNormalization(t as tf.Tensor4D))),
    dilation2d: g1((t) => sum(tf.dilation2d(t as tf.Tensor4D, tf.ones([3, 3, 3]), 1, 'same'))),
    separableConv2d: () =>
      tf.grads((a, d, p) => sum(tf.separableConv2d(a as tf.Tensor4D, d as tf.Tensor4D, p as tf.Tensor4D, 1, 'same')))([x, tf.ones([3, 3, 3, 1]), tf.ones([1, 1, 3, 4])]),
    conv1d: () => tf.grads((a, b) => sum(tf.conv1d(a as tf.Tensor3D, b as tf.Tensor3D, 1, 'same')))([tf.ones([2, 8, 3]), tf.ones([3, 3, 4])]),
    argMax: () => tf.argMax(x, 3),
    oneHot: () => tf.oneHot(tf.tensor1d([0, 1], 'int32'), 3),
    topk: () => tf.topk(tf.ones([10]), 3).values,
    linspace: () => tf.linspace(0, 1, 5),
    einsum: () => tf.einsum('ij,jk->ik', tf.ones([2, 3]), tf.ones([3, 4])),
    adam: () => {
      const v = tf.variable(tf.ones([3, 3, 3, 4]));
      const opt = tf.train.adam(1e-3);
      opt.minimize(() => tf.sum(tf.conv2d(x as tf.Tensor4D, v as tf.Tensor4D, 1, 'same')) as tf.Scalar);
      opt.dispose();
      v.dispose();
    },
  };
}

async function main(): Promise<void> {
  const { name, reason } = await initBackend((process.argv[2] as 'wasm' | 'cpu' | undefined) ?? 'wasm');
  console.log(`backend ${name} (${reason})`);
  let failed = 0;
  for (const [op, run] of Object.entries(probes())) {
    try {
      tf.tidy(() => {
        run();
      });
    } catch (err) {
      if (op in TFJS_LIMITATIONS) {
        console.log(`${op.padEnd(28)} known tfjs limitation: ${TFJS_LIMITATIONS[op]}`);
        continue;
      }
      failed++;
      console.log(`${op.padEnd(28)} FAIL ${(err instanceof Error ? err.message : String(err)).slice(0, 160)}`);
    }
  }
  console.log(failed === 0 ? 'all ops have kernels and gradients' : `${failed} op(s) failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

void main();
