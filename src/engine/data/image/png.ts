/**
 * A fast PNG decoder for the non-interlaced images that ultrasound datasets ship (grey, grey+alpha,
 * RGB, RGBA, palette; 1 to 16 bits). The compressed data is inflated by Node's zlib on the libuv
 * thread pool, so several files inflate in parallel while the main thread unfilters others;
 * pngjs (pure JS throughout) was several times slower, mostly on BUSI's 1-bit masks. Interlaced
 * files, rare in practice, return undefined and the caller falls back to pngjs.
 */
import { promisify } from 'node:util';
import { inflate } from 'node:zlib';
import { RasterImage } from './raster';

const inflateAsync = promisify(inflate);

interface Header {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlace: number;
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Thrown for malformed files; the caller adds the file name. */
export class PngFormatError extends Error {}

function parseChunks(bytes: Uint8Array): { header: Header; idat: Uint8Array[]; palette?: Uint8Array; transparency?: Uint8Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 8;
  let header: Header | undefined;
  const idat: Uint8Array[] = [];
  let palette: Uint8Array | undefined;
  let transparency: Uint8Array | undefined;
  let ended = false;
  while (pos + 8 <= bytes.length) {
    const length = view.getUint32(pos);
    const type = String.fromCharCode(bytes[pos + 4], bytes[pos + 5], bytes[pos + 6], bytes[pos + 7]);
    const start = pos + 8;
    if (start + length > bytes.length) throw new PngFormatError(`${type} chunk runs past the end of the file (truncated)`);
    const data = bytes.subarray(start, start + length);
    if (type === 'IHDR') {
      if (length < 13) throw new PngFormatError('IHDR chunk too short');
      header = { width: view.getUint32(start), height: view.getUint32(start + 4), bitDepth: data[8], colorType: data[9], interlace: data[12] };
    } else if (type === 'PLTE') palette = data;
    else if (type === 'tRNS') transparency = data;
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') {
      ended = true;
      break;
    }
    pos = start + length + 4; // skip CRC
  }
  if (!header) throw new PngFormatError('no IHDR chunk');
  if (idat.length === 0) throw new PngFormatError('no image data (truncated)');
  if (!ended) throw new PngFormatError('no IEND chunk (truncated)');
  if (CHANNELS[header.colorType] === undefined) throw new PngFormatError(`unknown colour type ${header.colorType}`);
  if (header.width === 0 || header.height === 0) throw new PngFormatError('zero image size');
  return { header, idat, palette, transparency };
}

