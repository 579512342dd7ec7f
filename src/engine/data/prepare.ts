/**
 * The shared pipeline from source items to Samples: read (or take from the cache), convert to
 * grey, resize to S x S, normalise to [0, 1]. Broken items are collected with the file at fault
 * instead of failing the whole dataset.
 */
import { Sample } from '../types';
import { ArrayCache, CachedArrays } from './cache';
import { mapLimit } from './concurrency';
import { ItemError, oneLine } from './errors';
import { resizeImage, resizeMask } from './image/resize';
import { SourceItem } from './source';

export interface PrepareOptions {
  size: number;
  cache?: ArrayCache;
  /** Items decoded at once (default 4). */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface PrepareStats {
  fromCache: number;
  decoded: number;
  /** Cache entries that could not be written (the load still succeeds). */
  cacheWriteErrors: number;
}

export interface PrepareResult {
  samples: Sample[];
  failures: { file: string; reason: string }[];
  stats: PrepareStats;
}

function countLesionPixels(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i];
  return n;
}

async function arraysFor(item: SourceItem, opts: PrepareOptions, stats: PrepareStats): Promise<CachedArrays> {
  const { size, cache } = opts;
  const key = cache && item.files.length > 0 ? await cache.keyFor(item.files, size) : undefined;
  if (cache && key) {
    const hit = await cache.get(key, size);
    if (hit) {
      stats.fromCache++;
      return hit;
    }
  }
  const raw = await item.read();
  stats.decoded++;
  const arrays: CachedArrays = {
    width: raw.width,
    height: raw.height,
    lesionPixels: countLesionPixels(raw.mask),
    size,
    image: resizeImage(raw.image, raw.width, raw.height, size),
    mask: resizeMask(raw.mask, raw.width, raw.height, size),
  };
  if (cache && key) {
    try {
      await cache.put(key, arrays);
    } catch {
      stats.cacheWriteErrors++;
    }
  }
  return arrays;
}

export async function prepareSamples(items: readonly SourceItem[], opts: PrepareOptions): Promise<PrepareResult> {
  const stats: PrepareStats = { fromCache: 0, decoded: 0, cacheWriteErrors: 0 };
  const failures: PrepareResult['failures'] = [];
  let done = 0;
  const prepared = await mapLimit(
    items,
    opts.concurrency ?? 4,
    async (item): Promise<Sample | undefined> => {
      try {
        const a = await arraysFor(item, opts, stats);
        const label = item.labelFromMask ? (a.lesionPixels > 0 ? 'benign' : 'normal') : item.label;
        return { id: item.id, patientId: item.patientId, label, size: opts.size, image: a.image, mask: a.mask, original: { width: a.width, height: a.height }, meta: item.meta };
      } catch (err) {
        const file = err instanceof ItemError ? err.file : (item.files[0] ?? item.id);
        const reason = oneLine(err);
        failures.push({ file, reason: reason.startsWith(file) ? reason.slice(file.length).replace(/^:\s*/, '') : reason });
        return undefined;
      } finally {
        opts.onProgress?.(++done, items.length);
      }
    },
    opts.signal,
  );
  failures.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { samples: prepared.filter((s): s is Sample => s !== undefined), failures, stats };
}
