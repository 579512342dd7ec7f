/**
 * Dataset specs: `kind:path`, e.g. `busi:/data/BUSI` or `synthetic:site-b?count=40&seed=7`.
 * One string names a dataset everywhere (CLI flags, TrainConfig, run.json, VS Code settings).
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, isAbsolute, resolve, sep } from 'node:path';
import { DATASET_KINDS, DatasetKind } from '../types';
import { DatasetSpecError } from './errors';
import { parseSyntheticOptions, SYNTHETIC_DEFAULTS, SyntheticOptions } from './synthetic/options';

export interface DatasetSpec {
  /** The spec as written. */
  spec: string;
  kind: DatasetKind;
  /** Absolute dataset folder; for `synthetic`, the site id. */
  path: string;
  /** Options of a synthetic dataset (kind `synthetic` only). */
  synthetic?: SyntheticOptions;
}

/** One line per kind, for `bus-lab datasets list` and the extension's pickers. */
export const KIND_DESCRIPTIONS: Record<DatasetKind, string> = {
  breast: 'BrEaST-Lesions_USG (Poland): PNG images + caseNNN_tumor.png masks + clinical .xlsx with BI-RADS descriptors',
  busi: 'BUSI (Egypt): benign/ malignant/ normal/ folders, "X (N).png" with "X (N)_mask*.png" masks',
  busbra: 'BUS-BRA (Brazil): Images/, Masks/ and bus_data.csv (Case is the patient)',
  udiat: 'UDIAT Dataset B (Spain): original/, GT/ and DatasetB.xlsx (Image, Type)',
  busuclm: 'BUS-UCLM (Spain): images/, colour-coded masks/ (green benign, red malignant) and INFO.csv',
  folder: 'any folder: images/ + masks/ with matching names (PNG or JPEG), optional labels.csv (file,label)',
  synthetic: 'built-in B-mode phantom, no download: synthetic:site-a|site-b|site-c[?count=96&malignant=0.4&normal=0&seed=1]',
};

export function isDatasetKind(value: string): value is DatasetKind {
  return (DATASET_KINDS as readonly string[]).includes(value);
}

/**
 * `~` and `~/...` (and `~\...` where `\` separates folders) name the home folder; anything else is
 * returned as it is. The extension's setting paths use this too.
 */
export function expandHome(path: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/') || (sep === '\\' && path.startsWith('~\\'))) return resolve(homedir(), path.slice(2));
  return path;
}

function parseQuery(spec: string, text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw new DatasetSpecError(`dataset spec '${spec}': option '${part}' is not key=value`);
    out[decodeURIComponent(part.slice(0, eq))] = decodeURIComponent(part.slice(eq + 1));
  }
  return out;
}

export interface DatasetSpecOptions {
  /** Whether a file kind's path must exist (default true). */
  checkPath?: boolean;
  /**
   * What a relative path is relative to: a folder (the extension passes its workspace folder),
   * undefined for the current directory (the CLI), or null when there is none, which makes a
   * relative path an error.
   */
  baseDir?: string | null;
}

/**
 * The one parser of dataset specs (the CLI, the trainer, the worker and the extension's setting
 * checks all use it). File-based kinds get an absolute path (`~` expanded; no query: `?` is part
 * of the path); with `checkPath` (the default) a path that does not exist is an error naming it.
 * Synthetic specs name a known site and take only known options.
 */
export function parseDatasetSpec(spec: string, options: DatasetSpecOptions = {}): DatasetSpec {
  const text = spec.trim();
  const colon = text.indexOf(':');
  const kind = colon < 0 ? text : text.slice(0, colon);
  if (!isDatasetKind(kind)) {
    const what = colon < 0 ? `dataset spec '${text}' has no kind` : `unknown dataset kind '${kind}' in '${text}'`;
    throw new DatasetSpecError(`${what}: expected kind:path with kind one of ${DATASET_KINDS.join(', ')}`);
  }
  const rest = text.slice(colon + 1);
  if (kind === 'synthetic') {
    const q = rest.indexOf('?');
    const site = q < 0 ? rest : rest.slice(0, q);
    const query = q < 0 ? {} : parseQuery(text, rest.slice(q + 1));
    const synthetic = parseSyntheticOptions(text, site, query);
    return { spec: text, kind, path: synthetic.site, synthetic };
  }
  if (rest.trim() === '') throw new DatasetSpecError(`dataset spec '${text}' names no path: expected ${kind}:/path/to/dataset`);
  const written = expandHome(rest.trim());
  if (!isAbsolute(written) && options.baseDir === null) {
    throw new DatasetSpecError(`dataset spec '${text}': the path '${written}' is relative and there is no folder to resolve it against; use an absolute path`);
  }
  const path = resolve(options.baseDir ?? '', written);
  if ((options.checkPath ?? true) && !existsSync(path)) throw new DatasetSpecError(`${kind}: path ${path} does not exist`);
  return { spec: text, kind, path };
}

const NAMES: Record<DatasetKind, string> = {
  breast: 'BrEaST',
  busi: 'BUSI',
  busbra: 'BUS-BRA',
  udiat: 'UDIAT',
  busuclm: 'BUS-UCLM',
  folder: 'folder',
  synthetic: 'synthetic',
};

/** Short human name, e.g. "BUSI" or "synthetic site-b". */
export function datasetName(parsed: DatasetSpec): string {
  if (parsed.kind === 'synthetic') return `synthetic ${parsed.path}`;
  if (parsed.kind === 'folder') return `folder ${basename(parsed.path)}`;
  return NAMES[parsed.kind];
}

/** Lower-case, file-system-safe slug: letters, digits, '.', '-'. */
export function safeSlug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^[-.]+|-+$/g, '') || 'dataset';
}

/** Slug for `eval/<slug>/`: `busi`, `folder-mydata`, `synthetic-site-b`, `synthetic-site-b-count40-seed7`. */
export function datasetSlug(parsed: DatasetSpec): string {
  if (parsed.kind === 'synthetic' && parsed.synthetic) {
    const o = parsed.synthetic;
    const parts = [`synthetic-${o.site}`];
    for (const key of ['count', 'malignant', 'normal', 'seed'] as const) {
      if (o[key] !== SYNTHETIC_DEFAULTS[key]) parts.push(`${key}${o[key]}`);
    }
    return safeSlug(parts.join('-'));
  }
  if (parsed.kind === 'folder') return safeSlug(`folder-${basename(parsed.path)}`);
  return parsed.kind;
}
