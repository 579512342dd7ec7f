/**
 * A plain folder for one's own data: images/ and masks/ whose files match by name (PNG or JPEG;
 * `x.jpg` pairs with `x.png` or `x_mask.png`), and an optional labels.csv with columns file,label
 * (and optionally patient). Without labels.csv an image with an empty mask is normal and any other
 * is counted benign, which the loader says in a note because classification scores are then void.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Label } from '../../types';
import { DatasetError } from '../errors';
import { DatasetIndex, IndexProblem, SourceItem, safeId } from '../source';
import { DatasetSpec } from '../spec';
import { readCsvTable } from '../tabular/csv';
import { columnReader } from '../tabular/table';
import { isImageName, listFiles, requireDirectory, stem } from './files';
import { parseLabel } from './labels';
import { readImageWithMasks } from './read-item';

interface LabelRow {
  label: Label;
  patient?: string;
}

async function readLabels(file: string, problems: IndexProblem[]): Promise<Map<string, LabelRow>> {
  const table = await readCsvTable(file);
  const col = columnReader(table, ['file', 'label']);
  const out = new Map<string, LabelRow>();
  table.rows.forEach((row, r) => {
    const label = parseLabel(col(row, 'label'));
    if (!label) {
      problems.push({ code: 'bad-row', file, reason: `labels.csv row ${r + 2}: label '${col(row, 'label')}' is not benign, malignant or normal` });
      return;
    }
    const patient = col(row, 'patient');
    out.set(stem(col(row, 'file')), { label, patient: patient === '' ? undefined : patient });
  });
  return out;
}

export async function listFolder(spec: DatasetSpec): Promise<DatasetIndex> {
  const imageDir = join(spec.path, 'images');
  const maskDir = join(spec.path, 'masks');
  requireDirectory('folder', imageDir);
  requireDirectory('folder', maskDir);
  const problems: IndexProblem[] = [];
  const notes: string[] = [];
  const labelsFile = join(spec.path, 'labels.csv');
  const labels = existsSync(labelsFile) ? await readLabels(labelsFile, problems) : undefined;
  if (!labels) notes.push(`folder: no labels.csv in ${spec.path}; images with a lesion are counted benign, so classification scores mean nothing`);

  const images = (await listFiles(imageDir)).filter(isImageName);
  if (images.length === 0) throw new DatasetError(`folder: no PNG or JPEG images in ${imageDir}`);
  const masksByStem = new Map<string, string>();
  for (const m of (await listFiles(maskDir)).filter(isImageName)) masksByStem.set(stem(m).replace(/_mask$/i, ''), m);

  const items: SourceItem[] = [];
  const used = new Set<string>();
  for (const image of images) {
    const key = stem(image);
    const imagePath = join(imageDir, image);
    const maskName = masksByStem.get(key);
    const row = labels?.get(key);
    if (labels && !row) {
      problems.push({ code: 'unlabelled', file: imagePath, reason: 'not listed in labels.csv' });
      continue;
    }
    if (!maskName && row?.label !== 'normal') {
      problems.push({ code: 'image-without-mask', file: imagePath, reason: `no mask named ${key}.png in masks/` });
      continue;
    }
    if (maskName) used.add(maskName);
    const maskPaths = maskName ? [join(maskDir, maskName)] : [];
    const id = safeId(key);
    items.push({
      id,
      patientId: row?.patient ?? id,
      label: row?.label ?? 'benign',
      meta: { imagePath, maskPaths, ...(row ? {} : { labelAssumed: true }) },
      labelFromMask: !row,
      files: [imagePath, ...maskPaths],
      read: () => readImageWithMasks(imagePath, maskPaths),
    });
  }
  for (const [, m] of masksByStem) if (!used.has(m)) problems.push({ code: 'mask-without-image', file: join(maskDir, m), reason: 'no image with this name in images/' });
  return { items, problems, notes };
}
