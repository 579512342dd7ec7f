/**
 * loadDataset: spec -> index -> Samples at S x S, with the cache, bounded concurrency, progress,
 * and every skipped file reported through onWarning and LoadedDataset.skipped.
 */
import { FullResolutionItem, LoadedDataset, Sample } from '../types';
import { ArrayCache } from './cache';
import { DatasetError } from './errors';
import { datasetFingerprint } from './fingerprint';
import { FullResolutionCache } from './fullResolutionCache';
import { listDataset } from './loaders/registry';
import { prepareSamples, PrepareStats } from './prepare';
import { SourceItem } from './source';
import { datasetName, datasetSlug, parseDatasetSpec } from './spec';

export interface LoadDatasetOptions {
  /** Working size S: every image becomes S x S. */
  size: number;
  /** Folder for the decoded-array cache (working size, and original size for readFullResolution); none: no cache. */
  cacheDir?: string;
  /** Cap on images (picked evenly across the dataset, so every class stays represented). */
  limit?: number;
  /** Keep lesion-free images (default true). */
  includeNormal?: boolean;
  onProgress?: (done: number, total: number) => void;
  onWarning?: (message: string) => void;
  /** Items decoded at once (default 4). */
  concurrency?: number;
  signal?: AbortSignal;
  /** Reports how many items came from the cache and how many were decoded. */
  onStats?: (stats: LoadStats) => void;
}

export interface LoadStats extends PrepareStats {
  items: number;
  skipped: number;
  seconds: number;
}

const MAX_LISTED = 10;

/** `limit` items spread evenly over the list (deterministic; keeps the class mix of sorted lists). */
export function pickEvenly<T>(values: readonly T[], limit: number | undefined): T[] {
  if (limit === undefined || limit >= values.length) return values.slice();
  const n = Math.max(0, Math.floor(limit));
  return Array.from({ length: n }, (_, i) => values[Math.floor((i * values.length) / n)]);
}

/** One warning line listing skipped files (the first ten, then a count). */
export function skippedWarning(name: string, skipped: readonly { file: string; reason: string }[]): string {
  const listed = skipped.slice(0, MAX_LISTED).map((s) => `${s.file} (${s.reason})`);
  const more = skipped.length > MAX_LISTED ? `; and ${skipped.length - MAX_LISTED} more` : '';
  return `${name}: skipped ${skipped.length} file${skipped.length === 1 ? '' : 's'}: ${listed.join('; ')}${more}`;
}

function checkSize(size: number): void {
  if (!Number.isInteger(size) || size < 8 || size > 4096) throw new DatasetError(`loadDataset: size must be an integer from 8 to 4096, got ${size}`);
}

export async function loadDataset(spec: string, options: LoadDatasetOptions): Promise<LoadedDataset> {
  const started = Date.now();
  checkSize(options.size);
  const parsed = parseDatasetSpec(spec);
  const name = datasetName(parsed);
  const slug = datasetSlug(parsed);
  const index = await listDataset(parsed);
  for (const note of index.notes) options.onWarning?.(note);

  const includeNormal = options.includeNormal ?? true;
  const wanted = index.items.filter((it) => includeNormal || it.labelFromMask || it.label !== 'normal');
  const chosen = pickEvenly(wanted, options.limit);
  const cache = options.cacheDir && parsed.kind !== 'synthetic' ? new ArrayCache(options.cacheDir, slug, options.size) : undefined;
  const prepared = await prepareSamples(chosen, { size: options.size, cache, concurrency: options.concurrency, onProgress: options.onProgress, signal: options.signal });
  // Unlabelled folder items learn whether they are normal only once their mask is read.
  const samples: Sample[] = prepared.samples.filter((s) => includeNormal || s.label !== 'normal');

  const skipped = [...index.problems.map((p) => ({ file: p.file, reason: p.reason })), ...prepared.failures];
  if (skipped.length > 0) options.onWarning?.(skippedWarning(name, skipped));
  if (prepared.stats.cacheWriteErrors > 0) options.onWarning?.(`${name}: ${prepared.stats.cacheWriteErrors} cache entries could not be written to ${options.cacheDir}`);
  if (samples.length === 0) {
    const first = skipped[0] ? `; first problem: ${skipped[0].file}: ${skipped[0].reason}` : '';
    throw new DatasetError(`${parsed.kind}: no usable images in ${parsed.path}${first}`);
  }
  options.onStats?.({ ...prepared.stats, items: samples.length, skipped: skipped.length, seconds: (Date.now() - started) / 1000 });

  const byId = new Map<string, SourceItem>(chosen.map((it) => [it.id, it]));
  const fullCache = options.cacheDir && parsed.kind !== 'synthetic' ? new FullResolutionCache(options.cacheDir, slug) : undefined;
  return {
    spec: parsed.spec,
    kind: parsed.kind,
    name,
    slug,
    items: samples,
    skipped,
    path: parsed.path,
    fingerprint: () => datasetFingerprint(parsed.path, samples.map((s) => ({ id: s.id, files: byId.get(s.id)?.files ?? [] }))),
    async readFullResolution(id: string): Promise<FullResolutionItem> {
      const item = byId.get(id);
      if (!item) throw new DatasetError(`${name}: no item with id '${id}'`);
      return readFullResolutionCached(item, fullCache);
    },
  };
}

/** The item at its original size: from the cache when it holds it, else decoded (and stored; a failed write only costs the next reader a decode). */
async function readFullResolutionCached(item: SourceItem, cache: FullResolutionCache | undefined): Promise<FullResolutionItem> {
  const key = cache && item.files.length > 0 ? await cache.keyFor(item.files) : undefined;
  if (cache && key) {
    const hit = await cache.get(key);
    if (hit) return hit;
  }
  const raw = await item.read();
  const full: FullResolutionItem = { width: raw.width, height: raw.height, image: raw.image, mask: raw.mask };
  if (cache && key) await cache.put(key, full).catch(() => undefined);
  return full;
}
