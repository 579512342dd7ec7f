import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { ItemError } from '../../src/engine/data';
import { decodeImageBytes, decodeImageFile } from '../../src/engine/data/image/decode';
import { toGrey, toMaskLevel } from '../../src/engine/data/image/grey';
import { toRgba } from '../../src/engine/data/image/raster';
import { crc32, encodePng, PngSpec, tempDir } from '../helpers/datasets';

const W = 13; // odd width: sub-byte rows end mid-byte
const H = 7;

function samples(channels: number, bitDepth: number): number[] {
  const max = 2 ** bitDepth - 1;
  return Array.from({ length: W * H * channels }, (_, i) => (i * 37 + (i >> 3) * 11) % (max + 1));
}

/** What an 8-bit RGBA decode of `spec` must give. */
function expectedRgba(spec: PngSpec): number[] {
  const out: number[] = [];
  const scale = (v: number) => (spec.bitDepth === 16 ? v >> 8 : Math.round((v * 255) / (2 ** spec.bitDepth - 1)));
  const s = spec.samples;
  for (let i = 0; i < W * H; i++) {
    if (spec.colorType === 0) out.push(scale(s[i]), scale(s[i]), scale(s[i]), 255);
    else if (spec.colorType === 3) out.push(...spec.palette![s[i]], 255);
    else if (spec.colorType === 4) out.push(scale(s[2 * i]), scale(s[2 * i]), scale(s[2 * i]), scale(s[2 * i + 1]));
    else if (spec.colorType === 2) out.push(scale(s[3 * i]), scale(s[3 * i + 1]), scale(s[3 * i + 2]), 255);
    else out.push(scale(s[4 * i]), scale(s[4 * i + 1]), scale(s[4 * i + 2]), scale(s[4 * i + 3]));
  }
  return out;
}

test('PNG: every colour type, bit depth and filter decodes exactly', async () => {
  const layouts: [PngSpec['colorType'], PngSpec['bitDepth'][]][] = [
    [0, [1, 2, 4, 8, 16]],
    [2, [8, 16]],
    [3, [1, 2, 4, 8]],
    [4, [8, 16]],
    [6, [8, 16]],
  ];
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as const;
  for (const [colorType, depths] of layouts) {
    for (const bitDepth of depths) {
      for (const filter of [0, 1, 2, 3, 4] as const) {
        const palette = colorType === 3 ? Array.from({ length: 2 ** bitDepth }, (_, i): [number, number, number] => [i, 255 - i, (i * 7) % 256]) : undefined;
        const spec: PngSpec = { width: W, height: H, colorType, bitDepth, samples: samples(channels[colorType], bitDepth), palette, filter };
        const img = await decodeImageBytes(encodePng(spec), 'x.png');
        assert.deepEqual(Array.from(toRgba(img)), expectedRgba(spec), `colour type ${colorType}, ${bitDepth} bit, filter ${filter}`);
      }
    }
  }
});

test('PNG: agrees with pngjs on files pngjs writes (adaptive filters), interlaced files fall back', async () => {
  const png = new PNG({ width: 57, height: 33 });
  for (let i = 0; i < png.data.length; i++) png.data[i] = (i * 13 + (i >> 7) * 5) & 0xff;
  const bytes = PNG.sync.write(png);
  const ref = PNG.sync.read(bytes);
  assert.deepEqual(Buffer.from(toRgba(await decodeImageBytes(bytes, 'a.png'))), ref.data);
  // A 1x1 Adam7-interlaced file has the same scanline as a plain one; only the header flag differs.
  const plain = encodePng({ width: 1, height: 1, colorType: 0, bitDepth: 8, samples: [77] });
  const interlaced = Buffer.from(plain);
  interlaced[28] = 1;
  interlaced.writeUInt32BE(crc32(interlaced.subarray(12, 29)), 29);
  assert.deepEqual(Array.from(toGrey(await decodeImageBytes(interlaced, 'i.png'))), [77]);
});

test('a truncated PNG is a one-line error naming the file', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const full = encodePng({ width: 64, height: 64, colorType: 0, bitDepth: 8, samples: samples(1, 8).concat(new Array(64 * 64).fill(9)).slice(0, 64 * 64) });
    const file = join(dir, 'cut.png');
    writeFileSync(file, full.subarray(0, Math.floor(full.length / 2)));
    await assert.rejects(decodeImageFile(file), (err: Error) => {
      assert.ok(err instanceof ItemError);
      assert.equal(err.file, file);
      assert.match(err.message, new RegExp(`^${file}: truncated or corrupt PNG`));
      assert.doesNotMatch(err.message, /\n/);
      return true;
    });
    writeFileSync(join(dir, 'text.png'), 'hello');
    await assert.rejects(decodeImageFile(join(dir, 'text.png')), /text.png: not a PNG or JPEG image/);
    await assert.rejects(decodeImageFile(join(dir, 'none.png')), /none.png: file not found/);
  } finally {
    cleanup();
  }
});

test('JPEG decodes through jpeg-js', async () => {
  const data = Buffer.alloc(16 * 16 * 4);
  for (let i = 0; i < 16 * 16; i++) data.set([120, 120, 120, 255], i * 4);
  const bytes = jpeg.encode({ width: 16, height: 16, data }, 95).data;
  const img = await decodeImageBytes(bytes, 'a.jpg');
  assert.equal(img.width, 16);
  const grey = toGrey(img);
  assert.ok(grey.every((v) => Math.abs(v - 120) <= 3));
});

test('grey: luma, with transparent pixels composited onto black; mask level: brightest channel', () => {
  const img = { width: 4, height: 1, channels: 4 as const, data: Uint8Array.from([255, 255, 255, 255, 255, 255, 255, 0, 255, 0, 0, 255, 100, 100, 100, 128]) };
  assert.deepEqual(Array.from(toGrey(img)), [255, 0, 76, 50]);
  assert.deepEqual(Array.from(toMaskLevel(img)), [255, 0, 255, 50]);
  const ga = { width: 2, height: 1, channels: 2 as const, data: Uint8Array.from([200, 255, 200, 0]) };
  assert.deepEqual(Array.from(toGrey(ga)), [200, 0]);
});
