/**
 * Plain-JSON shapes of an evaluation (`eval/<slug>/summary.json`, `per_image.csv` rows). No
 * imports beyond types: the extension host and webviews read these files too.
 */
import type { DatasetKind, Label, MetricSummary } from '../types';
import type { ThresholdMetrics } from '../stats/classification';

/** The per-image segmentation metrics summarised for a dataset (lesion images only). */
export type SegmentationMetricName = 'dice' | 'iou' | 'hd95' | 'hd95Mm' | 'precision' | 'recall';
export const SEGMENTATION_METRICS: readonly SegmentationMetricName[] = ['dice', 'iou', 'hd95', 'hd95Mm', 'precision', 'recall'];

/** One row of per_image.csv. Undefined metrics are written as empty cells. */
export interface PerImageResult {
  id: string;
  /** Base name of the image's PNGs under images/, masks/, truth/, prob/ (file-system safe). */
  file: string;
  label: Label;
  patientId: string;
  /** Original resolution, where the metrics are computed. */
  width: number;
  height: number;
  pixelSizeMm?: number;
  dice?: number;
  iou?: number;
  /** HD95 in pixels of the original image. */
  hd95?: number;
  hd95Mm?: number;
  precision?: number;
  recall?: number;
  truthArea: number;
  predictedArea: number;
  falsePositiveArea: number;
  /** Predicted probability of malignancy; undefined for a model without a classification head. */
  pMalignant?: number;
  /** phi (the run's learned BI-RADS prior) of the predicted mask's features; birads runs only (CSV `phi_pred`). */
  phiPredicted?: number;
  /** phi of the true mask's features (CSV `phi_true`). */
  phiTrue?: number;
  /** BI-RADS feature values of the true and of the predicted mask at the working size. */
  features: Record<string, { true?: number; pred?: number }>;
  /** The source image, relative to the dataset folder (summary.json `data.path`), `/`-separated (CSV `source`); absent when the dataset names no file inside its folder. */
  source?: string;
}

export interface NormalImagesSummary {
  n: number;
  /** Normal images with at least one predicted lesion pixel. */
  withFalsePositive: number;
  falsePositiveShare: number;
  /** Mean predicted area over normal images, in original-resolution pixels. */
  meanFalsePositiveArea: number;
  /** Mean predicted area as a share of the image area. */
  meanFalsePositiveFraction: number;
}

export interface ClassificationSummary {
  /** Malignant images (positives) and benign images (negatives) with a prediction. */
  positives: number;
  negatives: number;
  /** At the conventional 0.5. */
  atHalf: ThresholdMetrics;
  /** At the threshold chosen on internal validation (equals atHalf when that is 0.5). */
  atThreshold: ThresholdMetrics;
}

export interface FeatureSummary {
  true?: MetricSummary;
  pred?: MetricSummary;
  /** |true - predicted| over images where both masks are non-empty. */
  absoluteError?: MetricSummary;
}

/** What to do when `eval/<slug>/` already holds a finished evaluation: refuse (the default), overwrite it, or keep both (`eval/<slug>@<time>/`). */
export type ExistingEvaluation = 'refuse' | 'overwrite' | 'keepBoth';
export const EXISTING_EVALUATION_CHOICES: readonly ExistingEvaluation[] = ['refuse', 'overwrite', 'keepBoth'];

/** Which weights were evaluated (summary.json `checkpoint`). */
export interface EvaluatedCheckpoint {
  /** `best` (model/) or `last` (checkpoint/). */
  which: 'best' | 'last';
  /** The training epoch (1-based) whose weights these are; absent for a checkpoint that does not say. */
  epoch?: number;
  /** sha256 (hex) of the weights file(s), in the manifest's order. */
  weightsSha256: string;
}

/** The evaluated data (summary.json `data`). */
export interface EvaluatedData {
  /** The dataset folder (as the spec named it, `~` expanded). */
  path: string;
  /** sha256 (hex) of the evaluated items' sorted relative file paths and sizes (docs/ARCHITECTURE.md). */
  fingerprint: string;
}

/** Contents of `eval/<slug>/summary.json`. */
export interface EvaluationSummary {
  formatVersion: 1;
  /** Human name of the dataset. */
  dataset: string;
  slug: string;
  spec: string;
  kind: DatasetKind;
  createdAt: string;
  images: number;
  labels: Record<Label, number>;
  /** Working size the model predicted at. */
  imageSize: number;
  seed: number;
  bootstrapResamples: number;
  /** Segmentation metrics over images with a lesion (normal images are reported in `normal`). */
  metrics: Partial<Record<SegmentationMetricName, MetricSummary>>;
  normal?: NormalImagesSummary;
  /** Benign vs malignant AUC with DeLong 95% CI; absent without a head or without both classes. */
  auc?: { value: number; ci95?: [number, number]; se: number };
  classification?: ClassificationSummary;
  features: Record<string, FeatureSummary>;
  skipped: { file: string; reason: string }[];
  /** The classification threshold applied (`classification.atThreshold`): the one chosen on validation unless the caller gave one. */
  threshold?: number;
  /** Absent in summaries written before provenance was recorded. */
  checkpoint?: EvaluatedCheckpoint;
  data?: EvaluatedData;
}
