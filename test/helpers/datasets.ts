/**
 * Test helpers for the dataset layer: where the real datasets are (and a visible skip reason when
 * they are not), temporary folders, and writers for small fixture files in the exact published
 * layouts (PNG of any colour type and bit depth, .xlsx, .csv).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { deflateSync } from 'node:zlib';
import writeXlsxFile from 'write-excel-file/node';

/** The shared real datasets: $BUS_LAB_DATASETS, else `<repo>/../shared/datasets`. */
export const DATASETS_ROOT = process.env.BUS_LAB_DATASETS ? resolve(process.env.BUS_LAB_DATASETS) : resolve(__dirname, '..', '..', '..', 'shared', 'datasets');

export const REAL = {
  breast: join(DATASETS_ROOT, 'BrEaST-Lesions_USG'),
  busi: join(DATASETS_ROOT, 'BUSI'),
  busbra: join(DATASETS_ROOT, 'BUS-BRA'),
};

/** `false` when the dataset folder exists, else the reason to pass as `skip` (shown by the runner). */
export function skipUnlessPresent(path: string): false | string {
  return existsSync(path) ? false : `real datasets not found at ${path} (set BUS_LAB_DATASETS)`;
}

/** A fresh temporary folder, removed by the returned cleanup. */
export function tempDir(prefix = 'bus-lab-data-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function ensureParent(file: string): void {
  mkdirSync(dirname(file), { recursive: true });
}

// ---- PNG writing (a minimal encoder, so tests control colour type and bit depth exactly)

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  Buffer.from(data).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

export interface PngSpec {
  width: number;
  height: number;
  /** 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA. */
  colorType: 0 | 2 | 3 | 4 | 6;
  bitDepth: 1 | 2 | 4 | 8 | 16;
  /** Samples row-major, `channels` per pixel, each in 0 .. 2^bitDepth - 1. */
  samples: ArrayLike<number>;
  palette?: [number, number, number][];
  /** Per-scanline filter written (0 none .. 4 Paeth); the decoder must reverse any of them. */
  filter?: 0 | 1 | 2 | 3 | 4;
}

const CHANNELS = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as const;

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Encodes a PNG exactly as specified. */
export function encodePng(spec: PngSpec): Buffer {
  const channels = CHANNELS[spec.colorType];
  const bits = channels * spec.bitDepth;
  const rowBytes = Math.ceil((spec.width * bits) / 8);
  const bpp = Math.max(1, bits >> 3);
  const raw = new Uint8Array(spec.height * rowBytes);
  for (let y = 0; y < spec.height; y++) {
    for (let x = 0; x < spec.width; x++) {
      for (let c = 0; c < channels; c++) {
        const v = spec.samples[(y * spec.width + x) * channels + c];
        const bit = (x * channels + c) * spec.bitDepth;
        const at = y * rowBytes;
        if (spec.bitDepth === 16) {
          raw[at + (bit >> 3)] = v >> 8;
          raw[at + (bit >> 3) + 1] = v & 0xff;
        } else if (spec.bitDepth === 8) raw[at + (bit >> 3)] = v;
        else raw[at + (bit >> 3)] |= v << (8 - spec.bitDepth - (bit & 7));
      }
    }
  }
  const filter = spec.filter ?? 0;
  const filtered = new Uint8Array(spec.height * (rowBytes + 1));
  for (let y = 0; y < spec.height; y++) {
    filtered[y * (rowBytes + 1)] = filter;
    for (let i = 0; i < rowBytes; i++) {
      const cur = raw[y * rowBytes + i];
      const a = i >= bpp ? raw[y * rowBytes + i - bpp] : 0;
      const b = y > 0 ? raw[(y - 1) * rowBytes + i] : 0;
      const c = i >= bpp && y > 0 ? raw[(y - 1) * rowBytes + i - bpp] : 0;
      const pred = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter];
      filtered[y * (rowBytes + 1) + 1 + i] = (cur - pred) & 0xff;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(spec.width, 0);
  ihdr.writeUInt32BE(spec.height, 4);
  ihdr[8] = spec.bitDepth;
  ihdr[9] = spec.colorType;
  const parts = [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr)];
  if (spec.palette) parts.push(chunk('PLTE', Uint8Array.from(spec.palette.flat())));
  parts.push(chunk('IDAT', deflateSync(filtered)), chunk('IEND', new Uint8Array(0)));
  return Buffer.concat(parts);
}

