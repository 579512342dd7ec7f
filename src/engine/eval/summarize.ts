/**
 * From per-image results to the dataset summary: segmentation metrics over lesion images, the
 * false-positive statistics of normal images, benign-vs-malignant classification, and the BI-RADS
 * feature values. Every summary is seeded, so summary.json is reproducible from per_image.csv.
 */
import { aucWithCI } from '../stats/auc';
import { DEFAULT_RESAMPLES } from '../stats/bootstrap';
import { metricsAtThreshold } from '../stats/classification';
import { summarizeMetric } from '../stats/summary';
import { LABELS, Label, LoadedDataset } from '../types';
import type { ClassificationSummary, EvaluationSummary, FeatureSummary, NormalImagesSummary, PerImageResult } from './evaluationTypes';
import { SEGMENTATION_METRICS } from './evaluationTypes';

export interface SummaryOptions {
  seed: number;
  threshold: number;
  imageSize: number;
  resamples?: number;
}

function normalSummary(rows: readonly PerImageResult[]): NormalImagesSummary | undefined {
  const normal = rows.filter((r) => r.truthArea === 0);
  if (normal.length === 0) return undefined;
  const withFalsePositive = normal.filter((r) => r.predictedArea > 0).length;
  const meanArea = normal.reduce((s, r) => s + r.falsePositiveArea, 0) / normal.length;
  const meanFraction = normal.reduce((s, r) => s + r.falsePositiveArea / Math.max(1, r.width * r.height), 0) / normal.length;
  return { n: normal.length, withFalsePositive, falsePositiveShare: withFalsePositive / normal.length, meanFalsePositiveArea: meanArea, meanFalsePositiveFraction: meanFraction };
}

/** Benign vs malignant over images with a prediction; undefined without both classes. */
function classification(rows: readonly PerImageResult[], threshold: number): { auc?: EvaluationSummary['auc']; summary?: ClassificationSummary } {
  const cases = rows.filter((r) => (r.label === 'benign' || r.label === 'malignant') && r.pMalignant !== undefined && Number.isFinite(r.pMalignant));
  const scores = cases.map((r) => r.pMalignant as number);
  const positive = cases.map((r) => r.label === 'malignant');
  const positives = positive.filter(Boolean).length;
  const negatives = cases.length - positives;
  if (positives === 0 || negatives === 0) return {};
  const a = aucWithCI(scores, positive);
  return {
    auc: { value: a.auc, ...(a.ci ? { ci95: a.ci } : {}), se: Number.isFinite(a.se) ? a.se : 0 },
    summary: { positives, negatives, atHalf: metricsAtThreshold(scores, positive, 0.5), atThreshold: metricsAtThreshold(scores, positive, threshold) },
  };
}

function featureSummaries(rows: readonly PerImageResult[], resamples: number, seed: number): Record<string, FeatureSummary> {
  const ids = new Set(rows.flatMap((r) => Object.keys(r.features)));
  const out: Record<string, FeatureSummary> = {};
  for (const id of ids) {
    const t = rows.map((r) => r.features[id]?.true);
    const p = rows.map((r) => r.features[id]?.pred);
    const err = rows.map((r) => {
      const f = r.features[id];
      return f?.true !== undefined && f?.pred !== undefined ? Math.abs(f.true - f.pred) : undefined;
    });
    const s: FeatureSummary = {};
    const ts = summarizeMetric(t, { seed, resamples });
    const ps = summarizeMetric(p, { seed, resamples });
    const es = summarizeMetric(err, { seed, resamples });
    if (ts) s.true = ts;
    if (ps) s.pred = ps;
    if (es) s.absoluteError = es;
    out[id] = s;
  }
  return out;
}

export function summarizeEvaluation(dataset: Pick<LoadedDataset, 'name' | 'slug' | 'spec' | 'kind' | 'skipped'>, rows: readonly PerImageResult[], options: SummaryOptions): EvaluationSummary {
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const lesion = rows.filter((r) => r.truthArea > 0);
  const metrics: EvaluationSummary['metrics'] = {};
  for (const name of SEGMENTATION_METRICS) {
    const s = summarizeMetric(
      lesion.map((r) => r[name]),
      { seed: options.seed, resamples },
    );
    if (s) metrics[name] = s;
  }
  const labels = Object.fromEntries(LABELS.map((l) => [l, 0])) as Record<Label, number>;
  for (const r of rows) labels[r.label]++;
  const cls = classification(rows, options.threshold);
  const normal = normalSummary(rows);
  return {
    formatVersion: 1,
    dataset: dataset.name,
    slug: dataset.slug,
    spec: dataset.spec,
    kind: dataset.kind,
    createdAt: new Date().toISOString(),
    images: rows.length,
    labels,
    imageSize: options.imageSize,
    seed: options.seed,
    bootstrapResamples: resamples,
    metrics,
    ...(normal ? { normal } : {}),
    ...(cls.auc ? { auc: cls.auc } : {}),
    ...(cls.summary ? { classification: cls.summary } : {}),
    features: featureSummaries(lesion, resamples, options.seed),
    skipped: dataset.skipped,
    threshold: options.threshold,
  };
}
