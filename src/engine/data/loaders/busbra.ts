/**
 * BUS-BRA (Gómez-Flores et al. 2024): Images/bus_NNNN-X.png, Masks/mask_NNNN-X.png and
 * bus_data.csv (ID, Case, Histology, Pathology, BIRADS, Device, ...). Case is the patient: the
 * same woman appears in several images, which patient-level splits must respect.
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
import { readImageWithMasks } from './read-item';

const CSV = 'bus_data.csv';

export async function listBusbra(spec: DatasetSpec): Promise<DatasetIndex> {
  const root = (await findRoot(spec.path, (d) => existsSync(join(d, CSV)) || isDirectory(join(d, 'Images')))) ?? spec.path;
  const imageDir = join(root, 'Images');
  const maskDir = join(root, 'Masks');
  if (!isDirectory(imageDir)) throw new DatasetError(`busbra: folder ${imageDir} does not exist`);
  if (!isDirectory(maskDir)) throw new DatasetError(`busbra: folder ${maskDir} does not exist`);
  const table = await readCsvTable(join(root, CSV));
  const col = columnReader(table, ['ID', 'Case', 'Pathology']);

  const items: SourceItem[] = [];
  const problems: IndexProblem[] = [];
  const listed = new Set<string>();
  table.rows.forEach((row, r) => {
    const name = col(row, 'ID');
    const where = `${table.file} row ${r + 2}`;
    if (name === '') {
      problems.push({ code: 'bad-row', file: table.file, reason: `${where}: empty ID` });
      return;
    }
    listed.add(name);
    const imagePath = join(imageDir, `${name}.png`);
    const maskPath = join(maskDir, `${name.replace(/^bus_/, 'mask_')}.png`);
    const label = parseLabel(col(row, 'Pathology'));
    if (!label || label === 'normal') {
      problems.push({ code: 'bad-row', file: imagePath, reason: `${where}: Pathology '${col(row, 'Pathology')}' is not benign or malignant` });
      return;
    }
    if (!existsSync(imagePath)) {
      problems.push({ code: 'missing-file', file: imagePath, reason: `listed in ${CSV} but not found` });
      return;
    }
    if (!existsSync(maskPath)) {
      problems.push({ code: 'image-without-mask', file: imagePath, reason: `mask ${maskPath} not found` });
      return;
    }
    const meta: ItemMeta = { imagePath, maskPaths: [maskPath] };
    const optional: [string, string][] = [
      ['histology', 'Histology'],
      ['birads', 'BIRADS'],
      ['device', 'Device'],
      ['side', 'Side'],
      ['bbox', 'BBOX'],
    ];
    for (const [key, column] of optional) {
      const v = col(row, column);
      if (v !== '') meta[key] = v;
    }
    items.push({
      id: safeId(name),
      patientId: `case${col(row, 'Case') || name}`,
      label,
      meta,
      files: [imagePath, maskPath],
      read: () => readImageWithMasks(imagePath, [maskPath]),
    });
  });

  for (const f of await listFiles(imageDir)) {
    if (f.toLowerCase().endsWith('.png') && !listed.has(stem(f))) problems.push({ code: 'unlabelled', file: join(imageDir, f), reason: `not listed in ${CSV}` });
  }
  for (const f of await listFiles(maskDir)) {
    const image = `${stem(f).replace(/^mask_/, 'bus_')}.png`;
    if (f.toLowerCase().endsWith('.png') && !existsSync(join(imageDir, image))) problems.push({ code: 'mask-without-image', file: join(maskDir, f), reason: `no image Images/${image} for this mask` });
  }
  return { items, problems, notes: [] };
}