export function writePng(file: string, spec: PngSpec): void {
  ensureParent(file);
  writeFileSync(file, encodePng(spec));
}

/** An 8-bit grey PNG from 0..255 values. */
export function writeGreyPng(file: string, width: number, height: number, values: ArrayLike<number>): void {
  writePng(file, { width, height, colorType: 0, bitDepth: 8, samples: values });
}

/** A 1-bit grey mask from 0/1 values (the BUSI and BUS-BRA mask format). */
export function writeBitMask(file: string, width: number, height: number, mask: ArrayLike<number>): void {
  writePng(file, { width, height, colorType: 0, bitDepth: 1, samples: mask });
}

/** A grey test image with some structure (a gradient and a bright square), 0..255. */
export function patternImage(width: number, height: number, seed = 0): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out[y * width + x] = (x * 7 + y * 3 + seed * 31) % 200 + (x > width / 3 && x < width / 2 && y > height / 3 && y < height / 2 ? 55 : 0);
  return out;
}

/** A 0/1 mask with a filled rectangle. */
export function rectMask(width: number, height: number, x0: number, y0: number, x1: number, y1: number): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) out[y * width + x] = 1;
  return out;
}

// ---- tables

export async function writeXlsx(file: string, rows: (string | number | null)[][]): Promise<void> {
  ensureParent(file);
  await writeXlsxFile(rows.map((r) => r.map((v) => (v === null ? null : { value: v })))).toFile(file);
}

export function writeCsv(file: string, rows: (string | number)[][], delimiter = ','): void {
  ensureParent(file);
  const quote = (v: string | number) => {
    const s = String(v);
    return s.includes(delimiter) || s.includes('"') || s.includes('\n') ? `"${s.replace(/"/g, '""')}"` : s;
  };
  writeFileSync(file, rows.map((r) => r.map(quote).join(delimiter)).join('\n') + '\n');
}

// ---- fixtures in the published layouts (tiny images, a few items each)

export const FIX_W = 40;
export const FIX_H = 32;

/** BUSI: two benign (one with _mask + _mask_1), one malignant (RGB mask), one normal (all-zero RGB mask). */
export function makeBusiFixture(root: string): void {
  const d = join(root, 'Dataset_BUSI_with_GT');
  writeGreyPngRgb(join(d, 'benign', 'benign (1).png'), patternImage(FIX_W, FIX_H, 1));
  writeBitMask(join(d, 'benign', 'benign (1)_mask.png'), FIX_W, FIX_H, rectMask(FIX_W, FIX_H, 5, 5, 15, 12));
  writeBitMask(join(d, 'benign', 'benign (1)_mask_1.png'), FIX_W, FIX_H, rectMask(FIX_W, FIX_H, 25, 20, 35, 28));
  writeGreyPngRgb(join(d, 'benign', 'benign (2).png'), patternImage(FIX_W, FIX_H, 2));
  writeBitMask(join(d, 'benign', 'benign (2)_mask.png'), FIX_W, FIX_H, rectMask(FIX_W, FIX_H, 10, 10, 20, 20));
  writeGreyPngRgb(join(d, 'malignant', 'malignant (1).png'), patternImage(FIX_W, FIX_H, 3));
  const m = rectMask(FIX_W, FIX_H, 12, 8, 30, 24);
  writePng(join(d, 'malignant', 'malignant (1)_mask.png'), { width: FIX_W, height: FIX_H, colorType: 2, bitDepth: 8, samples: Array.from(m).flatMap((v) => [v * 255, v * 255, v * 255]) });
  writeGreyPngRgb(join(d, 'normal', 'normal (1).png'), patternImage(FIX_W, FIX_H, 4));
  writePng(join(d, 'normal', 'normal (1)_mask.png'), { width: FIX_W, height: FIX_H, colorType: 2, bitDepth: 8, samples: new Uint8Array(FIX_W * FIX_H * 3) });
}

