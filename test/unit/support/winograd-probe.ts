/**
 * Run by backend-winograd.test.ts in a child process (the algorithm choice is read once per
 * process from BUS_LAB_CONV_ALGORITHM): the three convolution kinds of one U-Net-like layer on the
 * accelerator against the cpu backend, and oneDNN's name for each kernel. Prints one JSON line.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../src/engine/backend';
import { ConvKind, ConvParam, loadAcceleratorAddon } from '../../../src/engine/backend/accelerator/addon';
import { on, seeded } from './backend-compare';

async function main(): Promise<void> {
  await initBackend('wasm');
  const [n, h, w, ci, co] = [2, 16, 16, 32, 32];
  const x = () => seeded([n, h, w, ci], 1) as tf.Tensor4D;
  const filter = () => seeded([3, 3, ci, co], 2) as tf.Tensor4D;
  const probe = () => seeded([n, h, w, co], 3);
  const conv = (xs: tf.Tensor4D, ws: tf.Tensor4D) => tf.conv2d(xs, ws, 1, 'same');
  const cases: Record<string, () => tf.Tensor> = {
    forward: () => conv(x(), filter()),
    inputGradient: () => tf.grad((xs: tf.Tensor) => tf.sum(tf.mul(conv(xs as tf.Tensor4D, filter()), probe())))(x()),
    filterGradient: () => tf.grad((ws: tf.Tensor) => tf.sum(tf.mul(conv(x(), ws as tf.Tensor4D), probe())))(filter()),
  };
  const worst: Record<string, number> = {};
  for (const [name, f] of Object.entries(cases)) {
    const got = await on('wasm', f);
    const want = await on('cpu', f);
    let d = 0;
    for (let i = 0; i < want.values.length; i++) d = Math.max(d, Math.abs(got.values[i]! - want.values[i]!) / Math.max(1, Math.abs(want.values[i]!)));
    worst[name] = d;
  }
  const params = new Float64Array(ConvParam.Count);
  params.set([n, h, w, ci, h, w, co, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, -1, 0, 0]);
  const load = loadAcceleratorAddon();
  if (!load.ok) throw new Error(load.why);
  const implementations = [ConvKind.Forward, ConvKind.BackwardData, ConvKind.BackwardWeights].map((k) => load.addon.implementation(k, params));
  process.stdout.write(`${JSON.stringify({ worst, implementations })}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
