import { BackendChoice, BACKEND_CHOICES } from '../../engine/types';
import { runBenchmark } from '../../engine/bench/modelBenchmark';
import { parseArgs } from '../args';
import { CliCommand, EXIT, UsageError } from '../command';

const USAGE = `Usage: bus-lab bench [options]

Times training and inference of the real U-Net on synthetic batches (median of the timed steps,
after warm-up) and reports images per second, GFLOP/s (direct-convolution count; a training step
counts 3x the forward), the fraction of the CPU's FP32 FMA peak (measured first by the native
accelerator on its own threads; not measured without it), peak RSS and the backend.

  --size S              image size, multiple of 16 (default 128)
  --batch N             batch size (default 4)
  --width W             U-Net base width (default 16)
  --steps N             timed steps per phase (default 5)
  --warmup N            untimed steps first (default 2)
  --epochs N            long mode: N epochs of --steps training steps, reporting RSS and
                        tensor-count drift (a leak shows as growth)
  --backend NAME        auto | tensorflow-gpu | tensorflow | wasm | cpu (default auto)
  --accelerator VALUE   native accelerator on wasm: auto | off | path of the .node file
                        (default: BUS_LAB_ACCELERATOR, else auto)
  --threads N           the accelerator's threads (default: OMP_NUM_THREADS, else every core)
  --peak-seconds S      length of the FMA peak measurement (default 0.6; 0 skips it)
  --native-modules DIR  folder where tfjs-node(-gpu) is installed
  --json                print the result as one JSON line
`;

function percentOfPeak(fraction: number | null): string {
  return fraction === null ? '' : ` (${(100 * fraction).toFixed(1)}% of peak)`;
}

export const benchCommand: CliCommand = {
  name: 'bench',
  summary: 'time training and inference on this machine',
  usage: USAGE,
  async run(argv, io) {
    const { positionals, options: o } = parseArgs(argv, {
      size: { type: 'number' },
      batch: { type: 'number' },
      width: { type: 'number' },
      steps: { type: 'number' },
      warmup: { type: 'number' },
      epochs: { type: 'number' },
      backend: { type: 'string' },
      accelerator: { type: 'string' },
      threads: { type: 'number' },
      'peak-seconds': { type: 'number' },
      'native-modules': { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const backend = (o.backend as string | undefined) ?? 'auto';
    if (!BACKEND_CHOICES.includes(backend as BackendChoice)) throw new UsageError(`--backend must be one of ${BACKEND_CHOICES.join(', ')}`);
    const threads = o.threads as number | undefined;
    if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) throw new UsageError('--threads must be a whole number >= 1');
    const size = (o.size as number | undefined) ?? 128;
    if (size < 16 || size % 16 !== 0) throw new UsageError('--size must be a multiple of 16');
    const peakSeconds = o['peak-seconds'] as number | undefined;
    if (peakSeconds !== undefined && !(peakSeconds >= 0 && peakSeconds <= 60)) throw new UsageError('--peak-seconds must be between 0 and 60');
    const result = await runBenchmark({
      backend: backend as BackendChoice,
      size,
      batch: (o.batch as number | undefined) ?? 4,
      width: (o.width as number | undefined) ?? 16,
      steps: (o.steps as number | undefined) ?? 5,
      warmup: (o.warmup as number | undefined) ?? 2,
      epochs: o.epochs as number | undefined,
      nativeModulesPath: o['native-modules'] as string | undefined,
      accelerator: o.accelerator as string | undefined,
      threads,
      peakSeconds,
      onProgress: (line) => io.info(line),
      signal: io.signal,
    });
    if (io.signal.aborted) return EXIT.cancelled;
    io.info(
      [
        `backend      ${result.backend} (${result.reason})`,
        `model        U-Net width ${result.width}, depth 4, ${result.parameterCount.toLocaleString('en-US')} parameters`,
        `input        ${result.size}x${result.size} grey, batch ${result.batch}`,
        `train        ${result.trainImagesPerSecond.toFixed(2)} images/s (median step ${result.trainMedianMs.toFixed(0)} ms of ${result.steps}; ${result.trainImagesPerCpuSecond.toFixed(2)} images per CPU-second)`,
        `inference    ${result.inferImagesPerSecond.toFixed(2)} images/s (median step ${result.inferMedianMs.toFixed(0)} ms of ${result.steps}; ${result.inferImagesPerCpuSecond.toFixed(2)} images per CPU-second; ${result.inference})`,
        `compute      train ${result.trainGflopsPerSecond.toFixed(1)} GFLOP/s${percentOfPeak(result.trainFractionOfPeak)}, inference ${result.inferGflopsPerSecond.toFixed(1)} GFLOP/s${percentOfPeak(result.inferFractionOfPeak)} (${result.forwardGflopPerImage.toFixed(3)} GFLOP per image forward, direct convolution)`,
        result.peak
          ? `FMA peak     ${result.peak.gflops.toFixed(1)} GFLOP/s FP32 (${result.peak.threads} thread${result.peak.threads === 1 ? '' : 's'}, ${result.peak.isa}, measured before the timed steps)`
          : `FMA peak     not measured (${result.peakNotMeasured})`,
        `peak RSS     ${result.peakRssMB.toFixed(0)} MB`,
        ...(result.epochs
          ? [
              `drift        RSS ${result.rssDriftPercent!.toFixed(1)}% over ${result.epochs.length} epochs${result.rssAfterGc ? ' (each sample after a full GC)' : ''}, tensors ${result.tensorDrift! >= 0 ? '+' : ''}${result.tensorDrift}`,
              ...(result.jsHeapGrowthMB! >= 8
                ? [
                    `note         the JavaScript heap's reserved size grew by ${result.jsHeapGrowthMB!.toFixed(0)} MB (V8 enlarging its young generation); ` +
                      'run `node --min-semi-space-size=16 dist/cli.js bench ...` to start it at that size',
                  ]
                : []),
            ]
          : []),
      ].join('\n'),
    );
    io.result(result);
    return EXIT.ok;
  },
};
