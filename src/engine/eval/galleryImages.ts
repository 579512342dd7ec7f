/**
 * The four PNGs of one evaluated image for the mask gallery: images/ (source grey), truth/ (true
 * mask), masks/ (predicted mask), prob/ (probability map), all at the same display size: the
 * original resolution, shrunk to at most 512 px on the longest side (aspect kept).
 */
import { join } from 'node:path';
import { fitWithin, resampleBilinear } from '../data/image/resize';
import { writeFileAtomicSync } from '../runs/atomicWrite';
import { PngFilter, toBytes, writeGreyPng } from './png';
import type { PngCache } from './pngCache';

export const GALLERY_MAX_SIDE = 512;

export interface GalleryImageInput {
  width: number;
  height: number;
  /** 8-bit grey source image. */
  image: Uint8Array;
  /** 0/1 true mask. */
  truth: Uint8Array;
  /** 0/1 predicted mask. */
  predicted: Uint8Array;
  /** Probabilities in [0, 1]. */
  probability: Float32Array;
}

function binaryBytes(mask: ArrayLike<number>, w: number, h: number, dw: number, dh: number): Uint8Array {
  const same = w === dw && h === dh;
  const cover = same ? mask : resampleBilinear(mask, w, h, dw, dh);
  const out = new Uint8Array(dw * dh);
  for (let i = 0; i < out.length; i++) out[i] = cover[i] >= 0.5 ? 255 : 0;
  return out;
}

/**
 * Writes the four PNGs. With `cache`, the two that do not depend on the model (source image and
 * true mask) come from it when it holds the same pixels (the same bytes a fresh encode gives).
 */
export async function writeGalleryImages(outDir: string, file: string, input: GalleryImageInput, cache?: PngCache): Promise<void> {
  const { width: w, height: h } = input;
  const { width: dw, height: dh } = fitWithin(w, h, GALLERY_MAX_SIDE);
  const same = w === dw && h === dh;
  const grey = same ? input.image : Uint8Array.from(resampleBilinear(input.image, w, h, dw, dh), (v) => Math.round(Math.min(255, Math.max(0, v))));
  const prob = same ? input.probability : resampleBilinear(input.probability, w, h, dw, dh);
  const name = `${file}.png`;
  const modelFree = async (path: string, pixels: Uint8Array, filter: PngFilter) =>
    cache ? writeFileAtomicSync(path, cache.encode(pixels, dw, dh, filter)) : writeGreyPng(path, pixels, dw, dh, filter);
  await modelFree(join(outDir, 'images', name), grey, 'sub');
  await modelFree(join(outDir, 'truth', name), binaryBytes(input.truth, w, h, dw, dh), 'none');
  await writeGreyPng(join(outDir, 'masks', name), binaryBytes(input.predicted, w, h, dw, dh), dw, dh, 'none');
  await writeGreyPng(join(outDir, 'prob', name), toBytes(prob), dw, dh, 'paeth');
}
