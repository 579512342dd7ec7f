/**
 * Inference from a run's checkpoint: rebuilds the network, loads the weights and predicts in
 * inference mode (batch-norm folded into the convolutions).
 */
import { join } from 'node:path';
import type { Tensor, Tensor4D, TF } from '../tf';
import { CheckpointManifest, loadCheckpoint } from './checkpoint';
import { createFusedInference, type FusedInference } from './fusedInference';
import { createUNet, UNet, UNetOptions } from './unet';

/** What model.json's `model` field holds. */
export interface ModelDescription extends UNetOptions {
  architecture: 'unet';
  inputSize: number;
  method: string;
}

export interface Predictor {
  size: number;
  hasClassifier: boolean;
  /** images: N*S*S values in [0, 1]. Returns N*S*S probabilities and N malignancy probabilities
   * (NaN without a classification head). */
  predict(images: Float32Array, n: number): Promise<{ seg: Float32Array; pMalignant: Float32Array }>;
  dispose(): void;
}

/** Copies checkpoint tensors into a network's variables by name; every variable must be present. */
export function assignWeights(net: UNet, tensors: Map<string, import('../tf').Tensor>, where: string): void {
  for (const [name, v] of net.variables) {
    const t = tensors.get(name);
    if (!t) throw new Error(`${where}: checkpoint lacks weight '${name}'`);
    if (t.shape.join(',') !== v.shape.join(',')) throw new Error(`${where}: weight '${name}' has shape [${t.shape}] but the model expects [${v.shape}]`);
    v.assign(t);
  }
}

/**
 * Inference with `net`'s weights as they are now. With the native accelerator the whole network
 * runs as one oneDNN graph (fusedInference.ts) built on the first call; otherwise op by op in tfjs.
 * Both fold batch norm the same way and agree to float rounding (test/unit/fused-inference.test.ts).
 */
export function predictorForNetwork(tf: TF, net: UNet, size: number, batchSize = 8): Predictor {
  let fused: FusedInference | undefined | null = null;
  const fusedGraph = (): FusedInference | undefined => {
    if (fused === null) fused = createFusedInference(tf, net, size);
    return fused;
  };
  return {
    size,
    hasClassifier: net.options.withClassifier,
    async predict(images, n) {
      const px = size * size;
      const graph = fusedGraph();
      if (graph) {
        const seg = new Float32Array(n * px);
        const pMalignant = new Float32Array(n).fill(NaN);
        for (let start = 0; start < n; start += batchSize) {
          const count = Math.min(batchSize, n - start);
          const out = graph.run(images.subarray(start * px, (start + count) * px), count, size);
          seg.set(out.seg, start * px);
          pMalignant.set(out.pMalignant, start);
        }
        return { seg, pMalignant };
      }
      const seg = new Float32Array(n * px);
      const pMalignant = new Float32Array(n).fill(NaN);
      for (let start = 0; start < n; start += batchSize) {
        const count = Math.min(batchSize, n - start);
        const { s, p } = tf.tidy(() => {
          const x = tf.tensor4d(images.subarray(start * px, (start + count) * px), [count, size, size, 1]) as Tensor4D;
          const out = net.forward(x, false);
          return { s: out.seg, p: out.pMalignant };
        });
        seg.set(await s.data(), start * px);
        if (p) pMalignant.set(await p.data(), start);
        s.dispose();
        p?.dispose();
      }
      return { seg, pMalignant };
    },
    dispose: () => {
      fused?.free();
      net.dispose();
    },
  };
}

/**
 * The predictor of a run's best (`model/`) or last (`checkpoint/`) checkpoint. `inspect` sees the
 * manifest and the loaded tensors before they are freed (the evaluator reads phi's weights there).
 */
export async function loadPredictor(
  tf: TF,
  runDir: string,
  which: 'best' | 'last' = 'best',
  inspect?: (manifest: CheckpointManifest<ModelDescription>, tensors: Map<string, Tensor>) => void,
): Promise<Predictor> {
  const dir = join(runDir, which === 'best' ? 'model' : 'checkpoint');
  const { manifest, tensors } = await loadCheckpoint<ModelDescription>(tf, dir);
  const d = manifest.model;
  const net = createUNet(tf, { baseWidth: d.baseWidth, depth: d.depth, withClassifier: d.withClassifier, seed: d.seed });
  try {
    assignWeights(net, tensors, dir);
    inspect?.(manifest, tensors);
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
  return predictorForNetwork(tf, net, d.inputSize);
}
