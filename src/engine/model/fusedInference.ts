/**
 * The U-Net's inference pass as one native oneDNN graph (native/accelerator/inference.cc), used by
 * every Predictor when the native accelerator is enabled: activations stay in oneDNN's blocked
 * layout from the first convolution to the last, filters are folded and reordered once per model,
 * and no tfjs op runs per layer. Without the accelerator (or with BUS_LAB_FUSED_INFERENCE=off)
 * predictors run the network op by op as before; both compute the same function (the same batch-
 * norm folding, foldBatchNorm), to float rounding.
 */
import { enabledAccelerator, type AcceleratorAddon, type InferenceModelHandle } from '../backend/accelerator';
import type { TF } from '../tf';
import { foldBatchNorm, type UNet } from './unet';

export interface FusedInference {
  /** images [n, size, size] in [0, 1] -> mask probabilities [n, size, size], malignancy [n] (NaN without a classifier). */
  run(images: Float32Array, n: number, size: number): { seg: Float32Array; pMalignant: Float32Array };
  /** Frees the native weights (they are also freed at garbage collection). */
  free(): void;
  /** oneDNN's name for each convolution's kernel in the last run, in graph order. */
  readonly implementations: readonly string[];
}

export interface FusedInferenceOptions {
  /**
   * 3x3 convolutions as Winograd F(4x4, 3x3) where oneDNN has the kernel (fewer multiplications,
   * float results within about 1e-6 of direct convolution). Default: BUS_LAB_WINOGRAD (0 or 1),
   * else on.
   */
  winograd?: boolean;
}

function winogradDefault(): boolean {
  const env = process.env.BUS_LAB_WINOGRAD;
  return env === undefined || env === '' ? true : env !== '0';
}

/**
 * The network's tensors in the order the native graph takes them: per encoder level, bottleneck
 * and decoder level (deepest first) the two 3x3 convolutions with batch norm folded in ([3, 3, in,
 * out] and a bias), a decoder level led by its transposed convolution ([2, 2, out, in], bias);
 * then the 1x1 head and, with a classifier, its dense layer.
 */
export function fusedInferenceTensors(tf: TF, net: UNet): Float32Array[] {
  const { depth, withClassifier } = net.options;
  const variable = (name: string) => {
    const v = net.variables.get(name);
    if (!v) throw new Error(`fused inference: the network has no variable '${name}'`);
    return v;
  };
  const out: Float32Array[] = [];
  const values = (t: { dataSync(): unknown }) => Float32Array.from(t.dataSync() as Float32Array);
  const convBn = (name: string) => {
    const folded = foldBatchNorm(tf, variable(`${name}/kernel`), {
      gamma: variable(`${name}/bn/gamma`),
      beta: variable(`${name}/bn/beta`),
      movingMean: variable(`${name}/bn/moving_mean`),
      movingVariance: variable(`${name}/bn/moving_variance`),
    });
    try {
      out.push(values(folded.kernel), values(folded.bias));
    } finally {
      folded.kernel.dispose();
      folded.bias.dispose();
    }
  };
  for (let i = 0; i < depth; i++) {
    convBn(`enc${i}/conv0`);
    convBn(`enc${i}/conv1`);
  }
  convBn('bottleneck/conv0');
  convBn('bottleneck/conv1');
  for (let i = depth - 1; i >= 0; i--) {
    out.push(values(variable(`up${i}/kernel`)), values(variable(`up${i}/bias`)));
    convBn(`dec${i}/conv0`);
    convBn(`dec${i}/conv1`);
  }
  out.push(values(variable('head/kernel')), values(variable('head/bias')));
  if (withClassifier) out.push(values(variable('classifier/kernel')), values(variable('classifier/bias')));
  return out;
}

/** The addon when predictors may use the native graph (the accelerator is enabled and not switched off). */
function fusedInferenceAddon(): AcceleratorAddon | undefined {
  if (process.env.BUS_LAB_FUSED_INFERENCE === 'off') return undefined;
  const addon = enabledAccelerator();
  return addon && typeof addon.inferenceModel === 'function' ? addon : undefined;
}

/**
 * The native graph of `net`'s current weights, or undefined where it cannot run (no accelerator,
 * or a size the graph's pooling cannot halve `depth` times). Weights are copied: later training
 * steps do not reach it.
 */
export function createFusedInference(tf: TF, net: UNet, size: number, options: FusedInferenceOptions = {}): FusedInference | undefined {
  const addon = fusedInferenceAddon();
  const { baseWidth, depth, withClassifier } = net.options;
  if (!addon || size % 2 ** depth !== 0) return undefined;
  const spec = { baseWidth, depth, classifier: withClassifier, winograd: options.winograd ?? winogradDefault() };
  let handle: InferenceModelHandle | undefined = addon.inferenceModel(spec, fusedInferenceTensors(tf, net));
  let implementations: readonly string[] = [];
  return {
    get implementations() {
      return implementations;
    },
    run(images, n, s) {
      if (!handle) throw new Error('fused inference: the model was freed');
      const seg = new Float32Array(n * s * s);
      const pMalignant = new Float32Array(n).fill(NaN);
      implementations = addon.inferenceRun(handle, images, n, s, seg, withClassifier ? pMalignant : null);
      return { seg, pMalignant };
    },
    free() {
      if (handle) addon.inferenceFree(handle);
      handle = undefined;
    },
  };
}
