import { resolve } from 'node:path';
import { listInputImages } from '../../engine/predict/inputImages';
import { predictImages } from '../../engine/predict/predictImages';
import { readRunRecord } from '../../engine/runs/runFolder';
import { parseArgs } from '../args';
import { CliCommand, EXIT, UsageError } from '../command';
import { initRunBackend, RUN_BACKEND_OPTIONS, RUN_BACKEND_USAGE } from '../runBackend';

const USAGE = `Usage: bus-lab predict --run RUN_DIR --input FILE|DIR --out DIR [options]

Segments unlabelled PNG or JPEG images (no masks needed) with a trained run's best checkpoint.
A folder is read with its sub-folders. Writes into DIR, at each image's original size:
  masks/<name>.png      the predicted lesion mask (0/255)
  overlays/<name>.png   the image with the lesion tinted and outlined
  prob/<name>.png       the lesion probability (grey 0-255)
  predictions.csv       file, p_malignant, prediction, phi, the four BI-RADS features of the
                        predicted mask, lesion area in pixels (and mm² with --pixel-size), threshold
Files that cannot be read are skipped with a warning naming them.

  --run DIR            the run folder (holds run.json and model/)
  --input PATH         an image, or a folder of images
  --out DIR            where to write (created; files of the same names are replaced)
  --threshold X        classification threshold (default: the one chosen on the run's
                       internal validation, else 0.5)
  --pixel-size MM      pixel size in millimetres, for lesion areas in mm²
  --batch-size N       images per network batch (default 8)
${RUN_BACKEND_USAGE}
  --json               print { runId, outDir, csv, predicted, skipped, malignant, seconds } on the last line
`;

export const predictCommand: CliCommand = {
  name: 'predict',
  summary: 'segment unlabelled images with a trained run (masks, overlays, predictions.csv)',
  usage: USAGE,
  async run(argv, io) {
    const { positionals, options: o } = parseArgs(argv, {
      run: { type: 'string' },
      input: { type: 'string' },
      out: { type: 'string' },
      threshold: { type: 'number' },
      'pixel-size': { type: 'number' },
      'batch-size': { type: 'number' },
      ...RUN_BACKEND_OPTIONS,
      json: { type: 'boolean' },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    if (!o.run) throw new UsageError('--run RUN_DIR is required');
    if (!o.input) throw new UsageError('--input FILE|DIR is required');
    if (!o.out) throw new UsageError('--out DIR is required');
    const threshold = o.threshold as number | undefined;
    if (threshold !== undefined && !(threshold >= 0 && threshold <= 1)) throw new UsageError(`--threshold: must be between 0 and 1, not ${threshold}`);
    const pixelSizeMm = o['pixel-size'] as number | undefined;
    if (pixelSizeMm !== undefined && !(pixelSizeMm > 0)) throw new UsageError(`--pixel-size: must be a positive number of millimetres, not ${pixelSizeMm}`);
    const batchSize = (o['batch-size'] as number | undefined) ?? 8;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new UsageError(`--batch-size: must be a positive integer, not ${batchSize}`);
    const runDir = resolve(String(o.run));
    const outDir = resolve(String(o.out));
    let record;
    let images;
    try {
      record = await readRunRecord(runDir);
      images = await listInputImages(String(o.input), { exclude: outDir });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const backend = await initRunBackend(o, record);
    io.info(`backend: ${backend.name} (${backend.reason})`);
    io.info(`predicting ${images.length} image${images.length === 1 ? '' : 's'} with ${record.id} (${record.config.method})`);
    const progress = io.isTTY && !io.json && !process.env.CI;
    const summary = await predictImages({
      tf: backend.tf,
      runDir,
      images,
      outDir,
      threshold,
      pixelSizeMm,
      batchSize,
      signal: io.signal,
      onProgress: (done, total) => {
        if (progress) process.stderr.write(`\r\x1b[2Kpredicting: ${done}/${total}`);
      },
      onSkip: (_file, reason) => {
        if (progress) process.stderr.write('\r\x1b[2K');
        io.warn(`skipped ${reason}`);
      },
    });
    if (progress) process.stderr.write('\r\x1b[2K');
    const malignant = summary.rows.filter((r) => r.prediction === 'malignant').length;
    const classified = summary.rows.some((r) => r.prediction !== undefined);
    io.info(
      `predicted ${summary.rows.length} image${summary.rows.length === 1 ? '' : 's'}` +
        (summary.skipped.length ? `, skipped ${summary.skipped.length}` : '') +
        (classified ? `, ${malignant} above the malignancy threshold ${summary.rows.find((r) => r.threshold !== undefined)?.threshold}` : '') +
        ` in ${summary.seconds.toFixed(1)} s -> ${summary.outDir}`,
    );
    if (!summary.complete) return EXIT.cancelled;
    if (summary.rows.length === 0) {
      io.warn('no image could be read');
      return EXIT.failed;
    }
    io.result({
      runId: summary.runId,
      outDir: summary.outDir,
      csv: summary.csv,
      predicted: summary.rows.length,
      skipped: summary.skipped,
      ...(classified ? { malignant } : {}),
      seconds: summary.seconds,
    });
    return EXIT.ok;
  },
};
