/**
 * Checks paths that come from settings before anything uses them: a path must be absolute or
 * relative to a workspace folder (`~` expands to the home folder), and, where asked, exist.
 * Dataset specs `kind:path[?query]` get their path part checked the same way. No `vscode` import.
 */
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { DATASET_KINDS } from '../../engine/types';

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
  let path = value.trim();
  if (path === '~' || path.startsWith('~/') || path.startsWith('~\\')) path = join(homedir(), path.slice(1));
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

export interface ParsedDatasetSpec {
  kind: string;
  /** The part after `kind:` up to `?` (a path, or a synthetic site name). */
  target: string;
  query: string;
}

/** Splits `kind:target[?query]`; undefined when the spec has no known kind prefix. */
export function parseDatasetSpec(spec: string): ParsedDatasetSpec | undefined {
  const colon = spec.indexOf(':');
  if (colon <= 0) return undefined;
  const kind = spec.slice(0, colon);
  if (!(DATASET_KINDS as readonly string[]).includes(kind)) return undefined;
  const rest = spec.slice(colon + 1);
  const q = rest.indexOf('?');
  return q < 0 ? { kind, target: rest, query: '' } : { kind, target: rest.slice(0, q), query: rest.slice(q) };
}

/**
 * Checks a dataset spec and returns it with its path made absolute, or why it cannot be used.
 * Synthetic specs carry no path. Excel/CSV files (BUS-BRA, BrEaST) may be named directly.
 */
export function checkDatasetSpec(spec: unknown, workspaceFolders: readonly string[]): { ok: true; spec: string } | { ok: false; reason: string } {
  if (typeof spec !== 'string' || spec.trim() === '') return { ok: false, reason: 'The dataset spec is empty' };
  const parsed = parseDatasetSpec(spec.trim());
  if (!parsed) return { ok: false, reason: `"${spec}" is not a dataset spec; write kind:path with kind one of ${DATASET_KINDS.join(', ')}` };
  if (parsed.kind === 'synthetic') {
    if (!/^site-[a-z0-9]+$/i.test(parsed.target)) return { ok: false, reason: `"${spec}": synthetic datasets are synthetic:site-a, synthetic:site-b or synthetic:site-c` };
    return { ok: true, spec: spec.trim() };
  }
  const checked = checkSettingPath(parsed.target, { workspaceFolders, mustExist: 'any', what: `Dataset "${spec}"` });
  if (!checked.ok) return checked;
  return { ok: true, spec: `${parsed.kind}:${checked.path}${parsed.query}` };
}
