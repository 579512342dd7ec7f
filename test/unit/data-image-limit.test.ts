// Images over the pixel limit are refused from their header, before decoding (issue 15): a 389 KB
// PNG of 20000x20000 zeros used to be decoded whole (2.8 GB resident).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createWriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { once } from 'node:events';
import { createDeflate } from 'node:zlib';
import * as jpeg from 'jpeg-js';
import { decodeImageBytes, DEFAULT_MAX_IMAGE_PIXELS, imageDimensions, maxImagePixels, setMaxImagePixels } from '../../src/engine/data/image/decode';
import { crc32, encodePng, tempDir } from '../helpers/datasets';

const root = join(__dirname, '..', '..');

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, 'latin1'), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** An 8-bit grey PNG of zeros, streamed through zlib so the test never holds the raw pixels. */
async function writeZeroPng(file: string, width: number, height: number): Promise<number> {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // grey
  const deflate = createDeflate({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on('data', (c: Buffer) => parts.push(c));
  const rows = Buffer.alloc((width + 1) * 100); // 100 scanlines, filter byte 0 and zero samples
  for (let y = 0; y < height; y += 100) if (!deflate.write(rows.subarray(0, (width + 1) * Math.min(100, height - y)))) await once(deflate, 'drain');
  deflate.end();
  await once(deflate, 'end');
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', Buffer.concat(parts)), chunk('IEND', Buffer.alloc(0))]);
  const out = createWriteStream(file);
  out.end(png);
  await once(out, 'finish');
  return png.length;
}

test('image dimensions are read from the PNG and JPEG headers', () => {
  const png = encodePng({ width: 13, height: 7, colorType: 0, bitDepth: 8, samples: new Array(91).fill(0) });
  assert.deepEqual(imageDimensions(png), { width: 13, height: 7 });
  const jpg = jpeg.encode({ width: 21, height: 9, data: Buffer.alloc(21 * 9 * 4, 128) }, 90).data;
  assert.deepEqual(imageDimensions(jpg), { width: 21, height: 9 });
  assert.equal(imageDimensions(Buffer.from('not an image')), undefined);
});

test('an image over the limit is refused with one line naming the file; the limit is configurable', async () => {
  const png = encodePng({ width: 40, height: 30, colorType: 0, bitDepth: 8, samples: new Array(1200).fill(0) });
  await assert.rejects(decodeImageBytes(png, '/data/big.png', { maxPixels: 1000 }), (err: Error) => {
    assert.match(err.message, /^\/data\/big\.png: 40x30 is 0\.0 MP, over the 0\.0 MP limit \(raise it with BUS_LAB_MAX_IMAGE_PIXELS\); not decoded$/);
    return true;
  });
  const jpg = jpeg.encode({ width: 40, height: 30, data: Buffer.alloc(40 * 30 * 4, 128) }, 90).data;
  await assert.rejects(decodeImageBytes(jpg, '/data/big.jpg', { maxPixels: 1000 }), /big\.jpg: 40x30/);
  assert.equal((await decodeImageBytes(png, '/data/ok.png', { maxPixels: 1200 })).width, 40);
  assert.equal(maxImagePixels(), DEFAULT_MAX_IMAGE_PIXELS);
  setMaxImagePixels(1000);
  try {
    await assert.rejects(decodeImageBytes(png, '/data/big.png'), /over the/);
  } finally {
    setMaxImagePixels(undefined);
  }
  const saved = process.env.BUS_LAB_MAX_IMAGE_PIXELS;
  process.env.BUS_LAB_MAX_IMAGE_PIXELS = '1000';
  try {
    assert.equal(maxImagePixels(), 1000);
    process.env.BUS_LAB_MAX_IMAGE_PIXELS = 'lots';
    assert.throws(() => maxImagePixels(), /BUS_LAB_MAX_IMAGE_PIXELS: must be a positive integer, got 'lots'/);
  } finally {
    if (saved === undefined) delete process.env.BUS_LAB_MAX_IMAGE_PIXELS;
    else process.env.BUS_LAB_MAX_IMAGE_PIXELS = saved;
  }
});

test('a 20000x20000 zero PNG is refused before decoding, with peak RSS under 1 GB', async () => {
  const { dir, cleanup } = tempDir('bus-lab-bomb-');
  try {
    const file = join(dir, 'bomb.png');
    const size = await writeZeroPng(file, 20000, 20000);
    assert.ok(size < 1_000_000, `the bomb is small on disk (${size} bytes)`);
    // A fresh process, so its peak RSS is this read alone; it reads the image the way loaders do.
    const script = join(dir, 'read.ts');
    writeFileSync(
      script,
      `import { readImageWithMasks } from ${JSON.stringify(join(root, 'src/engine/data/loaders/read-item'))};\n` +
        `readImageWithMasks(${JSON.stringify(file)}, []).then(() => console.log(JSON.stringify({ error: null, maxRssKb: process.resourceUsage().maxRSS })),\n` +
        `  (err) => console.log(JSON.stringify({ error: err.message, maxRssKb: process.resourceUsage().maxRSS })));\n`,
    );
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: root, encoding: 'utf8' });
    const last = r.stdout.trim().split('\n').at(-1) ?? '';
    assert.ok(last.startsWith('{'), `child printed ${r.stdout} ${r.stderr} (exit ${r.status})`);
    const result = JSON.parse(last) as { error: string | null; maxRssKb: number };
    assert.match(result.error ?? 'decoded', /bomb\.png: 20000x20000 is 400 MP, over the 50 MP limit/);
    assert.ok(result.maxRssKb < 1024 * 1024, `peak RSS ${Math.round(result.maxRssKb / 1024)} MB`);
  } finally {
    cleanup();
  }
});
