/**
 * BUS-UCLM (Vallez et al. 2025): images/XXXX_NNN.png, masks/XXXX_NNN.png colour-coded (black
 * background, green benign lesion, red malignant lesion), INFO.csv separated by semicolons
 * (Image;Label;Resolution;Doppler;Marks;Combined). The 4-letter prefix identifies the patient.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ItemMeta } from '../../types';
import { DatasetError } from '../errors';
import { DatasetIndex, IndexProblem, SourceItem, safeId } from '../source';
import { DatasetSpec } from '../spec';
import { readCsvTable } from '../tabular/csv';
import { columnReader } from '../tabular/table';
import { findRoot, isDirectory, listFiles, stem } from './files';
import { parseLabel } from './labels';
import { colourMaskDecoder, readImageWithMasks } from './read-item';

const CSV = 'INFO.csv';

export async function listBusuclm(spec: DatasetSpec): Promise<DatasetIndex> {
  const root = (await findRoot(spec.path, (d) => existsSync(join(d, CSV)) || isDirectory(join(d, 'images')))) ?? spec.path;
  const imageDir = join(root, 'images');
  const maskDir = join(root, 'masks');
  if (!isDirectory(imageDir)) throw new DatasetError(`busuclm: folder ${imageDir} does not exist`);
  if (!isDirectory(maskDir)) throw new DatasetError(`busuclm: folder ${maskDir} does not exist`);
  const table = await readCsvTable(join(root, CSV), ';');
  const col = columnReader(table, ['Image', 'Label']);

  const items: SourceItem[] = [];
  const problems: IndexProblem[] = [];
  const listed = new Set<string>();
  table.rows.forEach((row, r) => {
    const where = `${CSV} row ${r + 2}`;
    const name = stem(col(row, 'Image'));
    if (name === '') {
      problems.push({ code: 'bad-row', file: table.file, reason: `${where}: empty Image` });
      return;
    }
    listed.add(name);
    const imagePath = join(imageDir, `${name}.png`);
    const maskPath = join(maskDir, `${name}.png`);
    const label = parseLabel(col(row, 'Label'));
    if (!label) {
      problems.push({ code: 'bad-row', file: imagePath, reason: `${where}: Label '${col(row, 'Label')}' is not Normal, Benign or Malignant` });
      return;
    }
    if (!existsSync(imagePath)) {
      problems.push({ code: 'missing-file', file: imagePath, reason: `listed in ${CSV} but not found` });
      return;
    }
    const hasMask = existsSync(maskPath);
    if (!hasMask && label !== 'normal') {
      problems.push({ code: 'image-without-mask', file: imagePath, reason: `mask masks/${name}.png not found` });
      return;
    }
    const maskPaths = hasMask ? [maskPath] : [];
    const meta: ItemMeta = { imagePath, maskPaths };
    for (const column of ['Resolution', 'Doppler', 'Marks', 'Combined']) {
      const v = col(row, column);
      if (v !== '') meta[column.toLowerCase()] = v;
    }
    items.push({
      id: safeId(name),
      patientId: name.slice(0, 4),
      label,
      meta,
      files: [imagePath, ...maskPaths],
      read: () => readImageWithMasks(imagePath, maskPaths, colourMaskDecoder),
    });
  });

  for (const f of await listFiles(imageDir)) {
    if (f.toLowerCase().endsWith('.png') && !listed.has(stem(f))) problems.push({ code: 'unlabelled', file: join(imageDir, f), reason: `not listed in ${CSV}` });
  }
  for (const f of await listFiles(maskDir)) {
    if (f.toLowerCase().endsWith('.png') && !existsSync(join(imageDir, f))) problems.push({ code: 'mask-without-image', file: join(maskDir, f), reason: `no image images/${f} for this mask` });
  }
  return { items, problems, notes: [] };
}
