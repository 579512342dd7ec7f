/**
 * Path containment for everything a webview names: run ids, dataset slugs, file names. A path is
 * used only when it resolves inside the runs folder, both lexically and after following symbolic
 * links. No `vscode` import (unit-tested in plain Node).
 */
import { realpathSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** True when `child` is `root` itself or lies below it (lexically, after resolving `..`). */
export function isInside(root: string, child: string): boolean {
  const rel = relative(resolve(root), resolve(child));
  return rel === '' || (rel !== '..' && !rel.startsWith('..' + sep) && !isAbsolute(rel));
}

/**
 * Joins untrusted segments onto `root` and returns the absolute path when it stays inside `root`,
 * else undefined. Segments containing NUL are refused outright.
 */
export function resolveInside(root: string, ...segments: string[]): string | undefined {
  if (segments.some((s) => typeof s !== 'string' || s.includes('\0'))) return undefined;
  const base = resolve(root);
  const target = resolve(base, ...segments);
  return isInside(base, target) ? target : undefined;
}

/**
 * Like `resolveInside`, and also follows symbolic links: the real path of the target must lie
 * inside the real path of the root. Returns undefined when the target does not exist.
 */
export async function resolveInsideReal(root: string, ...segments: string[]): Promise<string | undefined> {
  const lexical = resolveInside(root, ...segments);
  if (!lexical) return undefined;
  try {
    const [realRoot, realTarget] = await Promise.all([realpath(root), realpath(lexical)]);
    return isInside(realRoot, realTarget) ? lexical : undefined;
  } catch {
    return undefined;
  }
}

/** The real path of `path`; for a path not made yet, its nearest existing ancestor's real path joined with the rest. */
function realpathOfExisting(path: string): string {
  try {
    return realpathSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const parent = dirname(path);
    if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === path) throw error;
    return join(realpathOfExisting(parent), basename(path));
  }
}

/**
 * Like `resolveInsideReal`, synchronously, for the host's run-folder look-ups (one or two
 * realpath calls): symbolic links anywhere on the way must stay inside the real root. A target
 * that does not exist yet is judged by its nearest existing ancestor (a run folder being made).
 */
export function resolveInsideRealSync(root: string, ...segments: string[]): string | undefined {
  const lexical = resolveInside(root, ...segments);
  if (!lexical) return undefined;
  try {
    return isInside(realpathOfExisting(resolve(root)), realpathOfExisting(lexical)) ? lexical : undefined;
  } catch {
    return undefined;
  }
}
