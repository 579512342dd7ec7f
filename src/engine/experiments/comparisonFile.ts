/**
 * Reads a comparison.json back (the Ablation Comparison view, Compare Runs' baseline suggestion). Only
 * the format `compareRuns` writes (formatVersion 1) is accepted; anything else is refused with a
 * one-line error naming the file and the field, so a reader never guesses at other layouts.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listComparisonFiles } from '../runs/comparisonFiles';
import { isRecord } from '../../shared/isRecord';
import type { Comparison } from './comparisonTypes';

const isStr = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/**
 * Checks the structure a reader relies on (the comparison view, a rebase on another baseline) and
 * refuses anything else, so no reader guesses at layouts the engine never writes; the numbers
 * inside cells are trusted as written.
 */
export function parseComparison(raw: unknown, file: string): Comparison {
  const fail = (field: string, what: string): never => {
    throw new Error(`${file}: ${field} ${what} (not a comparison.json written by bus-lab compare / ablate)`);
  };
  if (!isRecord(raw)) return fail('the file', 'is not a JSON object');
  if (raw.formatVersion !== 1) fail('"formatVersion"', `is ${JSON.stringify(raw.formatVersion)}, expected 1`);
  if (!isStr(raw.baseline)) fail('"baseline"', 'is missing');
  if (!Array.isArray(raw.methods) || raw.methods.length === 0) fail('"methods"', 'is missing or empty');
  if (!Array.isArray(raw.datasets)) fail('"datasets"', 'is missing');
  if (!Array.isArray(raw.cells)) fail('"cells"', 'is missing');
  const methods = raw.methods as unknown[];
  methods.forEach((m, i) => {
    if (!isRecord(m) || !isStr(m.id) || !isStr(m.name) || !Array.isArray(m.runs)) fail(`"methods[${i}]"`, 'needs id, name and runs');
    (m as { runs: unknown[] }).runs.forEach((r, k) => {
      if (!isRecord(r) || !isStr(r.id)) fail(`"methods[${i}].runs[${k}]"`, 'needs an id');
    });
  });
  (raw.datasets as unknown[]).forEach((d, i) => {
    if (!isRecord(d) || !isStr(d.slug) || typeof d.name !== 'string') fail(`"datasets[${i}]"`, 'needs slug and name');
  });
  (raw.cells as unknown[]).forEach((c, i) => {
    if (!isRecord(c) || !isStr(c.method) || !isStr(c.dataset)) fail(`"cells[${i}]"`, 'needs method and dataset');
    const p = (c as Record<string, unknown>).perImage;
    if (!isRecord(p) || !Array.isArray(p.ids) || !Array.isArray(p.dice) || p.ids.length !== p.dice.length) fail(`"cells[${i}].perImage"`, 'needs ids and dice of equal length');
  });
  if (!methods.some((m) => (m as { id: string }).id === raw.baseline)) fail('"baseline"', `'${raw.baseline as string}' is not one of the methods`);
  if (!Array.isArray(raw.notes)) fail('"notes"', 'is missing');
  return raw as unknown as Comparison;
}

/** Reads a comparison.json; a one-line error names the file (and the field) when it is not one. */
export async function readComparisonFile(path: string): Promise<Comparison> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : `not readable JSON (${(err as Error).message})`}`);
  }
  return parseComparison(raw, path);
}

/**
 * The baseline the ablation runner used for these runs: from a comparison.json under the runs
 * folder that holds them (it carries the config's baseline), else from the grid state
 * `<runs>/ablation.json` (`baseline` variant; written from the start, so also for a grid still
 * training): the id of the first given run of the baseline. Unreadable files are skipped.
 */
export async function runnerBaseline(runsDir: string, runIds: readonly string[]): Promise<{ runId: string; file: string } | undefined> {
  return (await fromComparisons(runsDir, runIds)) ?? (await fromAblationState(runsDir, runIds));
}

async function fromAblationState(runsDir: string, runIds: readonly string[]): Promise<{ runId: string; file: string } | undefined> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(join(runsDir, 'ablation.json'), 'utf8'));
  } catch {
    return undefined;
  }
  if (!isRecord(raw) || typeof raw.baseline !== 'string' || !Array.isArray(raw.runs)) return undefined;
  const variantOf = new Map<string, unknown>(raw.runs.filter(isRecord).map((r) => [String(r.runId), r.variant]));
  const hit = runIds.find((id) => variantOf.get(id) === raw.baseline);
  return hit && runIds.some((id) => id !== hit && variantOf.has(id)) ? { runId: hit, file: 'ablation.json' } : undefined;
}

async function fromComparisons(runsDir: string, runIds: readonly string[]): Promise<{ runId: string; file: string } | undefined> {
  for (const rel of await listComparisonFiles(runsDir)) {
    const file = join(runsDir, ...rel.split('/'));
    let c: Comparison;
    try {
      c = await readComparisonFile(file);
    } catch {
      continue;
    }
    const base = c.methods.find((m) => m.id === c.baseline);
    const hit = runIds.find((id) => base?.runs.some((r) => r.id === id));
    if (hit && runIds.some((id) => id !== hit && c.methods.some((m) => m.runs.some((r) => r.id === id)))) return { runId: hit, file: rel };
  }
  return undefined;
}
