/**
 * Where a training step and an inference step spend their time, kernel by kernel (tf.profile), on
 * the real U-Net and losses. `node --import tsx bench/profile-kernels.ts [backend] [size] [batch]`.
 * Guides which kernels are worth replacing; not part of the product.
 */
import { initBackend } from '../src/engine/backend';
import { syntheticBatch } from '../src/engine/bench/modelBenchmark';
import { binaryCrossEntropy, softDiceLoss } from '../src/engine/losses/segmentation';
import { createUNet } from '../src/engine/model/unet';
import { createAdam } from '../src/engine/train/adam';
import type { BackendChoice } from '../src/engine/types';
import type { Scalar, Tensor, Tensor4D } from '../src/engine/tf';

async function main(): Promise<void> {
  const backend = (process.argv[2] ?? 'wasm') as BackendChoice;
  const size = Number(process.argv[3] ?? 128);
  const batch = Number(process.argv[4] ?? 4);
  const { tf, name } = await initBackend(backend);
  const net = createUNet(tf, { baseWidth: 16, depth: 4, withClassifier: true, seed: 1 });
  const optimizer = createAdam(tf, 1e-3);
  const data = syntheticBatch(size, batch, 1);
  const image = tf.tensor4d(data.images, [batch, size, size, 1]) as Tensor4D;
  const mask = tf.tensor4d(data.masks, [batch, size, size, 1]);
  const label = tf.tensor1d(data.labels);
  const train = () => {
    const loss = optimizer.minimize(() => {
      const out = net.forward(image, true);
      const seg = tf.add(softDiceLoss(tf, out.seg, mask), tf.mean(binaryCrossEntropy(tf, out.seg, mask)));
      return tf.add(seg, tf.mul(tf.mean(binaryCrossEntropy(tf, out.pMalignant as Tensor, label)), 0.5)) as Scalar;
    }, true);
    loss!.dataSync();
    loss!.dispose();
    net.commitBatchNormUpdates();
  };
  const infer = () => {
    const seg = tf.tidy(() => net.forward(image, false).seg);
    seg.dataSync();
    seg.dispose();
  };
  for (const [phase, step] of [['train', train], ['infer', infer]] as const) {
    step();
    const start = performance.now();
    const profile = await tf.profile(() => {
      step();
    });
    const wall = performance.now() - start;
    const byKernel = new Map<string, { ms: number; calls: number }>();
    for (const k of profile.kernels) {
      const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      const key = k.name;
      const entry = byKernel.get(key) ?? { ms: 0, calls: 0 };
      entry.ms += ms;
      entry.calls++;
      byKernel.set(key, entry);
    }
    const rows = [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms);
    const total = rows.reduce((s, [, v]) => s + v.ms, 0);
    console.log(`\n${phase} on ${name}, ${size}x${size} batch ${batch}: wall ${wall.toFixed(0)} ms, kernels ${total.toFixed(0)} ms`);
    for (const [kernel, v] of rows.slice(0, 18)) console.log(`  ${kernel.padEnd(26)} ${v.ms.toFixed(1).padStart(8)} ms  ${String(v.calls).padStart(4)} calls  ${((100 * v.ms) / total).toFixed(1)}%`);
  }
}

void main();
