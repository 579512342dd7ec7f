/**
 * On-disk cache of decoded, resized arrays, one file per (dataset, item, size). The key hashes the
 * source files' paths, sizes and modification times, so editing or replacing a file invalidates
 * its entry; a second load reads these files instead of decoding PNGs. Writes go to a temporary
 * file that is renamed into place, so a crash never leaves a half-written entry.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../runs/atomicWrite';

/** Bump when the pipeline changes what it stores (resize filter, grey conversion, layout). */
export const CACHE_FORMAT_VERSION = 1;
const MAGIC = 0x43535542; // "BUSC", little-endian
const HEADER_BYTES = 20;

export interface CachedArrays {
  /** Source size before resizing. */
  width: number;
  height: number;
  /** Lesion pixels at the source resolution (decides the label of unlabelled folder items). */
  lesionPixels: number;
  size: number;
  image: Float32Array;
  mask: Uint8Array;
}

/** Key of an entry derived from `files` (each one's path, byte size and mtime) and `tags` (format, size). */
export async function cacheKeyOfFiles(files: readonly string[], tags: readonly string[]): Promise<string> {
  const parts: string[] = [...tags];
  for (const f of files) {
    const s = await stat(f);
    parts.push(`${f}\0${s.size}\0${s.mtimeMs}`);
  }
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 40);
}

export class ArrayCache {
  private readonly dir: string;

  constructor(cacheDir: string, datasetSlug: string, size: number) {
    this.dir = join(cacheDir, `${datasetSlug}-${size}`);
  }

  /** Cache key of an item read from `files` (content identity: path, byte size, mtime). */
  keyFor(files: readonly string[], size: number): Promise<string> {
    return cacheKeyOfFiles(files, [`v${CACHE_FORMAT_VERSION}`, `s${size}`]);
  }

  /** The cached arrays, or undefined when absent or unreadable (then the caller recomputes). */
  async get(key: string, size: number): Promise<CachedArrays | undefined> {
    let buf: Buffer;
    try {
      buf = await readFile(join(this.dir, `${key}.bin`));
    } catch {
      return undefined;
    }
    const n = size * size;
    if (buf.length !== HEADER_BYTES + n * 4 + n) return undefined;
    if (buf.readUInt32LE(0) !== MAGIC || buf.readUInt32LE(4) !== size) return undefined;
    const width = buf.readUInt32LE(8);
    const height = buf.readUInt32LE(12);
    const lesionPixels = buf.readUInt32LE(16);
    // Copy into fresh, aligned arrays (the file buffer's offset need not be a multiple of 4).
    const image = new Float32Array(n);
    new Uint8Array(image.buffer).set(buf.subarray(HEADER_BYTES, HEADER_BYTES + n * 4));
    const mask = new Uint8Array(buf.subarray(HEADER_BYTES + n * 4));
    return { width, height, lesionPixels, size, image, mask };
  }

  async put(key: string, value: CachedArrays): Promise<void> {
    const n = value.size * value.size;
    const buf = Buffer.alloc(HEADER_BYTES + n * 5);
    buf.writeUInt32LE(MAGIC, 0);
    buf.writeUInt32LE(value.size, 4);
    buf.writeUInt32LE(value.width, 8);
    buf.writeUInt32LE(value.height, 12);
    buf.writeUInt32LE(value.lesionPixels, 16);
    Buffer.from(value.image.buffer, value.image.byteOffset, n * 4).copy(buf, HEADER_BYTES);
    Buffer.from(value.mask.buffer, value.mask.byteOffset, n).copy(buf, HEADER_BYTES + n * 4);
    await writeFileAtomic(join(this.dir, `${key}.bin`), buf, { fsync: false });
  }
}
