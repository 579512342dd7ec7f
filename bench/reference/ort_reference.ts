// The ONNX Runtime reference for `npm run bench:compare`: the same U-Net as `bus-lab bench`
// (createUNet, same width, size and seed, batch-norm statistics as a fresh net has them), exported
// with the project's own ONNX exporter and run by onnxruntime-node's InferenceSession. Prints one
// JSON line, like the PyTorch reference.
//
//   node --import tsx bench/reference/ort_reference.ts [--size 128] [--batch 4] [--width 16]
//        [--steps 5] [--warmup 2] [--threads 2] [--seed 42] [--backend auto] [--accelerator auto]
//
// Session: intraOpNumThreads = --threads, interOpNumThreads 1, sequential execution, every graph
// optimisation ('all'); ORT's other settings (thread spinning included) stay at its defaults.
// Inference only: ORT has no training path for this comparison.
//
// After the timed runs (so that our OpenMP threads cannot disturb ORT's timing) the script runs
// our inference once on the same batch as `bus-lab bench` times it (--backend, --accelerator,
// --threads; the native whole-network graph when the accelerator is enabled, else the network op
// by op) and reports the largest absolute difference between the two masks (`maxAbsDiff`, with
// `oursInference` saying which path); where the native graph ran, also the op-by-op forward's
// difference (`maxAbsDiffOpByOp`).
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import { initBackend } from '../../src/engine/backend/index';
import { countUNetFlops } from '../../src/engine/bench/flops';
import { syntheticBatch } from '../../src/engine/bench/modelBenchmark';
import { encodeOnnxModel } from '../../src/engine/export/onnxBuilder';
import { ONNX_INPUT, ONNX_MASK_OUTPUT, ONNX_OPSET, unetToOnnxGraph } from '../../src/engine/export/unetToOnnx';
import { createFusedInference } from '../../src/engine/model/fusedInference';
import { createUNet } from '../../src/engine/model/unet';
import { median } from '../../src/engine/stats/descriptive';
import type { BackendChoice } from '../../src/engine/types';
import type { Tensor, Tensor4D } from '../../src/engine/tf';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

function integer(name: string, fallback: number, min: number): number {
  const text = option(name, String(fallback));
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    process.stderr.write(`ort_reference: --${name} must be a whole number >= ${min}, got '${text}'\n`);
    process.exit(2);
  }
  return value;
}

const size = integer('size', 128, 16);
const batch = integer('batch', 4, 1);
const width = integer('width', 16, 1);
const steps = integer('steps', 5, 1);
const warmup = integer('warmup', 2, 0);
const threads = integer('threads', 2, 1);
const seed = integer('seed', 42, 0);
const backend = option('backend', 'auto') as BackendChoice;
const accelerator = option('accelerator', 'auto');
const depth = 4;
if (size % 2 ** depth !== 0) {
  process.stderr.write(`ort_reference: --size must be a multiple of ${2 ** depth}, got ${size}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const selection = await initBackend(backend, { accelerator, threads });
  const tf = selection.tf;
  // The seed and options `bus-lab bench` uses (modelBenchmark.ts), so both time the same weights.
  const net = createUNet(tf, { baseWidth: width, depth, withClassifier: true, seed });
  const data = syntheticBatch(size, batch, seed);
  try {
    const { graph } = unetToOnnxGraph(tf, { architecture: 'unet', inputSize: size, method: 'bench', baseWidth: width, depth, withClassifier: true, seed }, net.variables as Map<string, Tensor>);
    const bytes = encodeOnnxModel({ graph, opset: ONNX_OPSET, producerVersion: 'bench', docString: 'bench:compare reference', metadata: {} });
    const session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    // One grey channel: NHWC and NCHW hold the same values in the same order.
    const feeds = { [ONNX_INPUT]: new ort.Tensor('float32', data.images, [batch, 1, size, size]) };
    let mask: Float32Array | undefined;
    const runOnce = async (): Promise<void> => {
      const out = await session.run(feeds);
      mask = out[ONNX_MASK_OUTPUT]!.data as Float32Array;
    };
    for (let i = 0; i < warmup; i++) await runOnce();
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < steps; i++) {
      const before = process.cpuUsage();
      const start = performance.now();
      await runOnce();
      wall.push(performance.now() - start);
      const used = process.cpuUsage(before);
      cpu.push((used.user + used.system) / 1000);
    }
    await session.release();

    // Ours on the same batch, once, after ORT's timing: the path bus-lab bench times, and the
    // op-by-op forward as well where that is a different path.
    const diff = (ours: Float32Array): number => {
      if (ours.length !== mask!.length) throw new Error(`mask sizes differ: ours ${ours.length}, ORT ${mask!.length}`);
      let max = 0;
      for (let i = 0; i < ours.length; i++) max = Math.max(max, Math.abs(ours[i]! - mask![i]!));
      return max;
    };
    const seg = tf.tidy(() => net.forward(tf.tensor4d(data.images, [batch, size, size, 1]) as Tensor4D, false).seg);
    const maxAbsDiffOpByOp = diff(seg.dataSync() as Float32Array);
    seg.dispose();
    const fused = createFusedInference(tf, net, size);
    let maxAbsDiff = maxAbsDiffOpByOp;
    let oursInference = 'tfjs ops';
    if (fused) {
      try {
        maxAbsDiff = diff(fused.run(data.images, batch, size).seg);
        oursInference = `native oneDNN graph (${fused.implementations.some((name) => name.includes('wino')) ? 'Winograd' : 'direct'} convolutions)`;
      } finally {
        fused.free();
      }
    }

    const forwardFlops = countUNetFlops({ size, width, depth, withClassifier: true });
    const inferMedianMs = median(wall);
    const inferCpuMsPerStep = median(cpu);
    const inferImagesPerSecond = (1000 * batch) / inferMedianMs;
    const versions = (ort.env as { versions?: Record<string, string> }).versions ?? {};
    process.stdout.write(
      JSON.stringify({
        runtime: 'onnxruntime-node',
        ort: versions.node ?? versions.common ?? 'unknown',
        threads,
        size,
        batch,
        width,
        steps,
        warmup,
        params: net.parameterCount,
        onnxBytes: bytes.length,
        inferStepMs: wall,
        inferMedianMs,
        inferImagesPerSecond,
        inferCpuMsPerStep,
        inferImagesPerCpuSecond: (1000 * batch) / inferCpuMsPerStep,
        forwardGflopPerImage: forwardFlops / 1e9,
        inferGflopsPerSecond: (inferImagesPerSecond * forwardFlops) / 1e9,
        maxAbsDiff,
        oursInference,
        ...(fused ? { maxAbsDiffOpByOp } : {}),
        diffAgainst: `${selection.name} (${selection.reason})`,
      }) + '\n',
    );
  } finally {
    net.dispose();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`ort_reference: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
