/**
 * Checks paths that come from settings before anything uses them: a path must be absolute or
 * relative to a workspace folder (`~` expands to the home folder), and, where asked, exist.
 * Dataset specs are parsed by the engine's one parser, with the workspace folder as the base of a
 * relative path. No `vscode` import.
 */
import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { DatasetSpecError } from '../../engine/data/errors';
import { expandHome, parseDatasetSpec } from '../../engine/data/spec';

export type PathCheck = { ok: true; path: string } | { ok: false; reason: string };

export interface PathCheckOptions {
  /** Workspace folders (absolute); a relative path resolves against the first. */
  workspaceFolders: readonly string[];
  /** 'file', 'directory', 'any' (exists, either), or 'none' (need not exist). */
  mustExist: 'file' | 'directory' | 'any' | 'none';
  /** What the path is, for messages ("busLab.engine.nativeModulesPath"). */
  what: string;
}

function kindOf(path: string): 'file' | 'directory' | undefined {
  try {
    const s = statSync(path);
    return s.isDirectory() ? 'directory' : s.isFile() ? 'file' : undefined;
  } catch {
    return undefined;
  }
}

export function checkSettingPath(value: unknown, options: PathCheckOptions): PathCheck {
  if (typeof value !== 'string' || value.trim() === '') return { ok: false, reason: `${options.what} is empty` };
  let path = expandHome(value.trim());
  if (!isAbsolute(path)) {
    const base = options.workspaceFolders[0];
    if (!base) return { ok: false, reason: `${options.what} "${value}" is relative, but no workspace folder is open; use an absolute path` };
    path = resolve(base, path);
  }
  if (options.mustExist !== 'none') {
    const kind = kindOf(path);
    if (!kind) return { ok: false, reason: `${options.what}: "${path}" does not exist` };
    if (options.mustExist !== 'any' && kind !== options.mustExist) return { ok: false, reason: `${options.what}: "${path}" is not a ${options.mustExist}` };
  }
  return { ok: true, path };
}

/**
 * Checks a dataset spec and returns it with its path made absolute, or why it cannot be used:
 * the engine's parser decides (known kind and synthetic site and options, a path that exists),
 * so a spec the extension accepts is one the engine will load.
 */
export function checkDatasetSpec(spec: unknown, workspaceFolders: readonly string[]): { ok: true; spec: string } | { ok: false; reason: string } {
  if (typeof spec !== 'string' || spec.trim() === '') return { ok: false, reason: 'The dataset spec is empty' };
  try {
    const parsed = parseDatasetSpec(spec, { baseDir: workspaceFolders[0] ?? null });
    return { ok: true, spec: parsed.kind === 'synthetic' ? parsed.spec : `${parsed.kind}:${parsed.path}` };
  } catch (error) {
    if (error instanceof DatasetSpecError) return { ok: false, reason: error.message };
    throw error;
  }
}
