/**
 * Finding the comparison.json files under a runs folder (written by experiments/compare.ts's
 * writeComparison for `bus-lab compare`/`ablate`; read back by experiments/comparisonFile.ts).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PICTURE_FOLDERS } from './evaluationFolder';

const NOT_SEARCHED = new Set<string>(['model', 'checkpoint', ...PICTURE_FOLDERS]);

/** comparison.json files under `runsDir` (depth <= maxDepth), as sorted forward-slash relative paths. */
export async function listComparisonFiles(runsDir: string, maxDepth = 3, maxFiles = 200): Promise<string[]> {
  const out: string[] = [];
  async function walk(dir: string, rel: string[], depth: number): Promise<void> {
    if (out.length >= maxFiles) return;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (out.length >= maxFiles) return;
      if (e.isFile() && e.name === 'comparison.json') out.push([...rel, e.name].join('/'));
      else if (e.isDirectory() && depth < maxDepth && !e.name.startsWith('.') && !NOT_SEARCHED.has(e.name)) await walk(join(dir, e.name), [...rel, e.name], depth + 1);
    }
  }
  await walk(runsDir, [], 0);
  return out.sort();
}
