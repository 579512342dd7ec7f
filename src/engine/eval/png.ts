/** Grey-level PNG encoding for the gallery images (pngjs), written atomically. */
import { PNG } from 'pngjs';
import { writeFileAtomicSync } from '../runs/atomicWrite';

/**
 * The PNG row filter. pngjs by default tries all five on every row and keeps the best, which
 * made gallery images the largest cost of an evaluation after the network itself; one fixed
 * filter per kind of picture compresses within 1% of that (measured on 60 BUSI gallery images
 * of each kind) at about half the time: 'sub' for ultrasound, 'paeth' for probability maps,
 * 'none' for binary masks (whose long runs deflate compresses best unfiltered).
 */
export type PngFilter = 'none' | 'sub' | 'paeth';
const FILTER_TYPES: Record<PngFilter, number> = { none: 0, sub: 1, paeth: 4 };

/** Encodes 8-bit grey pixels (width * height, row-major) as an 8-bit greyscale PNG. */
export function encodeGreyPng(pixels: Uint8Array, width: number, height: number, filter: PngFilter = 'paeth'): Buffer {
  if (pixels.length !== width * height) throw new Error(`PNG: ${pixels.length} pixels for a ${width}x${height} image`);
  const png = new PNG({ width, height, colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8 });
  png.data = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8, filterType: FILTER_TYPES[filter] });
}

/**
 * Written atomically but not flushed to disk one by one: gallery pictures are derived from the
 * run and rewritten by re-running the evaluation, and four flushes per image made an evaluation
 * wait on the disk for seconds. The evaluation's results (summary.json, per_image.csv) are flushed.
 * Synchronous writes: thousands of small files, each cheaper than a trip through the thread pool.
 */
export async function writeGreyPng(path: string, pixels: Uint8Array, width: number, height: number, filter: PngFilter = 'paeth'): Promise<void> {
  writeFileAtomicSync(path, encodeGreyPng(pixels, width, height, filter));
}

/** Values in [0, 1] to bytes 0..255. */
export function toBytes(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.round(Math.min(1, Math.max(0, values[i])) * 255);
  return out;
}
