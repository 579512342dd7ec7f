/**
 * per_image.csv: one row per image of an evaluated dataset. Written by the evaluator, read back by
 * run comparison (pairing images by id across runs) and the gallery. RFC 4180 quoting (the one
 * CSV module, data/tabular/csv.ts), so ids with commas, quotes or spaces survive; undefined values
 * are empty cells. Columns: docs/ARCHITECTURE.md ("The run folder").
 */
import { csvLine, parseCsv } from '../data/tabular/csv';
import type { PerImageResult } from '../eval/evaluationTypes';
import { LABELS, Label } from '../types';

const FIXED_COLUMNS = [
  'id',
  'file',
  'label',
  'patientId',
  'width',
  'height',
  'pixelSizeMm',
  'dice',
  'iou',
  'hd95',
  'hd95Mm',
  'precision',
  'recall',
  'truthArea',
  'predictedArea',
  'falsePositiveArea',
  'pMalignant',
  'phi_pred',
  'phi_true',
  'source',
] as const;

/** Row fields behind the columns whose CSV name differs from the field name. */
const FIELD_OF: Record<string, keyof PerImageResult> = { phi_pred: 'phiPredicted', phi_true: 'phiTrue' };

function formatNumber(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '';
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(10)));
}

/** Feature ids present in the rows, in first-seen order. */
function featureIds(rows: readonly PerImageResult[]): string[] {
  const ids: string[] = [];
  for (const r of rows) for (const id of Object.keys(r.features)) if (!ids.includes(id)) ids.push(id);
  return ids;
}

export function formatPerImageCsv(rows: readonly PerImageResult[]): string {
  const features = featureIds(rows);
  const header = [...FIXED_COLUMNS, ...features.flatMap((f) => [`true_${f}`, `pred_${f}`])];
  const lines = [csvLine(header)];
  for (const r of rows) {
    const fixed = FIXED_COLUMNS.map((c) => {
      const v = r[FIELD_OF[c] ?? (c as keyof PerImageResult)];
      return typeof v === 'string' ? v : formatNumber(typeof v === 'number' ? v : undefined);
    });
    const feats = features.flatMap((f) => [formatNumber(r.features[f]?.true), formatNumber(r.features[f]?.pred)]);
    lines.push(csvLine([...fixed, ...feats]));
  }
  return lines.join('\n') + '\n';
}

function parseOptionalNumber(text: string | undefined, where: string): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const v = Number(text);
  if (!Number.isFinite(v)) throw new Error(`${where}: '${text}' is not a number`);
  return v;
}

/** Parses per_image.csv; `file` names the source in error messages. */
export function parsePerImageCsv(text: string, file: string): PerImageResult[] {
  const records = parseCsv(text).filter((r) => !(r.length === 1 && r[0] === ''));
  if (records.length === 0) throw new Error(`${file}: empty file`);
  const header = records[0];
  const col = new Map(header.map((h, i) => [h.trim(), i]));
  for (const required of ['id', 'label', 'dice']) {
    if (!col.has(required)) throw new Error(`${file}: missing column '${required}'`);
  }
  const features = header.map((h) => /^true_(.+)$/.exec(h.trim())?.[1]).filter((f): f is string => f !== undefined);
  return records.slice(1).map((rec, k) => {
    const line = k + 2;
    const get = (name: string) => {
      const i = col.get(name);
      return i === undefined ? undefined : rec[i];
    };
    const num = (name: string) => parseOptionalNumber(get(name), `${file} line ${line}, column ${name}`);
    const label = (get('label') ?? '').trim();
    if (!LABELS.includes(label as Label)) throw new Error(`${file} line ${line}, column label: '${label}' is not one of ${LABELS.join(', ')}`);
    const id = get('id') ?? '';
    if (id === '') throw new Error(`${file} line ${line}, column id: empty`);
    const row: PerImageResult = {
      id,
      file: get('file') || id,
      label: label as Label,
      patientId: get('patientId') || id,
      width: num('width') ?? 0,
      height: num('height') ?? 0,
      truthArea: num('truthArea') ?? 0,
      predictedArea: num('predictedArea') ?? 0,
      falsePositiveArea: num('falsePositiveArea') ?? 0,
      features: {},
    };
    for (const name of ['pixelSizeMm', 'dice', 'iou', 'hd95', 'hd95Mm', 'precision', 'recall', 'pMalignant'] as const) {
      const v = num(name);
      if (v !== undefined) row[name] = v;
    }
    const phiPredicted = num('phi_pred');
    const phiTrue = num('phi_true');
    if (phiPredicted !== undefined) row.phiPredicted = phiPredicted;
    if (phiTrue !== undefined) row.phiTrue = phiTrue;
    const source = get('source');
    if (source) row.source = source;
    for (const f of features) {
      const t = num(`true_${f}`);
      const p = num(`pred_${f}`);
      row.features[f] = { ...(t !== undefined ? { true: t } : {}), ...(p !== undefined ? { pred: p } : {}) };
    }
    return row;
  });
}
