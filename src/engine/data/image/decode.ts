/**
 * Decodes PNG and JPEG files to RGBA without native image libraries, so the engine runs unchanged
 * on any platform: PNG through ./png (Node's zlib + JS unfiltering) with pngjs as the fallback for
 * interlaced files, JPEG through jpeg-js.
 */
import { readFile } from 'node:fs/promises';
import { PNG } from 'pngjs';
import * as jpeg from 'jpeg-js';
import { ItemError, oneLine } from '../errors';
import { decodePngFast } from './png';
import { RasterImage } from './raster';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

export function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/** Decodes PNG or JPEG bytes (recognised by content, not by file name); `file` names errors. */
export async function decodeImageBytes(bytes: Buffer, file: string): Promise<RasterImage> {
  if (isPng(bytes)) {
    try {
      const fast = await decodePngFast(bytes);
      if (fast) return fast;
      const png = PNG.sync.read(bytes);
      return { width: png.width, height: png.height, channels: 4, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.length) };
    } catch (err) {
      throw new ItemError('unreadable', file, `${file}: truncated or corrupt PNG (${oneLine(err)})`);
    }
  }
  if (isJpeg(bytes)) {
    try {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
      return { width: img.width, height: img.height, channels: 4, data: img.data };
    } catch (err) {
      throw new ItemError('unreadable', file, `${file}: truncated or corrupt JPEG (${oneLine(err)})`);
    }
  }
  throw new ItemError('unreadable', file, `${file}: not a PNG or JPEG image`);
}

/** Reads and decodes one image file. */
export async function decodeImageFile(file: string): Promise<RasterImage> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ItemError('unreadable', file, code === 'ENOENT' ? `${file}: file not found` : `${file}: cannot read (${oneLine(err)})`);
  }
  return decodeImageBytes(bytes, file);
}
