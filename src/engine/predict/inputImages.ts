/**
 * The images a prediction job reads: one file, or every PNG and JPEG under a folder (sub-folders
 * included, hidden entries and the output folder left out), in a stable order.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';

export interface InputImage {
  /** Absolute path. */
  path: string;
  /** Relative to the input folder; the base name for a single file. */
  file: string;
}

const IMAGE_EXTENSION = /\.(png|jpe?g)$/i;

export function isImageFileName(name: string): boolean {
  return IMAGE_EXTENSION.test(name);
}

/** Throws a one-line error naming `input` when it does not exist or holds no image. */
export async function listInputImages(input: string, options: { exclude?: string } = {}): Promise<InputImage[]> {
  const root = resolve(input);
  let info;
  try {
    info = await stat(root);
  } catch {
    throw new Error(`${root}: no such file or folder`);
  }
  if (info.isFile()) return [{ path: root, file: basename(root) }];
  const exclude = options.exclude ? resolve(options.exclude) : undefined;
  const found: InputImage[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        // The output folder may sit inside the input folder: never read our own masks back.
        if (p === exclude) continue;
        await walk(p);
      } else if ((e.isFile() || e.isSymbolicLink()) && isImageFileName(e.name)) {
        found.push({ path: p, file: relative(root, p).split(sep).join('/') });
      }
    }
  };
  await walk(root);
  if (found.length === 0) throw new Error(`${root}: no PNG or JPEG images in this folder`);
  found.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return found;
}
