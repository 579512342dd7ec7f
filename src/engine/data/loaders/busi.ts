/**
 * BUSI (Al-Dhabyani et al. 2020): class folders benign/, malignant/, normal/ holding `X (N).png`
 * and its masks `X (N)_mask.png`, `X (N)_mask_1.png`, ... whose union is the lesion. No patient
 * ids are published, so each image is its own patient.
 */
import { join } from 'node:path';
import { Label } from '../../types';
import { DatasetError } from '../errors';
import { DatasetIndex, IndexProblem, SourceItem, safeId } from '../source';
import { DatasetSpec } from '../spec';
import { findRoot, isDirectory, listFiles } from './files';
import { readImageWithMasks } from './read-item';

const CLASSES: readonly Label[] = ['benign', 'malignant', 'normal'];
const MASK_NAME = /^(.*)_mask(?:_(\d+))?\.png$/i;

/** `_mask.png` first, then `_mask_1.png`, `_mask_2.png`, ... */
function maskOrder(name: string): number {
  return Number(MASK_NAME.exec(name)?.[2] ?? 0);
}

function hasClassFolder(dir: string): boolean {
  return CLASSES.some((c) => isDirectory(join(dir, c)));
}

export async function listBusi(spec: DatasetSpec): Promise<DatasetIndex> {
  const root = await findRoot(spec.path, hasClassFolder);
  if (!root) throw new DatasetError(`busi: no benign/, malignant/ or normal/ folder in ${spec.path}`);
  const items: SourceItem[] = [];
  const problems: IndexProblem[] = [];
  for (const label of CLASSES) {
    const dir = join(root, label);
    if (!isDirectory(dir)) continue;
    const files = (await listFiles(dir)).filter((f) => f.toLowerCase().endsWith('.png'));
    const masksByImage = new Map<string, string[]>();
    const images: string[] = [];
    for (const f of files) {
      const m = MASK_NAME.exec(f);
      if (m) {
        const image = `${m[1]}.png`;
        masksByImage.set(image, [...(masksByImage.get(image) ?? []), f]);
      } else images.push(f);
    }
    const imageSet = new Set(images);
    for (const [image, masks] of masksByImage) {
      if (!imageSet.has(image)) for (const m of masks) problems.push({ code: 'mask-without-image', file: join(dir, m), reason: `no image ${image} for this mask` });
    }
    for (const image of images) {
      const imagePath = join(dir, image);
      const maskPaths = (masksByImage.get(image) ?? []).sort((a, b) => maskOrder(a) - maskOrder(b)).map((m) => join(dir, m));
      // A normal image without a mask file is still usable: its mask is empty by definition.
      if (maskPaths.length === 0 && label !== 'normal') {
        problems.push({ code: 'image-without-mask', file: imagePath, reason: `no ${image.replace(/\.png$/i, '')}_mask.png` });
        continue;
      }
      const name = image.replace(/\.png$/i, '');
      const id = safeId(name);
      items.push({
        id,
        patientId: id,
        label,
        meta: { imagePath, maskPaths, sourceName: name },
        files: [imagePath, ...maskPaths],
        read: () => readImageWithMasks(imagePath, maskPaths),
      });
    }
  }
  if (items.length === 0 && problems.length === 0) throw new DatasetError(`busi: no PNG images in the class folders of ${root}`);
  return { items, problems, notes: [] };
}
