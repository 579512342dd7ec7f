/**
 * The on-disk frame of the evaluation caches' entries (fullResolutionCache.ts, eval/pngCache.ts):
 * magic, format version and `fields` (all uint32, little-endian), the SHA-256 of the payload,
 * then the payload. A reader gets the fields and payload back only when the magic, version and
 * digest all match, so a truncated, damaged or older entry reads as absent and is rebuilt.
 */
import { createHash } from 'node:crypto';

const DIGEST_BYTES = 32;

function sha256(bytes: Uint8Array): Buffer {
  return createHash('sha256').update(bytes).digest();
}

/** Frames `payload` (its parts joined) behind the header and digest. */
export function frameEntry(magic: number, version: number, fields: readonly number[], payload: readonly Uint8Array[]): Buffer {
  const headerBytes = 8 + 4 * fields.length;
  const size = payload.reduce((n, part) => n + part.length, 0);
  const entry = Buffer.alloc(headerBytes + DIGEST_BYTES + size);
  entry.writeUInt32LE(magic, 0);
  entry.writeUInt32LE(version, 4);
  fields.forEach((value, i) => entry.writeUInt32LE(value, 8 + 4 * i));
  let at = headerBytes + DIGEST_BYTES;
  for (const part of payload) {
    entry.set(part, at);
    at += part.length;
  }
  sha256(entry.subarray(headerBytes + DIGEST_BYTES)).copy(entry, headerBytes);
  return entry;
}

/** The fields and payload of a frame with this magic, version and field count, or undefined. */
export function readEntry(entry: Buffer, magic: number, version: number, fieldCount: number): { fields: number[]; payload: Buffer } | undefined {
  const headerBytes = 8 + 4 * fieldCount;
  if (entry.length < headerBytes + DIGEST_BYTES || entry.readUInt32LE(0) !== magic || entry.readUInt32LE(4) !== version) return undefined;
  const payload = entry.subarray(headerBytes + DIGEST_BYTES);
  if (!sha256(payload).equals(entry.subarray(headerBytes, headerBytes + DIGEST_BYTES))) return undefined;
  return { fields: Array.from({ length: fieldCount }, (_, i) => entry.readUInt32LE(8 + 4 * i)), payload };
}
