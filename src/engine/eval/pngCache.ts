/**
 * Content-addressed cache of encoded gallery PNGs. Two of an evaluated image's four gallery
 * pictures (the source image and its true mask) do not depend on the model, so every run of a
 * grid encoded the same ones again: about 5 ms an image. The key hashes the exact pixels, size and
 * row filter, so a different picture can never be served; a checksum of the stored PNG rejects a
 * damaged entry (it is then encoded and written again). Writes are atomic (temp + rename).
 * Synchronous file calls, like the gallery's own writes (writeFileAtomicSync says why).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { frameEntry, readEntry } from '../data/checksummedEntry';
import { writeFileAtomicSync } from '../runs/atomicWrite';
import { encodeGreyPng, type PngFilter } from './png';

/** Bump when the encoding changes (encoder options, colour type). */
export const PNG_CACHE_VERSION = 1;
const MAGIC = 0x50535542; // "BUSP", little-endian

export class PngCache {
  constructor(readonly dir: string) {}

  private keyOf(pixels: Uint8Array, width: number, height: number, filter: PngFilter): string {
    return createHash('sha256').update(`v${PNG_CACHE_VERSION}\0${width}x${height}\0${filter}\0`).update(pixels).digest('hex').slice(0, 40);
  }

  /** The PNG of these grey pixels: the stored one when it is intact, else freshly encoded (and stored). */
  encode(pixels: Uint8Array, width: number, height: number, filter: PngFilter): Buffer {
    const path = join(this.dir, `${this.keyOf(pixels, width, height, filter)}.bin`);
    let stored: Buffer | undefined;
    try {
      stored = readFileSync(path);
    } catch {
      stored = undefined;
    }
    const cached = stored && readEntry(stored, MAGIC, PNG_CACHE_VERSION, 0);
    if (cached && cached.payload.length > 0) return cached.payload;
    const png = encodeGreyPng(pixels, width, height, filter);
    const entry = frameEntry(MAGIC, PNG_CACHE_VERSION, [], [png]);
    // A cache that cannot be written only costs the next evaluation an encode.
    try {
      writeFileAtomicSync(path, entry);
    } catch {
      // The writer has removed its temporary file; the picture itself is still returned.
    }
    return png;
  }
}
