/**
 * Ablation config files (experiments/*.json): which data, which methods and variants, which
 * seeds, and the shared training settings. Parsing validates everything up front, so a typo is
 * reported before hours of training, naming the file and the field.
 *
 * Relative paths (dataset specs other than `synthetic:`, plugin modules, cacheDir) are resolved
 * against the folder of the config file, so a config works from any working directory.
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { resolveTrainConfig } from '../train/config';
import { isRecord } from '../../shared/isRecord';
import type { TrainConfig } from '../types';

/** One method or variant: a name plus the training fields it changes. */
export type AblationVariant = Partial<TrainConfig> & { name: string; method: string };

/** The file format. */
export interface AblationConfigFile {
  name?: string;
  description?: string;
  train: string;
  external: string[];
  seeds: number[];
  /** Variant name the comparison tests against (default: the first method). */
  baseline?: string;
  /** Training settings shared by every run (partial TrainConfig). */
  settings?: Partial<TrainConfig>;
  /** A built-in method name ("single") or a variant object. */
  methods: (string | AblationVariant)[];
  /** Seed of the comparison's bootstrap CIs (default 0). */
  comparisonSeed?: number;
}

export interface AblationEntry {
  /** Deterministic: `<variant>-seed<seed>`, so an interrupted ablation finds its runs again. */
  runId: string;
  variant: string;
  seed: number;
  /** The fields the ablation sets (checked against an existing run before resuming it). */
  partial: Partial<TrainConfig>;
  config: TrainConfig;
}

export interface Ablation {
  file: string;
  name: string;
  baseline: string;
  comparisonSeed: number;
  entries: AblationEntry[];
}

const TOP_LEVEL = ['name', 'description', 'train', 'external', 'seeds', 'baseline', 'settings', 'methods', 'comparisonSeed', '$schema'];
/** The grid owns these fields; settings or variants may not set them. */
const GRID_FIELDS = ['train', 'external', 'seed', 'name'];

/** Resolves the path of a `kind:path` spec against baseDir; synthetic specs have no path. */
export function resolveSpecPath(spec: string, baseDir: string): string {
  const colon = spec.indexOf(':');
  if (colon < 0) return spec;
  const kind = spec.slice(0, colon);
  const path = spec.slice(colon + 1).trim();
  if (kind === 'synthetic' || path === '' || isAbsolute(path) || path.startsWith('~')) return spec;
  return `${kind}:${resolve(baseDir, path)}`;
}

export function runIdFor(variant: string, seed: number): string {
  const safe = variant.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'variant';
  return `${safe}-seed${seed}`;
}

function resolvePaths(partial: Partial<TrainConfig>, baseDir: string): Partial<TrainConfig> {
  const out = { ...partial };
  if (out.plugins) out.plugins = out.plugins.map((p) => ({ ...p, modulePath: isAbsolute(p.modulePath) ? p.modulePath : resolve(baseDir, p.modulePath) }));
  if (out.cacheDir && !isAbsolute(out.cacheDir)) out.cacheDir = resolve(baseDir, out.cacheDir);
  return out;
}

/** Validates a parsed config file and expands it into the grid (variants x seeds). */
export function parseAblationConfig(raw: unknown, file: string): Ablation {
  const fail = (field: string, message: string): never => {
    throw new Error(`${file}: ${field}: ${message}`);
  };
  if (!isRecord(raw)) fail('config', 'must be a JSON object');
  const c = raw as Record<string, unknown>;
  for (const key of Object.keys(c)) if (!TOP_LEVEL.includes(key)) fail(key, `unknown field (known: ${TOP_LEVEL.filter((k) => k !== '$schema').join(', ')})`);
  if (typeof c.train !== 'string' || !c.train.includes(':')) fail('train', 'must be a dataset spec (kind:path)');
  if (!Array.isArray(c.external) || !c.external.every((s) => typeof s === 'string' && s.includes(':'))) fail('external', 'must be a list of dataset specs (kind:path)');
  if (!Array.isArray(c.seeds) || c.seeds.length === 0 || !c.seeds.every((s) => Number.isInteger(s))) fail('seeds', 'must be a non-empty list of integers');
  if (new Set(c.seeds as number[]).size !== (c.seeds as number[]).length) fail('seeds', 'has duplicates');
  if (c.settings !== undefined && !isRecord(c.settings)) fail('settings', 'must be an object of training settings');
  if (!Array.isArray(c.methods) || c.methods.length === 0) fail('methods', 'must be a non-empty list');
  if (c.comparisonSeed !== undefined && !Number.isInteger(c.comparisonSeed)) fail('comparisonSeed', 'must be an integer');
  const settings = (c.settings ?? {}) as Partial<TrainConfig>;
  for (const k of GRID_FIELDS) if (k in settings) fail(`settings.${k}`, 'is set by the ablation itself (top-level train/external/seeds, variant name)');

  const baseDir = dirname(resolve(file));
  const train = resolveSpecPath(c.train as string, baseDir);
  const external = (c.external as string[]).map((s) => resolveSpecPath(s, baseDir));
  const variants = (c.methods as unknown[]).map((m, i): AblationVariant => {
    if (typeof m === 'string' && m.length > 0) return { name: m, method: m };
    if (!isRecord(m)) return fail(`methods[${i}]`, 'must be a method name or an object { name, method, ... }');
    if (typeof m.name !== 'string' || m.name === '') fail(`methods[${i}].name`, 'must be a non-empty string');
    const variant = { method: m.name, ...m } as AblationVariant;
    for (const k of GRID_FIELDS.filter((f) => f !== 'name')) if (k in m) fail(`methods[${i}].${k}`, 'is set by the ablation itself');
    return variant;
  });
  const names = variants.map((v) => v.name);
  names.forEach((n, i) => names.indexOf(n) !== i && fail(`methods[${i}].name`, `'${n}' is used twice`));
  const ids = names.map((n) => runIdFor(n, 0));
  ids.forEach((id, i) => ids.indexOf(id) !== i && fail(`methods[${i}].name`, `'${names[i]}' gives the same run ids as '${names[ids.indexOf(id)]}'`));
  const baseline = c.baseline === undefined ? names[0] : String(c.baseline);
  if (!names.includes(baseline)) fail('baseline', `'${baseline}' is not one of the methods (${names.join(', ')})`);

  const entries: AblationEntry[] = [];
  variants.forEach((variant, i) => {
    for (const seed of c.seeds as number[]) {
      const partial = resolvePaths({ ...settings, ...variant, train, external, seed }, baseDir);
      let config: TrainConfig;
      try {
        config = resolveTrainConfig(partial);
      } catch (err) {
        return fail(`methods[${i}] (${variant.name})`, (err as Error).message);
      }
      entries.push({ runId: runIdFor(variant.name, seed), variant: variant.name, seed, partial, config });
    }
  });
  return { file: resolve(file), name: typeof c.name === 'string' ? c.name : names.join(' vs '), baseline, comparisonSeed: (c.comparisonSeed as number | undefined) ?? 0, entries };
}

export async function readAblationConfig(file: string): Promise<Ablation> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new Error(`${file}: cannot read the ablation config`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: invalid JSON (${(err as Error).message})`);
  }
  return parseAblationConfig(raw, file);
}
