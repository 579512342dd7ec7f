import { resolve } from 'node:path';
import { exportRunToOnnx } from '../../engine/export/exportOnnx';
import { readRunRecord } from '../../engine/runs/runFolder';
import { parseArgs } from '../args';
import { CliCommand, EXIT, UsageError } from '../command';
import { initRunBackend, RUN_BACKEND_OPTIONS, RUN_BACKEND_USAGE } from '../runBackend';

const USAGE = `Usage: bus-lab export --run RUN_DIR --out FILE [--format onnx] [options]

Exports a trained run's best checkpoint as an ONNX model (batch norm folded), for ONNX Runtime
and any other ONNX consumer. See docs/EXPORT.md for the inputs, outputs and metadata.

  --run DIR            the run folder (holds run.json and model/)
  --out FILE           the model file to write, e.g. model.onnx (written atomically)
  --format onnx        the export format (only onnx)
  --which best|last    checkpoint to export (default best)
${RUN_BACKEND_USAGE}
  --json               print { file, bytes, runId, imageSize, outputs, metadata } on the last line
`;

export const exportCommand: CliCommand = {
  name: 'export',
  summary: 'export a trained run as an ONNX model',
  usage: USAGE,
  async run(argv, io) {
    const { positionals, options: o } = parseArgs(argv, {
      run: { type: 'string' },
      out: { type: 'string' },
      format: { type: 'string' },
      which: { type: 'string' },
      ...RUN_BACKEND_OPTIONS,
      json: { type: 'boolean' },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    if (!o.run) throw new UsageError('--run RUN_DIR is required');
    if (!o.out) throw new UsageError('--out FILE is required');
    const format = String(o.format ?? 'onnx');
    if (format !== 'onnx') throw new UsageError(`--format: unknown format '${format}' (only onnx)`);
    const which = String(o.which ?? 'best');
    if (which !== 'best' && which !== 'last') throw new UsageError(`--which must be best or last, not '${which}'`);
    const runDir = resolve(String(o.run));
    let record;
    try {
      record = await readRunRecord(runDir);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const backend = await initRunBackend(o, record);
    const result = await exportRunToOnnx(backend.tf, runDir, resolve(String(o.out)), { which });
    io.info(`exported ${result.runId} (${result.metadata.method}, ${result.imageSize}x${result.imageSize}) -> ${result.file} (${(result.bytes / 1e6).toFixed(2)} MB)`);
    io.info(`outputs: ${result.outputs.join(', ')}; opset ${result.metadata.onnx_opset}`);
    io.result(result);
    return EXIT.ok;
  },
};
