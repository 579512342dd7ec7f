/**
 * predictions.csv: one row per predicted image (RFC 4180 quoting; undefined values are empty
 * cells). Columns: file, name, width, height, p_malignant, prediction, phi, one per BI-RADS
 * feature, lesion_area_px, lesion_area_mm2, threshold.
 */
import { csvLine } from '../data/tabular/csv';
import type { ImagePrediction } from './predictionTypes';

function num(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '';
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(8)));
}

export function formatPredictionsCsv(rows: readonly ImagePrediction[], featureIds: readonly string[]): string {
  const header = ['file', 'name', 'width', 'height', 'p_malignant', 'prediction', 'phi', ...featureIds, 'lesion_area_px', 'lesion_area_mm2', 'threshold'];
  const lines = [csvLine(header)];
  for (const r of rows) {
    lines.push(
      csvLine([
        r.file,
        r.name,
        num(r.width),
        num(r.height),
        num(r.pMalignant),
        r.prediction ?? '',
        num(r.phi),
        ...featureIds.map((id) => num(r.features[id])),
        num(r.lesionAreaPx),
        num(r.lesionAreaMm2),
        num(r.threshold),
      ]),
    );
  }
  return lines.join('\n') + '\n';
}
