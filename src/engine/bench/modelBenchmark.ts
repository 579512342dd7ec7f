/**
 * The model benchmark behind `bus-lab bench`: the real model (createUNet) with
 * the real losses (soft Dice + BCE on the mask, BCE on malignancy, as the mtl method trains),
 * Adam, on synthetic batches. Times are medians over timed steps after warm-up, so a first-call
 * cost (kernel setup, XNNPACK weight packing, heap growth) does not count as throughput.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createFusedInference } from '../model/fusedInference';
import { createUNet } from '../model/unet';
import { binaryCrossEntropy, softDiceLoss } from '../losses/segmentation';
import type { BackendChoice } from '../types';
import type { Scalar, Tensor, Tensor4D, TF } from '../tf';
import { enabledAccelerator } from '../backend/accelerator';
import { initBackend } from '../backend/index';
import { countUNetFlops, gflopsPerSecond, TRAINING_FLOPS_PER_FORWARD } from './flops';
import { median } from '../stats/descriptive';
import { createAdam } from '../train/adam';

export interface BenchmarkOptions {
  backend: BackendChoice;
  size: number;
  batch: number;
  width: number;
  /** Timed steps per phase (median reported); at least 1. */
  steps: number;
  /** Untimed steps before timing. */
  warmup: number;
  /** Long mode: this many epochs of `steps` training steps each, sampling RSS and tensors. */
  epochs?: number;
  nativeModulesPath?: string;
  wasmDir?: string;
  /** The native accelerator: 'auto', 'off' or the addon's path (BackendOptions.accelerator). */
  accelerator?: string;
  /** The accelerator's threads (BackendOptions.threads). */
  threads?: number;
  /** Weight of the classification loss, as in TrainConfig.alpha. */
  alpha?: number;
  seed?: number;
  /**
   * Seconds of the FMA peak measurement before the timed steps (native accelerator only); 0 skips
   * it. Default 0.6.
   */
  peakSeconds?: number;
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
}

export interface EpochSample {
  epoch: number;
  rssMB: number;
  /** The JavaScript heap's reserved size (V8 heapTotal), part of RSS. */
  jsHeapMB: number;
  numTensors: number;
  trainImagesPerSecond: number;
}

/** The FP32 multiply-add peak measured by the native accelerator on the kernels' threads. */
export interface MeasuredPeak {
  gflops: number;
  threads: number;
  /** The instruction set of the FMA loop: 'avx512f', 'avx2+fma' or 'scalar'. */
  isa: string;
  seconds: number;
}

export interface BenchmarkResult {
  backend: string;
  reason: string;
  size: number;
  batch: number;
  width: number;
  parameterCount: number;
  steps: number;
  warmup: number;
  trainStepMs: number[];
  inferStepMs: number[];
  trainMedianMs: number;
  inferMedianMs: number;
  trainImagesPerSecond: number;
  inferImagesPerSecond: number;
  /**
   * Process CPU time (all threads) per step, median. On a shared machine wall time includes
   * waiting for a core; images per CPU-second compares work done per core regardless.
   */
  trainCpuMsPerStep: number;
  inferCpuMsPerStep: number;
  trainImagesPerCpuSecond: number;
  inferImagesPerCpuSecond: number;
  peakRssMB: number;
  /** How inference ran: the native whole-network graph (and its convolutions) or tfjs op by op. */
  inference: string;
  /** Forward FLOPs per image, direct-convolution count (flops.ts), in GFLOP. */
  forwardGflopPerImage: number;
  /** Training GFLOP/s: images/s x 3 x the forward count (forward, input and weight gradients). */
  trainGflopsPerSecond: number;
  inferGflopsPerSecond: number;
  /** Null where it was not measured: no native accelerator, or peakSeconds 0. */
  peak: MeasuredPeak | null;
  /** Why `peak` is null; absent when measured. */
  peakNotMeasured?: string;
  /** GFLOP/s over the measured peak (0..1); null when the peak was not measured. */
  trainFractionOfPeak: number | null;
  inferFractionOfPeak: number | null;
  /** Long mode only. */
  epochs?: EpochSample[];
  /** Long mode: RSS change from the end of the first epoch to the end of the last, in percent. */
  rssDriftPercent?: number;
  /** Long mode: whether each RSS sample followed a full garbage collection. */
  rssAfterGc?: boolean;
  /** Long mode: tensors alive at the end of the last epoch minus the first (0 means no leak). */
  tensorDrift?: number;
  /**
   * Long mode: growth of the JavaScript heap's reserved size over the epochs, in MB. V8 grows its
   * young generation once under this workload (about 16 MB); a run under
   * `node --min-semi-space-size=16` starts it at that size, so RSS drift then shows retained memory.
   */
  jsHeapGrowthMB?: number;
  versions: Record<string, string>;
}

/**
 * Deterministic grey images with one bright ellipse each, its mask, and alternating labels: the
 * loss stays in the range real data gives, and every run times the same numbers.
 */
