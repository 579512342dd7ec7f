/**
 * Exports a run's best checkpoint as an ONNX model (`bus-lab export`, *BUS: Export Model as
 * ONNX...*): the graph from unetToOnnx.ts, and metadata properties that say what the model is
 * and exactly how to prepare its input (docs/EXPORT.md).
 */
import { join } from 'node:path';
import { datasetName, parseDatasetSpec } from '../data/spec';
import { loadCheckpoint } from '../model/checkpoint';
import type { ModelDescription } from '../model/predictor';
import { readRunRecord } from '../runs/runFolder';
import { writeFileAtomic } from '../runs/atomicWrite';
import type { TF } from '../tf';
import { collectVersions } from '../train/versions';
import { encodeOnnxModel } from './onnxBuilder';
import { ONNX_INPUT, ONNX_MALIGNANCY_OUTPUT, ONNX_MASK_OUTPUT, ONNX_OPSET, unetToOnnxGraph } from './unetToOnnx';

/** How an image becomes the model's input: what the engine does (src/engine/data), stated exactly. */
export const ONNX_PREPROCESSING =
  'Decode the PNG or JPEG to 8-bit RGBA. Grey = round((0.299 R + 0.587 G + 0.114 B) * A / 255) ' +
  '(Rec. 601 luma composited onto black). Resize to S x S, each axis on its own: area averaging where ' +
  'it shrinks, bilinear interpolation with half-pixel centres (clamped at the borders) where it grows. ' +
  'Divide by 255 to float32 in [0, 1]. Input tensor [N, 1, S, S], rows top to bottom.';

/** How the outputs are read (what `bus-lab predict` and the evaluator do). */
export const ONNX_POSTPROCESSING =
  'mask: resize the S x S probabilities bilinearly (half-pixel centres) to the image size and threshold at 0.5. ' +
  'p_malignant: malignant when >= classification_threshold (chosen on the run\'s internal validation).';

export interface OnnxExportResult {
  file: string;
  bytes: number;
  runId: string;
  imageSize: number;
  outputs: string[];
  metadata: Record<string, string>;
}

export interface OnnxExportOptions {
  /** The checkpoint: `best` (model/, the default) or `last` (checkpoint/). */
  which?: 'best' | 'last';
}

/** Reduces a dataset spec to its name: a spec's absolute path says nothing to the model's users. */
function trainingDatasetName(spec: string): string {
  try {
    return datasetName(parseDatasetSpec(spec, { checkPath: false }));
  } catch {
    return spec;
  }
}

export async function exportRunToOnnx(tf: TF, runDir: string, outFile: string, options: OnnxExportOptions = {}): Promise<OnnxExportResult> {
  const record = await readRunRecord(runDir);
  const checkpointDir = join(runDir, options.which === 'last' ? 'checkpoint' : 'model');
  const { manifest, tensors } = await loadCheckpoint<ModelDescription>(tf, checkpointDir);
  try {
    const { graph, hasClassifier } = unetToOnnxGraph(tf, manifest.model, tensors);
    const threshold = Number(manifest.state.classificationThreshold);
    const version = collectVersions(tf)['bus-lab'] ?? 'unknown';
    const metadata: Record<string, string> = {
      bus_lab_version: version,
      run_id: record.id,
      method: manifest.model.method,
      image_size: String(manifest.model.inputSize),
      classification_threshold: hasClassifier ? String(Number.isFinite(threshold) ? threshold : 0.5) : '',
      training_dataset: trainingDatasetName(record.config.train),
      onnx_opset: String(ONNX_OPSET),
      checkpoint: options.which === 'last' ? 'last' : 'best',
      ...(manifest.state.epoch !== undefined ? { epoch: String(manifest.state.epoch) } : {}),
      input: `${ONNX_INPUT} float32 [N, 1, ${manifest.model.inputSize}, ${manifest.model.inputSize}]`,
      outputs: hasClassifier ? `${ONNX_MASK_OUTPUT} float32 [N, 1, S, S]; ${ONNX_MALIGNANCY_OUTPUT} float32 [N, 1]` : `${ONNX_MASK_OUTPUT} float32 [N, 1, S, S]`,
      preprocessing: ONNX_PREPROCESSING,
      postprocessing: ONNX_POSTPROCESSING,
    };
    const bytes = encodeOnnxModel({
      graph,
      opset: ONNX_OPSET,
      producerVersion: version,
      docString: `BUS Lab ${manifest.model.method} U-Net for breast-ultrasound lesion segmentation, run ${record.id}.`,
      metadata,
    });
    await writeFileAtomic(outFile, bytes);
    return {
      file: outFile,
      bytes: bytes.length,
      runId: record.id,
      imageSize: manifest.model.inputSize,
      outputs: hasClassifier ? [ONNX_MASK_OUTPUT, ONNX_MALIGNANCY_OUTPUT] : [ONNX_MASK_OUTPUT],
      metadata,
    };
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
}
