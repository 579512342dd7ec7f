/**
 * Reads what comparison needs from a run folder: run.json and every complete evaluation
 * (`eval/<slug>/summary.json` + `per_image.csv`; an evaluation without summary.json was
 * interrupted and is left out).
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { EvaluationSummary, PerImageResult } from '../eval/evaluationTypes';
import { parsePerImageCsv } from '../eval/perImageCsv';
import { readRunRecord } from '../runs/runStore';
import type { RunRecord } from '../types';

export interface DatasetResults {
  slug: string;
  name: string;
  rows: PerImageResult[];
}

export interface RunEvaluations {
  dir: string;
  record: RunRecord;
  datasets: Map<string, DatasetResults>;
}

async function readSummaryName(path: string, slug: string): Promise<string> {
  let parsed: Partial<EvaluationSummary>;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: invalid JSON (${(err as Error).message})`);
  }
  return typeof parsed.dataset === 'string' ? parsed.dataset : slug;
}

export async function readRunEvaluations(dir: string): Promise<RunEvaluations> {
  const record = await readRunRecord(dir);
  const datasets = new Map<string, DatasetResults>();
  const evalDir = join(dir, 'eval');
  if (existsSync(evalDir)) {
    for (const entry of (await readdir(evalDir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      if (!entry.isDirectory()) continue;
      const slug = entry.name;
      const summaryPath = join(evalDir, slug, 'summary.json');
      const csvPath = join(evalDir, slug, 'per_image.csv');
      if (!existsSync(summaryPath) || !existsSync(csvPath)) continue;
      const name = await readSummaryName(summaryPath, slug);
      const rows = parsePerImageCsv(await readFile(csvPath, 'utf8'), csvPath);
      datasets.set(slug, { slug, name, rows });
    }
  }
  return { dir, record: { ...record, id: record.id || basename(dir) }, datasets };
}
