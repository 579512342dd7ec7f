/**
 * Reading one item at full resolution: decode the image to grey, decode and merge its lesion masks,
 * check that they agree in size. Shared by every file-based loader.
 */
import { ItemError } from '../errors';
import { decodeImageFile } from '../image/decode';
import { toGrey, toMaskLevel } from '../image/grey';
import { RasterImage, toRgba } from '../image/raster';
import { RawItem } from '../source';

/** How a mask file encodes the lesion. */
export interface MaskDecoder {
  /** Sets mask[i] = 1 where the pixel is lesion; returns the count of pixels with a disallowed value. */
  (img: RasterImage, mask: Uint8Array): number;
}

/** Grey or any-colour masks: lesion where the brightest channel is >= 128; allowed values 0 and 255. */
export const greyMaskDecoder: MaskDecoder = (img, mask) => {
  const level = toMaskLevel(img);
  let odd = 0;
  for (let i = 0; i < level.length; i++) {
    const v = level[i];
    if (v >= 128) mask[i] = 1;
    if (v !== 0 && v !== 255) odd++;
  }
  return odd;
};

/**
 * BUS-UCLM colour-coded masks: black background, green (G=255) benign and red (R=255) malignant
 * lesion. Lesion where red or green is >= 128; allowed colours are exactly black, red and green.
 */
export const colourMaskDecoder: MaskDecoder = (img, mask) => {
  const d = toRgba(img);
  let odd = 0;
  for (let i = 0, p = 0; i < mask.length; i++, p += 4) {
    const r = d[p];
    const g = d[p + 1];
    const b = d[p + 2];
    if (r >= 128 || g >= 128) mask[i] = 1;
    const allowed = b === 0 && ((r === 0 && g === 0) || (r === 255 && g === 0) || (r === 0 && g === 255));
    if (!allowed) odd++;
  }
  return odd;
};

/** Reads an image and the union of its mask files (none: an all-zero mask, for normal images). */
export async function readImageWithMasks(imagePath: string, maskPaths: readonly string[], decodeMask: MaskDecoder = greyMaskDecoder): Promise<RawItem> {
  const img = await decodeImageFile(imagePath);
  const { width, height } = img;
  const image = toGrey(img);
  const mask = new Uint8Array(width * height);
  let nonBinaryMaskPixels = 0;
  for (const maskPath of maskPaths) {
    const m = await decodeImageFile(maskPath);
    if (m.width !== width || m.height !== height) {
      throw new ItemError('size-mismatch', maskPath, `${maskPath}: mask is ${m.width}x${m.height} but its image is ${width}x${height}`);
    }
    nonBinaryMaskPixels += decodeMask(m, mask);
  }
  return { width, height, image, mask, nonBinaryMaskPixels };
}