export function syntheticBatch(size: number, batch: number, seed: number): { images: Float32Array; masks: Float32Array; labels: Float32Array } {
  let state = seed >>> 0 || 1;
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  const px = size * size;
  const images = new Float32Array(batch * px);
  const masks = new Float32Array(batch * px);
  const labels = new Float32Array(batch);
  for (let b = 0; b < batch; b++) {
    const cx = size * (0.3 + 0.4 * random());
    const cy = size * (0.3 + 0.4 * random());
    const rx = size * (0.08 + 0.15 * random());
    const ry = size * (0.08 + 0.15 * random());
    labels[b] = b % 2;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const inside = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1;
        images[b * px + y * size + x] = 0.35 * random() + (inside ? 0.5 : 0.1);
        masks[b * px + y * size + x] = inside ? 1 : 0;
      }
    }
  }
  return { images, masks, labels };
}

/**
 * A full garbage collection, where one can be had without --expose-gc. RSS sampled right after it
 * measures what the process retains: without it, RSS swings by 30-60 MB with the JavaScript
 * heap's collection timing (measured at 128 x 128), which hides or fakes a drift.
 */
function fullGc(): (() => void) | undefined {
  const global = globalThis as { gc?: () => void };
  if (typeof global.gc === 'function') return global.gc;
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

function peakRssMB(): number {
  // maxRSS is in kilobytes.
  return process.resourceUsage().maxRSS / 1024;
}

/**
 * The FMA peak of the accelerator's threads for this JavaScript thread: the same OpenMP team and
 * thread count the kernels then use. Measured before the model exists and before any timed step.
 */
function measurePeak(seconds: number): { peak: MeasuredPeak | null; peakNotMeasured?: string } {
  if (!(seconds > 0)) return { peak: null, peakNotMeasured: 'skipped (peak seconds 0)' };
  const addon = enabledAccelerator();
  if (!addon) return { peak: null, peakNotMeasured: 'the native accelerator is not in use' };
  const { gflops, threads, isa } = addon.fmaPeak(seconds);
  return { peak: { gflops, threads, isa, seconds }, peakNotMeasured: undefined };
}

export async function runBenchmark(options: BenchmarkOptions): Promise<BenchmarkResult> {
  const { size, batch, width } = options;
  if (!Number.isInteger(size) || size < 16 || size % 16 !== 0) throw new Error(`size must be a multiple of 16, got ${size}`);
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`batch must be a positive integer, got ${batch}`);
  if (!Number.isInteger(width) || width < 1) throw new Error(`width must be a positive integer, got ${width}`);
  const steps = Math.max(1, Math.floor(options.steps));
  const warmup = Math.max(0, Math.floor(options.warmup));
  const alpha = options.alpha ?? 0.5;
  const say = options.onProgress ?? (() => undefined);
  const selection = await initBackend(options.backend, { nativeModulesPath: options.nativeModulesPath, wasmDir: options.wasmDir, accelerator: options.accelerator, threads: options.threads });
  const tf: TF = selection.tf;
  say(`backend ${selection.name} (${selection.reason})`);

  const peakSeconds = options.peakSeconds ?? 0.6;
  const { peak, peakNotMeasured } = measurePeak(peakSeconds);
  say(peak ? `FMA peak ${peak.gflops.toFixed(0)} GFLOP/s (${peak.threads} thread${peak.threads === 1 ? '' : 's'}, ${peak.isa})` : `FMA peak not measured: ${peakNotMeasured}`);

  const depth = 4;
  const net = createUNet(tf, { baseWidth: width, depth, withClassifier: true, seed: options.seed ?? 42 });
  const forwardFlops = countUNetFlops({ size, width, depth, withClassifier: true });
  const optimizer = createAdam(tf, 1e-3);
  const data = syntheticBatch(size, batch, options.seed ?? 42);
  const image = tf.tensor4d(data.images, [batch, size, size, 1]);
  const mask = tf.tensor4d(data.masks, [batch, size, size, 1]);
  const label = tf.tensor1d(data.labels);
  const trainables = net.trainableVariables;

  const checkAbort = () => {
    if (options.signal?.aborted) throw new Error('benchmark cancelled');
  };

  /** One optimisation step, as the trainer does it; returns wall milliseconds. */
  const trainStep = (): number => {
    const start = performance.now();
    const loss = optimizer.minimize(
      () => {
        const out = net.forward(image as Tensor4D, true);
        const seg = tf.add(softDiceLoss(tf, out.seg, mask), tf.mean(binaryCrossEntropy(tf, out.seg, mask)));
        const cls = tf.mean(binaryCrossEntropy(tf, out.pMalignant as Tensor, label));
        return tf.add(seg, tf.mul(cls, alpha)) as Scalar;
      },
      true,
      trainables,
    );
    // Reading the loss waits for the step to finish on asynchronous backends (tfjs-node-gpu).
    loss!.dataSync();
    loss!.dispose();
    net.commitBatchNormUpdates();
    return performance.now() - start;
  };

  // Inference as predictors run it (src/engine/model/predictor.ts): the native whole-network graph
  // when the accelerator is enabled, else the network op by op.
  const fused = createFusedInference(tf, net, size);
  const inferStep = (): number => {
    const start = performance.now();
    if (fused) {
      fused.run(data.images, batch, size);
    } else {
      const seg = tf.tidy(() => net.forward(image as Tensor4D, false).seg);
      seg.dataSync();
      seg.dispose();
    }
    return performance.now() - start;
  };

  const time = (label: string, step: () => number): { wall: number[]; cpu: number[] } => {
    for (let i = 0; i < warmup; i++) {
      checkAbort();
      step();
    }
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < steps; i++) {
      checkAbort();
      const before = process.cpuUsage();
      wall.push(step());
      const used = process.cpuUsage(before);
      cpu.push((used.user + used.system) / 1000);
      say(`${label} step ${i + 1}/${steps}: ${wall[i]!.toFixed(0)} ms (CPU ${cpu[i]!.toFixed(0)} ms)`);
    }
    return { wall, cpu };
  };

  try {
    const train = time('train', trainStep);
    const infer = time('infer', inferStep);
    const trainStepMs = train.wall;
    const inferStepMs = infer.wall;
    const trainMedianMs = median(trainStepMs);
    const inferMedianMs = median(inferStepMs);
    const trainCpuMsPerStep = median(train.cpu);
    const inferCpuMsPerStep = median(infer.cpu);
    const trainImagesPerSecond = (1000 * batch) / trainMedianMs;
    const inferImagesPerSecond = (1000 * batch) / inferMedianMs;
    const trainGflopsPerSecond = gflopsPerSecond(trainImagesPerSecond, TRAINING_FLOPS_PER_FORWARD * forwardFlops);
    const inferGflopsPerSecond = gflopsPerSecond(inferImagesPerSecond, forwardFlops);
    const result: BenchmarkResult = {
      backend: selection.name,
      reason: selection.reason,
      size,
      batch,
      width,
      parameterCount: net.parameterCount,
      steps,
      warmup,
      trainStepMs,
      inferStepMs,
      trainMedianMs,
      inferMedianMs,
      trainImagesPerSecond,
      inferImagesPerSecond,
      trainCpuMsPerStep,
      inferCpuMsPerStep,
      trainImagesPerCpuSecond: (1000 * batch) / trainCpuMsPerStep,
      inferImagesPerCpuSecond: (1000 * batch) / inferCpuMsPerStep,
      peakRssMB: 0,
      inference: fused ? `native oneDNN graph (${fused.implementations.some((name) => name.includes('wino')) ? 'Winograd' : 'direct'} convolutions)` : 'tfjs ops',
      forwardGflopPerImage: forwardFlops / 1e9,
      trainGflopsPerSecond,
      inferGflopsPerSecond,
      peak,
      ...(peakNotMeasured !== undefined ? { peakNotMeasured } : {}),
      trainFractionOfPeak: peak ? trainGflopsPerSecond / peak.gflops : null,
      inferFractionOfPeak: peak ? inferGflopsPerSecond / peak.gflops : null,
      versions: { 'tfjs-core': tf.version_core, node: process.versions.node },
    };

    if (options.epochs && options.epochs > 0) {
      const samples: EpochSample[] = [];
      const collect = fullGc();
      result.rssAfterGc = collect !== undefined;
      for (let epoch = 1; epoch <= options.epochs; epoch++) {
        const ms: number[] = [];
        for (let i = 0; i < steps; i++) {
          checkAbort();
          ms.push(trainStep());
        }
        collect?.();
        const mem = process.memoryUsage();
        const sample = { epoch, rssMB: mem.rss / 2 ** 20, jsHeapMB: mem.heapTotal / 2 ** 20, numTensors: tf.memory().numTensors, trainImagesPerSecond: (1000 * batch) / median(ms) };
        samples.push(sample);
        say(
          `epoch ${epoch}/${options.epochs}: RSS ${sample.rssMB.toFixed(0)} MB (JS heap ${sample.jsHeapMB.toFixed(0)} MB, ` +
            `external ${(mem.external / 2 ** 20).toFixed(0)} MB), ${sample.numTensors} tensors, ${sample.trainImagesPerSecond.toFixed(2)} img/s`,
        );
      }
      const first = samples[0]!;
      const last = samples[samples.length - 1]!;
      result.epochs = samples;
      result.rssDriftPercent = (100 * (last.rssMB - first.rssMB)) / first.rssMB;
      result.tensorDrift = last.numTensors - first.numTensors;
      result.jsHeapGrowthMB = last.jsHeapMB - first.jsHeapMB;
    }
    result.peakRssMB = peakRssMB();
    return result;
  } finally {
    fused?.free();
    net.discardBatchNormUpdates();
    optimizer.dispose();
    net.dispose();
    image.dispose();
    mask.dispose();
    label.dispose();
  }
}
