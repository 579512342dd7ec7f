/**
 * UDIAT Dataset B (Yap et al. 2018): original/NNNNNN.png, GT/NNNNNN.png and DatasetB.xlsx with
 * columns Image (integer; zero-padded to 6 digits in file names), Type (Benign/Malignant) and
 * Diagnosis. No patient ids, so each image is its own patient.
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ItemMeta } from '../../types';
import { DatasetError } from '../errors';
import { DatasetIndex, IndexProblem, SourceItem } from '../source';
import { DatasetSpec } from '../spec';
import { columnReader } from '../tabular/table';
import { readXlsxTable } from '../tabular/xlsx';
import { findRoot, isDirectory, listFiles, stem } from './files';
import { parseLabel } from './labels';
import { readImageWithMasks } from './read-item';

const XLSX = 'DatasetB.xlsx';

/** `12` or `000012` or `000012.png` to the file stem `000012`. */
function imageStem(cell: string): string {
  const s = stem(cell.trim());
  return /^\d+$/.test(s) ? s.padStart(6, '0') : s;
}

export async function listUdiat(spec: DatasetSpec): Promise<DatasetIndex> {
  const root = (await findRoot(spec.path, (d) => isDirectory(join(d, 'original')))) ?? spec.path;
  const imageDir = join(root, 'original');
  const maskDir = join(root, 'GT');
  if (!isDirectory(imageDir)) throw new DatasetError(`udiat: folder ${imageDir} does not exist`);
  if (!isDirectory(maskDir)) throw new DatasetError(`udiat: folder ${maskDir} does not exist`);
  const table = await readXlsxTable(join(root, XLSX));
  const col = columnReader(table, ['Image', 'Type']);

  const items: SourceItem[] = [];
  const problems: IndexProblem[] = [];
  const listed = new Set<string>();
  table.rows.forEach((row, r) => {
    const where = `${basename(table.file)} row ${r + 2}`;
    const id = imageStem(col(row, 'Image'));
    if (id === '') {
      problems.push({ code: 'bad-row', file: table.file, reason: `${where}: empty Image` });
      return;
    }
    listed.add(id);
    const imagePath = join(imageDir, `${id}.png`);
    const maskPath = join(maskDir, `${id}.png`);
    const label = parseLabel(col(row, 'Type'));
    if (!label || label === 'normal') {
      problems.push({ code: 'bad-row', file: imagePath, reason: `${where}: Type '${col(row, 'Type')}' is not Benign or Malignant` });
      return;
    }
    if (!existsSync(imagePath)) {
      problems.push({ code: 'missing-file', file: imagePath, reason: `listed in ${XLSX} but not found` });
      return;
    }
    if (!existsSync(maskPath)) {
      problems.push({ code: 'image-without-mask', file: imagePath, reason: `mask GT/${id}.png not found` });
      return;
    }
    const meta: ItemMeta = { imagePath, maskPaths: [maskPath] };
    const diagnosis = col(row, 'Diagnosis');
    if (diagnosis !== '') meta.histology = diagnosis;
    items.push({ id, patientId: id, label, meta, files: [imagePath, maskPath], read: () => readImageWithMasks(imagePath, [maskPath]) });
  });

  for (const f of await listFiles(imageDir)) {
    if (f.toLowerCase().endsWith('.png') && !listed.has(stem(f))) problems.push({ code: 'unlabelled', file: join(imageDir, f), reason: `not listed in ${XLSX}` });
  }
  for (const f of await listFiles(maskDir)) {
    if (f.toLowerCase().endsWith('.png') && !existsSync(join(imageDir, f))) problems.push({ code: 'mask-without-image', file: join(maskDir, f), reason: `no image original/${f} for this mask` });
  }
  return { items, problems, notes: [] };
}
