/**
 * A second GPU path, checked on a lent GPU machine: TensorFlow.js's webgpu backend on Dawn (the
 * `webgpu` npm package, native bindings for Node), running the project's U-Net training step and
 * inference, against the wasm backend on the same machine, same model, same batch.
 *
 * Not part of the product or of CI: its two dependencies are large, platform-specific and
 * experimental. To run it:
 *   npm install --no-save webgpu@0.6.2 @tensorflow/tfjs-backend-webgpu@4.22.0
 *   npx esbuild bench/gpu/webgpu-check.ts --bundle --platform=node --format=esm --external:webgpu \
 *     --banner:js="import { createRequire } from 'module'; ... const require = ...; const __dirname = ...;" \
 *     --outfile=dist/webgpu-check.mjs        (the banner gives the CommonJS parts require/__dirname)
 *   (copy the tfjs wasm binaries to dist/wasm/)
 *   node dist/webgpu-check.mjs [--size 128] [--batch 4] [--steps 5]
 * docs/PERFORMANCE.md records what happened when it ran.
 */
import './webgpu-globals';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerProjectKernels } from '../../src/engine/backend/kernels';
import { createUNet } from '../../src/engine/model/unet';
import { binaryCrossEntropy, softDiceLoss } from '../../src/engine/losses/segmentation';
import type { Scalar, Tensor, Tensor4D, TF } from '../../src/engine/tf';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const size = arg('size', 128);
const batch = arg('batch', 4);
const steps = arg('steps', 5);

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function measure(backend: string) {
  // setBackend answers false (it does not throw) when a backend fails to start.
  if (!(await tf.setBackend(backend)) || tf.getBackend() !== backend) throw new Error(`backend '${backend}' did not start`);
  await tf.ready();
  const t = tf as unknown as TF;
  const net = createUNet(t, { baseWidth: 16, depth: 4, withClassifier: true, seed: 1 });
  const x = tf.randomUniform([batch, size, size, 1], 0, 1, 'float32', 7) as unknown as Tensor4D;
  const m = tf.cast(tf.greater(tf.randomUniform([batch, size, size, 1], 0, 1, 'float32', 8), 0.7), 'float32') as unknown as Tensor4D;
  const y = tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 2)) as unknown as Tensor;
  const forward = tf.tidy(() => net.forward(x, false).seg);
  const reference = await forward.data();
  forward.dispose();
  const opt = tf.train.adam(1e-3);
  const trainTimes: number[] = [];
  let lastLoss = NaN;
  for (let i = 0; i < steps + 2; i++) {
    const t0 = performance.now();
    const loss = opt.minimize(() => {
      const o = net.forward(x, true);
      const seg = tf.add(softDiceLoss(t, o.seg, m), tf.mean(binaryCrossEntropy(t, o.seg, m)));
      return tf.add(seg, tf.mul(tf.mean(binaryCrossEntropy(t, o.pMalignant!, y)), 0.5)) as unknown as Scalar;
    }, true, net.trainableVariables as never) as unknown as Tensor;
    lastLoss = (await loss.data())[0];
    loss.dispose();
    net.commitBatchNormUpdates();
    if (i >= 2) trainTimes.push(performance.now() - t0);
  }
  const inferTimes: number[] = [];
  for (let i = 0; i < steps + 2; i++) {
    const t0 = performance.now();
    const out = tf.tidy(() => net.forward(x, false).seg);
    await out.data();
    out.dispose();
    if (i >= 2) inferTimes.push(performance.now() - t0);
  }
  const result = {
    backend,
    trainImagesPerSecond: (batch * 1000) / median(trainTimes),
    inferImagesPerSecond: (batch * 1000) / median(inferTimes),
    lastLoss,
    tensors: tf.memory().numTensors,
  };
  net.dispose();
  opt.dispose();
  tf.dispose([x, m, y]);
  return { result, reference };
}

async function main() {
  const gpu = (globalThis as unknown as { navigator: { gpu: { requestAdapter(): Promise<unknown> } } }).navigator.gpu;
  const adapter = await gpu.requestAdapter();
  const info = adapter ? (adapter as unknown as { info?: Record<string, string> }).info : undefined;
  console.log(JSON.stringify({ adapter: info ? { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description } : null }));
  setWasmPaths(new URL('./wasm/', import.meta.url).pathname);
  registerProjectKernels();
  const out: Record<string, unknown>[] = [];
  let ref: Float32Array | undefined;
  for (const backend of ['wasm', 'webgpu']) {
    try {
      const { result, reference } = await measure(backend);
      let maxDiff: number | undefined;
      if (ref) maxDiff = reference.reduce((mx, v, i) => Math.max(mx, Math.abs(v - ref![i])), 0);
      else ref = reference as Float32Array;
      out.push({ ...result, forwardMaxAbsDiffVsWasm: maxDiff });
    } catch (err) {
      out.push({ backend, error: (err as Error).message.split('\n')[0] });
    }
    console.log(JSON.stringify(out.at(-1)));
  }
  console.log(JSON.stringify({ size, batch, steps, results: out }));
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
