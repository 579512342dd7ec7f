/**
 * BrEaST-Lesions_USG (Pawłowska et al. 2024): caseNNN.png (RGBA), caseNNN_tumor.png lesion masks,
 * caseNNN_otherK.png masks of other findings (kept by name only), and the clinical spreadsheet
 * giving the class and the BI-RADS descriptors. One image per patient.
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ItemMeta } from '../../types';
import { DatasetError } from '../errors';
import { DatasetIndex, IndexProblem, SourceItem, safeId } from '../source';
import { DatasetSpec } from '../spec';
import { columnReader } from '../tabular/table';
import { readXlsxTable } from '../tabular/xlsx';
import { findRoot, folderHasFile, listFiles } from './files';
import { parseLabel } from './labels';
import { readImageWithMasks } from './read-item';

const REQUIRED = ['Image_filename', 'Mask_tumor_filename', 'Classification'] as const;
const IMAGE_NAME = /^case\d+\.png$/i;
const MASK_NAME = /^(case\d+)_(tumor|other\d*)\.png$/i;

const isXlsx = (name: string) => name.toLowerCase().endsWith('.xlsx') && !name.startsWith('~$');
const hasXlsx = (dir: string) => folderHasFile(dir, isXlsx);

/** The folder holding caseNNN.png: the root itself or one of its subfolders. */
const holdsCases = (dir: string) => folderHasFile(dir, (f) => IMAGE_NAME.test(f));

function optionalNumber(text: string): number | undefined {
  const n = Number(text);
  return text !== '' && Number.isFinite(n) ? n : undefined;
}

/** Descriptor cells: kept as spelled, except the placeholders for "no value". */
function descriptor(text: string): string | undefined {
  return text === '' || text === 'not available' ? undefined : text;
}

export async function listBreast(spec: DatasetSpec): Promise<DatasetIndex> {
  const root = await findRoot(spec.path, hasXlsx);
  if (!root) throw new DatasetError(`breast: no clinical spreadsheet (*.xlsx) in ${spec.path}`);
  const xlsxName = (await listFiles(root)).filter(isXlsx)[0];
  const table = await readXlsxTable(join(root, xlsxName));
  const col = columnReader(table, REQUIRED);
  const imageDir = await findRoot(root, holdsCases);
  if (!imageDir) throw new DatasetError(`breast: no caseNNN.png images in ${root} or its subfolders`);

  const items: SourceItem[] = [];
  const problems: IndexProblem[] = [];
  const listed = new Set<string>();
  table.rows.forEach((row, r) => {
    const imageName = col(row, 'Image_filename');
    const where = `${table.file} row ${r + 2}`;
    if (imageName === '') {
      problems.push({ code: 'bad-row', file: table.file, reason: `${where}: empty Image_filename` });
      return;
    }
    listed.add(imageName);
    const label = parseLabel(col(row, 'Classification'));
    const imagePath = join(imageDir, imageName);
    if (!label) {
      problems.push({ code: 'bad-row', file: imagePath, reason: `${where}: Classification '${col(row, 'Classification')}' is not benign, malignant or normal` });
      return;
    }
    if (!existsSync(imagePath)) {
      problems.push({ code: 'missing-file', file: imagePath, reason: `listed in ${basename(table.file)} but not found` });
      return;
    }
    const tumour = col(row, 'Mask_tumor_filename');
    const maskPaths = tumour === '' ? [] : [join(imageDir, tumour)];
    if (tumour !== '') listed.add(tumour);
    if (label !== 'normal' && (maskPaths.length === 0 || !existsSync(maskPaths[0]))) {
      problems.push({ code: 'image-without-mask', file: imagePath, reason: tumour === '' ? `${where}: no Mask_tumor_filename for a ${label} case` : `mask ${tumour} not found` });
      return;
    }
    const others = col(row, 'Mask_other_filename').split('&').map((s) => s.trim()).filter((s) => s !== '');
    others.forEach((o) => listed.add(o));
    const pixelSizeCm = optionalNumber(col(row, 'Pixel_size'));
    const id = safeId(imageName.replace(/\.png$/i, ''));
    const meta: ItemMeta = {
      imagePath,
      maskPaths,
      otherMaskNames: others,
      pixelSizeMm: pixelSizeCm === undefined ? undefined : pixelSizeCm * 10,
      birads: descriptor(col(row, 'BIRADS')),
      shape: descriptor(col(row, 'Shape')),
      margin: descriptor(col(row, 'Margin')),
      echogenicity: descriptor(col(row, 'Echogenicity')),
      posteriorFeatures: descriptor(col(row, 'Posterior_features')),
      halo: descriptor(col(row, 'Halo')),
      calcifications: descriptor(col(row, 'Calcifications')),
      histology: descriptor(col(row, 'Diagnosis')),
      interpretation: descriptor(col(row, 'Interpretation')),
      verification: descriptor(col(row, 'Verification')),
      tissueComposition: descriptor(col(row, 'Tissue_composition')),
      age: optionalNumber(col(row, 'Age')),
    };
    for (const k of Object.keys(meta)) if (meta[k] === undefined) delete meta[k];
    const caseId = col(row, 'CaseID');
    items.push({
      id,
      patientId: caseId !== '' ? `case${caseId}` : id,
      label,
      meta,
      files: [imagePath, ...maskPaths],
      read: () => readImageWithMasks(imagePath, maskPaths),
    });
  });

  // Files on disk the spreadsheet does not mention: report, never use silently.
  for (const f of await listFiles(imageDir)) {
    if (listed.has(f)) continue;
    const m = MASK_NAME.exec(f);
    if (m && !existsSync(join(imageDir, `${m[1]}.png`))) problems.push({ code: 'mask-without-image', file: join(imageDir, f), reason: `no image ${m[1]}.png for this mask` });
    else if (IMAGE_NAME.test(f)) problems.push({ code: 'unlabelled', file: join(imageDir, f), reason: `not listed in ${basename(table.file)}` });
  }
  return { items, problems, notes: [] };
}
