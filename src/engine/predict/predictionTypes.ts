/**
 * Plain-JSON results of predicting on unlabelled images (`bus-lab predict`, *BUS: Segment
 * Image...*). No imports: the CLI, the engine worker, the extension host and the webviews share it.
 */

/** One image's prediction: a row of predictions.csv. */
export interface ImagePrediction {
  /** The source file, relative to the input folder (or its base name for a single file). */
  file: string;
  /** Base name (no extension) of this image's PNGs in masks/, overlays/ and prob/. */
  name: string;
  width: number;
  height: number;
  /** Malignancy probability (multi-task runs). */
  pMalignant?: number;
  /** `malignant` when pMalignant >= threshold (multi-task runs). */
  prediction?: 'benign' | 'malignant';
  /** The run's learned BI-RADS prior phi of the predicted mask (birads runs, non-empty masks). */
  phi?: number;
  /** BI-RADS feature values of the predicted mask at the working size (absent for an empty mask). */
  features: Record<string, number | undefined>;
  /** Predicted lesion pixels at the original size. */
  lesionAreaPx: number;
  /** The same in mm², where the pixel size is known. */
  lesionAreaMm2?: number;
  /** The classification threshold used (multi-task runs). */
  threshold?: number;
}

/** The outcome of one prediction job. */
export interface PredictionSummary {
  runId: string;
  method: string;
  outDir: string;
  /** predictions.csv, absolute. */
  csv: string;
  imageSize: number;
  featureIds: string[];
  rows: ImagePrediction[];
  /** Files that could not be read, each with the reason. */
  skipped: { file: string; reason: string }[];
  /** False when cancelled (predictions.csv then holds the images done). */
  complete: boolean;
  seconds: number;
}