/** BUSI images are RGB with equal channels. */
export function writeGreyPngRgb(file: string, grey: Uint8Array): void {
  writePng(file, { width: FIX_W, height: FIX_H, colorType: 2, bitDepth: 8, samples: Array.from(grey).flatMap((v) => [v, v, v]), filter: 4 });
}

export const BREAST_COLUMNS = ['CaseID', 'Image_filename', 'Mask_tumor_filename', 'Mask_other_filename', 'Pixel_size', 'Age', 'Shape', 'Margin', 'Echogenicity', 'Posterior_features', 'Halo', 'BIRADS', 'Diagnosis', 'Classification'];

/** BrEaST: case001 benign, case002 malignant (transparent left half, an _other mask), case003 normal. */
export async function makeBreastFixture(root: string, columns = BREAST_COLUMNS): Promise<void> {
  const d = join(root, 'BrEaST-Lesions_USG-images_and_masks');
  const rgba = (grey: Uint8Array, transparentLeft: boolean) =>
    Array.from(grey).flatMap((v, i) => [v, v, v, transparentLeft && i % FIX_W < FIX_W / 2 ? 0 : 255]);
  const maskRgba = (mask: Uint8Array) => Array.from(mask).flatMap((v) => [v * 255, v * 255, v * 255, 255]);
  writePng(join(d, 'case001.png'), { width: FIX_W, height: FIX_H, colorType: 6, bitDepth: 8, samples: rgba(patternImage(FIX_W, FIX_H, 1), false) });
  writePng(join(d, 'case001_tumor.png'), { width: FIX_W, height: FIX_H, colorType: 6, bitDepth: 8, samples: maskRgba(rectMask(FIX_W, FIX_H, 4, 4, 14, 10)) });
  writePng(join(d, 'case002.png'), { width: FIX_W, height: FIX_H, colorType: 6, bitDepth: 8, samples: rgba(new Uint8Array(FIX_W * FIX_H).fill(200), true), filter: 1 });
  writePng(join(d, 'case002_tumor.png'), { width: FIX_W, height: FIX_H, colorType: 6, bitDepth: 8, samples: maskRgba(rectMask(FIX_W, FIX_H, 22, 8, 34, 20)) });
  writePng(join(d, 'case002_other1.png'), { width: FIX_W, height: FIX_H, colorType: 6, bitDepth: 8, samples: maskRgba(rectMask(FIX_W, FIX_H, 0, 0, 5, 5)) });
  writePng(join(d, 'case003.png'), { width: FIX_W, height: FIX_H, colorType: 6, bitDepth: 8, samples: rgba(patternImage(FIX_W, FIX_H, 3), false) });
  const all: Record<string, (string | number | null)[]> = {
    CaseID: [1, 2, 3],
    Image_filename: ['case001.png', 'case002.png', 'case003.png'],
    Mask_tumor_filename: ['case001_tumor.png', 'case002_tumor.png', null],
    Mask_other_filename: [null, 'case002_other1.png', null],
    Pixel_size: [0.0078125, 0.01, 0.008],
    Age: [57, 'not available', 40],
    Shape: ['oval', 'irregular', 'not applicable'],
    Margin: ['circumscribed', 'not circumscribed - spiculated&angular', 'not applicable'],
    Echogenicity: ['hypoechoic', 'heterogeneous', 'not applicable'],
    Posterior_features: ['enhancement', 'shadowing', 'not applicable'],
    Halo: ['no', 'yes', 'not applicable'],
    BIRADS: [3, '4c', 1],
    Diagnosis: ['Fibroadenoma', 'Invasive ductal carcinoma', 'not applicable'],
    Classification: ['benign', 'malignant', 'normal'],
  };
  await writeXlsx(join(root, 'BrEaST-Lesions-USG-clinical-data-Dec-15-2023.xlsx'), [columns, ...[0, 1, 2].map((r) => columns.map((c) => all[c]?.[r] ?? null))]);
}

