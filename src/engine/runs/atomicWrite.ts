import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
}

/**
 * Writes a file so that readers see either the old or the new content, never a half-written one:
 * the data goes to a temporary file in the same folder, is flushed to disk, then renamed over.
 * `fsync: false` skips the flush where losing the newest version to a power cut is harmless
 * (caches), keeping the rename's all-or-nothing guarantee against killed processes.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: { fsync?: boolean } = {}): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  try {
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(data);
      if (options.fsync !== false) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
