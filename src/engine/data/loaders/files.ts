/** Small file-system helpers shared by the loaders; errors name the path and the dataset kind. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { DatasetError } from '../errors';

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg'];

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Plain files of a folder, sorted by natural order (case 2 before case 10). */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort(naturalCompare);
}

export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true, sensitivity: 'base' });
}

export function isImageName(name: string): boolean {
  return IMAGE_EXTENSIONS.includes(extname(name).toLowerCase());
}

/** File name without its extension. */
export function stem(name: string): string {
  const ext = extname(name);
  return ext ? name.slice(0, -ext.length) : name;
}

/** Fails with a one-line error unless `dir` is a folder. */
export function requireDirectory(kind: string, dir: string, what = 'folder'): void {
  if (!existsSync(dir)) throw new DatasetError(`${kind}: ${what} ${dir} does not exist`);
  if (!isDirectory(dir)) throw new DatasetError(`${kind}: ${dir} is not a folder`);
}

/**
 * The dataset's own root: `path` itself when it satisfies `isRoot`, else its only (or first, by
 * name) subfolder that does, so both `BUSI/` and `BUSI/Dataset_BUSI_with_GT/` work.
 */
export async function findRoot(path: string, isRoot: (dir: string) => boolean): Promise<string | undefined> {
  if (isRoot(path)) return path;
  if (!isDirectory(path)) return undefined;
  const entries = await readdir(path, { withFileTypes: true });
  for (const e of entries.filter((d) => d.isDirectory()).map((d) => d.name).sort(naturalCompare)) {
    const sub = join(path, e);
    if (isRoot(sub)) return sub;
  }
  return undefined;
}

/** True when `dir` is a folder holding a file whose name passes `test` (quick, synchronous probe). */
export function folderHasFile(dir: string, test: (name: string) => boolean): boolean {
  try {
    return readdirSync(dir, { withFileTypes: true }).some((e) => e.isFile() && test(e.name));
  } catch {
    return false;
  }
}