/** BUS-BRA: patient 3 with two images (malignant), patient 4 with one (benign). */
export function makeBusbraFixture(root: string): void {
  const d = join(root, 'BUSBRA');
  const ids = ['bus_0003-l', 'bus_0003-r', 'bus_0004-l'];
  ids.forEach((id, i) => {
    writeGreyPng(join(d, 'Images', `${id}.png`), FIX_W, FIX_H, patternImage(FIX_W, FIX_H, i));
    writeBitMask(join(d, 'Masks', `${id.replace('bus_', 'mask_')}.png`), FIX_W, FIX_H, rectMask(FIX_W, FIX_H, 5 + i, 5, 20, 18));
  });
  writeCsv(join(d, 'bus_data.csv'), [
    ['ID', 'Case', 'Histology', 'Pathology', 'BIRADS', 'Device', 'Width', 'Height', 'Side', 'BBOX'],
    ['bus_0003-l', 3, 'invasive ductal carcinoma', 'malignant', 4, 'GE Logiq 7', FIX_W, FIX_H, 'left', '[5,5,15,13]'],
    ['bus_0003-r', 3, 'invasive ductal carcinoma', 'malignant', 5, 'GE Logiq 7', FIX_W, FIX_H, 'right', '[6,5,14,13]'],
    ['bus_0004-l', 4, 'fibroadenoma', 'benign', 3, 'Toshiba', FIX_W, FIX_H, 'left', '[7,5,13,13]'],
  ]);
}

/** UDIAT Dataset B: images 1 (benign) and 2 (malignant). */
export async function makeUdiatFixture(root: string, columns = ['Image', 'Type', 'Diagnosis']): Promise<void> {
  [1, 2].forEach((n) => {
    const name = `${String(n).padStart(6, '0')}.png`;
    writeGreyPng(join(root, 'original', name), FIX_W, FIX_H, patternImage(FIX_W, FIX_H, n));
    writeGreyPng(join(root, 'GT', name), FIX_W, FIX_H, Array.from(rectMask(FIX_W, FIX_H, 8, 8, 20 + n, 20)).map((v) => v * 255));
  });
  const all: Record<string, (string | number)[]> = { Image: [1, 2], Type: ['Benign', 'Malignant'], Diagnosis: ['FIBROADENOMA', 'IDC'] };
  await writeXlsx(join(root, 'DatasetB.xlsx'), [columns, ...[0, 1].map((r) => columns.map((c) => all[c]?.[r] ?? null))]);
}

/** BUS-UCLM: patient ALFA with a benign (green) and a normal image, patient BETA with a malignant (red) one. */
export function makeBusuclmFixture(root: string): void {
  const colour = (mask: Uint8Array, rgb: [number, number, number]) => Array.from(mask).flatMap((v) => (v ? rgb : [0, 0, 0]));
  const items: [string, string, Uint8Array, [number, number, number]][] = [
    ['ALFA_000', 'Benign', rectMask(FIX_W, FIX_H, 5, 5, 15, 15), [0, 255, 0]],
    ['ALFA_001', 'Normal', new Uint8Array(FIX_W * FIX_H), [0, 0, 0]],
    ['BETA_000', 'Malignant', rectMask(FIX_W, FIX_H, 20, 10, 35, 25), [255, 0, 0]],
  ];
  items.forEach(([name, , mask, rgb], i) => {
    writeGreyPngRgb(join(root, 'images', `${name}.png`), patternImage(FIX_W, FIX_H, i));
    writePng(join(root, 'masks', `${name}.png`), { width: FIX_W, height: FIX_H, colorType: 2, bitDepth: 8, samples: colour(mask, rgb) });
  });
  writeCsv(join(root, 'INFO.csv'), [['Image', 'Label', 'Resolution', 'Doppler', 'Marks', 'Combined'], ...items.map(([name, label]) => [`${name}.png`, label, '0.1', 'No', 'No', 'No'])], ';');
}
