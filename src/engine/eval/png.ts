/** Grey-level PNG encoding for the gallery images (pngjs), written atomically. */
import { PNG } from 'pngjs';
import { writeFileAtomic } from '../runs/atomicWrite';

/** Encodes 8-bit grey pixels (width * height, row-major) as an 8-bit greyscale PNG. */
export function encodeGreyPng(pixels: Uint8Array, width: number, height: number): Buffer {
  if (pixels.length !== width * height) throw new Error(`PNG: ${pixels.length} pixels for a ${width}x${height} image`);
  const png = new PNG({ width, height, colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8 });
  png.data = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8 });
}

export async function writeGreyPng(path: string, pixels: Uint8Array, width: number, height: number): Promise<void> {
  await writeFileAtomic(path, encodeGreyPng(pixels, width, height));
}

/** Values in [0, 1] to bytes 0..255. */
export function toBytes(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.round(Math.min(1, Math.max(0, values[i])) * 255);
  return out;
}
