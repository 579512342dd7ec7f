/**
 * Decodes PNG and JPEG files to RGBA without native image libraries, so the engine runs unchanged
 * on any platform: PNG through ./png (Node's zlib + JS unfiltering) with pngjs as the fallback for
 * interlaced files, JPEG through jpeg-js. The header is read first, and an image with more pixels
 * than the limit is refused before anything is decoded: a 389 KB PNG can hold 400 million zero
 * pixels, several GB once decoded.
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

/** The default pixel limit: several times the largest ultrasound frames (about 2-12 MP). */
export const DEFAULT_MAX_IMAGE_PIXELS = 50_000_000;

/** The environment variable that sets the limit for the CLI and the engine worker. */
export const MAX_IMAGE_PIXELS_ENV = 'BUS_LAB_MAX_IMAGE_PIXELS';

let configuredMaxPixels: number | undefined;
/** What the refusal tells the user to change. */
let configuredBy: string | undefined;

/**
 * Sets the pixel limit for this process (the extension passes its setting here); undefined: the
 * default. `setBy` names where the user raises it (e.g. a setting), for the refusal message.
 */
export function setMaxImagePixels(limit: number | undefined, setBy?: string): void {
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new Error(`maxImagePixels: must be a positive integer, got ${String(limit)}`);
  configuredMaxPixels = limit;
  configuredBy = limit === undefined ? undefined : setBy;
}

/** The pixel limit in force: set by `setMaxImagePixels`, else BUS_LAB_MAX_IMAGE_PIXELS, else the default. */
export function maxImagePixels(): number {
  if (configuredMaxPixels !== undefined) return configuredMaxPixels;
  const env = process.env[MAX_IMAGE_PIXELS_ENV];
  if (env === undefined || env.trim() === '') return DEFAULT_MAX_IMAGE_PIXELS;
  const n = Number(env);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${MAX_IMAGE_PIXELS_ENV}: must be a positive integer, got '${env}'`);
  return n;
}

/** Width and height from a PNG's IHDR or a JPEG's start-of-frame segment, without decoding; undefined if not found. */
export function imageDimensions(bytes: Uint8Array): { width: number; height: number } | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isPng(bytes)) {
    // The IHDR chunk comes first: length (4), type (4), then width and height.
    if (bytes.length < 24 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return undefined;
    return { width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (isJpeg(bytes)) {
    let pos = 2;
    while (pos + 4 <= bytes.length) {
      if (bytes[pos] !== 0xff) return undefined;
      const marker = bytes[pos + 1];
      if (marker === 0xff) {
        pos++; // fill byte
        continue;
      }
      if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9)) {
        pos += 2; // markers without a length
        continue;
      }
      const length = view.getUint16(pos + 2);
      // SOF0-SOF15 except DHT (C4), JPG (C8) and DAC (CC): precision (1), height (2), width (2).
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        if (pos + 9 > bytes.length) return undefined;
        return { width: view.getUint16(pos + 7), height: view.getUint16(pos + 5) };
      }
      if (marker === 0xda) return undefined; // image data before any frame header
      pos += 2 + length;
    }
  }
  return undefined;
}

function checkPixelLimit(bytes: Uint8Array, file: string, limit: number): void {
  const size = imageDimensions(bytes);
  if (size && size.width * size.height > limit) {
    const mp = (n: number) => `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)} MP`;
    throw new ItemError(
      'unreadable',
      file,
      `${file}: ${size.width}x${size.height} is ${mp(size.width * size.height)}, over the ${mp(limit)} limit (raise it with ${configuredBy ?? MAX_IMAGE_PIXELS_ENV}); not decoded`,
    );
  }
}

/** Decodes PNG or JPEG bytes (recognised by content, not by file name); `file` names errors. */
export async function decodeImageBytes(bytes: Buffer, file: string, options: { maxPixels?: number } = {}): Promise<RasterImage> {
  checkPixelLimit(bytes, file, options.maxPixels ?? maxImagePixels());
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

/** Reads and decodes one image file; refuses one over the pixel limit before decoding. */
export async function decodeImageFile(file: string, options: { maxPixels?: number } = {}): Promise<RasterImage> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ItemError('unreadable', file, code === 'ENOENT' ? `${file}: file not found` : `${file}: cannot read (${oneLine(err)})`);
  }
  return decodeImageBytes(bytes, file, options);
}
