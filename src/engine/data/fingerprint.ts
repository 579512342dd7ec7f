/**
 * A dataset's fingerprint, recorded in summary.json so that an evaluation says which data it saw:
 * sha256 over the evaluated items' files (path relative to the dataset folder, tab, size in bytes),
 * sorted, one per line. Items without files (the synthetic sites, generated from a seed) count by
 * id. Renaming, adding, removing or resizing a file changes it; reading the pixels is not needed.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { relative } from 'node:path';

export async function datasetFingerprint(root: string, items: readonly { id: string; files: readonly string[] }[]): Promise<string> {
  const lines: string[] = [];
  for (const item of items) {
    if (item.files.length === 0) {
      lines.push(`id:${item.id}`);
      continue;
    }
    for (const file of item.files) {
      let size: number | string;
      try {
        size = (await stat(file)).size;
      } catch {
        size = 'missing';
      }
      lines.push(`${relative(root, file).split('\\').join('/')}\t${size}`);
    }
  }
  lines.sort();
  return createHash('sha256').update([...new Set(lines)].join('\n')).digest('hex');
}