/** Reverses the per-scanline filters in place (first row and first pixel handled apart, so the hot loops do not branch). */
function unfilter(data: Uint8Array, height: number, rowBytes: number, bpp: number): void {
  const stride = rowBytes + 1;
  if (data.length < stride * height) throw new PngFormatError('image data shorter than the image (truncated)');
  for (let y = 0; y < height; y++) {
    const row = y * stride + 1;
    const end = row + rowBytes;
    const filter = data[row - 1];
    // The row above; on the first row the filters see zeros, i.e. Up = None, Average = Sub/2, Paeth = Sub.
    const first = y === 0;
    switch (filter) {
      case 0:
        break;
      case 1:
        for (let i = row + bpp; i < end; i++) data[i] = (data[i] + data[i - bpp]) & 0xff;
        break;
      case 2:
        if (!first) for (let i = row; i < end; i++) data[i] = (data[i] + data[i - stride]) & 0xff;
        break;
      case 3:
        if (first) {
          for (let i = row + bpp; i < end; i++) data[i] = (data[i] + (data[i - bpp] >> 1)) & 0xff;
        } else {
          for (let i = row; i < row + bpp; i++) data[i] = (data[i] + (data[i - stride] >> 1)) & 0xff;
          for (let i = row + bpp; i < end; i++) data[i] = (data[i] + ((data[i - bpp] + data[i - stride]) >> 1)) & 0xff;
        }
        break;
      case 4:
        if (first) {
          for (let i = row + bpp; i < end; i++) data[i] = (data[i] + data[i - bpp]) & 0xff;
        } else {
          for (let i = row; i < row + bpp; i++) data[i] = (data[i] + data[i - stride]) & 0xff;
          for (let i = row + bpp; i < end; i++) {
            const a = data[i - bpp];
            const b = data[i - stride];
            const c = data[i - stride - bpp];
            const pa = Math.abs(b - c);
            const pb = Math.abs(a - c);
            const pc = Math.abs(a + b - 2 * c);
            data[i] = (data[i] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 0xff;
          }
        }
        break;
      default:
        throw new PngFormatError(`bad filter type ${filter} on row ${y}`);
    }
  }
}

/**
 * Fast paths for the layouts datasets actually use, kept packed: 8-bit grey, grey+alpha, RGB and
 * RGBA (rows copied out natively), and 1-bit grey (expanded to one byte per pixel).
 */
function packedCommon(data: Uint8Array, h: Header, rowBytes: number): RasterImage | undefined {
  const { width, height, bitDepth, colorType } = h;
  const stride = rowBytes + 1;
  if (bitDepth === 8 && colorType !== 3) {
    const channels = CHANNELS[colorType] as 1 | 2 | 3 | 4;
    const out = new Uint8Array(rowBytes * height);
    for (let y = 0; y < height; y++) out.set(data.subarray(y * stride + 1, y * stride + 1 + rowBytes), y * rowBytes);
    return { width, height, channels, data: out };
  }
  if (bitDepth === 1 && colorType === 0) {
    const out = new Uint8Array(width * height);
    for (let y = 0; y < height; y++) {
      const row = y * stride + 1;
      const o = y * width;
      for (let x = 0; x < width; x++) out[o + x] = (data[row + (x >> 3)] >> (7 - (x & 7))) & 1 ? 255 : 0;
    }
    return { width, height, channels: 1, data: out };
  }
  return undefined;
}

/** Expands unfiltered scanlines to 8-bit RGBA (any layout; slower, for the rare ones). */
function toRgba(data: Uint8Array, h: Header, rowBytes: number, palette?: Uint8Array, trns?: Uint8Array): Uint8Array {
  const { width, height, bitDepth, colorType } = h;
  const channels = CHANNELS[colorType];
  const out = new Uint8Array(width * height * 4);
  const stride = rowBytes + 1;
  const maxValue = (1 << bitDepth) - 1;
  const scale = colorType === 3 ? 1 : 255 / maxValue;
  // Colour-key transparency (tRNS for grey and RGB): samples at full bit depth.
  const key = trns && (colorType === 0 || colorType === 2) ? Array.from({ length: trns.length / 2 }, (_, i) => (trns[2 * i] << 8) | trns[2 * i + 1]) : undefined;
  for (let y = 0; y < height; y++) {
    const row = y * stride + 1;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      if (bitDepth < 8) {
        const bitPos = x * bitDepth;
        const v = (data[row + (bitPos >> 3)] >> (8 - bitDepth - (bitPos & 7))) & maxValue;
        if (colorType === 3) {
          out[o] = palette ? palette[v * 3] : 0;
          out[o + 1] = palette ? palette[v * 3 + 1] : 0;
          out[o + 2] = palette ? palette[v * 3 + 2] : 0;
          out[o + 3] = trns && v < trns.length ? trns[v] : 255;
        } else {
          const g = Math.round(v * scale);
          out[o] = out[o + 1] = out[o + 2] = g;
          out[o + 3] = key && v === key[0] ? 0 : 255;
        }
        continue;
      }
      const bytesPerSample = bitDepth >> 3;
      const p = row + x * channels * bytesPerSample;
      // High byte of each sample (16-bit files keep their top 8 bits).
      const s = (c: number) => data[p + c * bytesPerSample];
      const full = (c: number) => (bytesPerSample === 2 ? (data[p + 2 * c] << 8) | data[p + 2 * c + 1] : data[p + c]);
      switch (colorType) {
        case 0:
          out[o] = out[o + 1] = out[o + 2] = s(0);
          out[o + 3] = key && full(0) === key[0] ? 0 : 255;
          break;
        case 2:
          out[o] = s(0);
          out[o + 1] = s(1);
          out[o + 2] = s(2);
          out[o + 3] = key && full(0) === key[0] && full(1) === key[1] && full(2) === key[2] ? 0 : 255;
          break;
        case 3: {
          const v = data[p];
          out[o] = palette ? palette[v * 3] : 0;
          out[o + 1] = palette ? palette[v * 3 + 1] : 0;
          out[o + 2] = palette ? palette[v * 3 + 2] : 0;
          out[o + 3] = trns && v < trns.length ? trns[v] : 255;
          break;
        }
        case 4:
          out[o] = out[o + 1] = out[o + 2] = s(0);
          out[o + 3] = s(1);
          break;
        default:
          out[o] = s(0);
          out[o + 1] = s(1);
          out[o + 2] = s(2);
          out[o + 3] = s(3);
      }
    }
  }
  return out;
}

/** Decodes a PNG, or returns undefined for interlaced files (left to pngjs). */
export async function decodePngFast(bytes: Uint8Array): Promise<RasterImage | undefined> {
  const { header, idat, palette, transparency } = parseChunks(bytes);
  if (header.interlace !== 0) return undefined;
  const channels = CHANNELS[header.colorType];
  const bitsPerPixel = channels * header.bitDepth;
  const rowBytes = Math.ceil((header.width * bitsPerPixel) / 8);
  const bpp = Math.max(1, bitsPerPixel >> 3);
  let data: Uint8Array;
  try {
    data = await inflateAsync(idat.length === 1 ? idat[0] : Buffer.concat(idat));
  } catch (err) {
    throw new PngFormatError(`compressed data is corrupt or truncated (${(err as Error).message})`);
  }
  unfilter(data, header.height, rowBytes, bpp);
  const common = transparency ? undefined : packedCommon(data, header, rowBytes);
  return common ?? { width: header.width, height: header.height, channels: 4, data: toRgba(data, header, rowBytes, palette, transparency) };
}
