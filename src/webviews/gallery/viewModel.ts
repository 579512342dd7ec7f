/**
 * Mask-gallery view model: gallery items (per_image.csv rows, which the host reads through
 * engine/runs), sort, filter, search, pagination and matching two runs' items. Pure: no DOM, no
 * Node, no vscode.
 */
export type ItemLabel = 'benign' | 'malignant' | 'normal' | 'unknown';

export interface FeaturePair {
  true: number | null;
  pred: number | null;
}

export interface GalleryItem {
  id: string;
  /** Source file name as per_image.csv gives it. */
  file: string;
  /** Base name (with .png) of the image under images/, masks/, truth/, prob/. */
  png: string;
  label: ItemLabel;
  dice: number | null;
  iou: number | null;
  hd95: number | null;
  precision: number | null;
  recall: number | null;
  pMalignant: number | null;
  /** BI-RADS feature values for the true and the predicted mask, by feature name. */
  features: Record<string, FeaturePair>;
  /** Other per-image numbers (size, areas, phi_pred, phi_true), by per_image.csv column name. */
  extra: Record<string, number | null>;
}

export function parseNumber(s: string | undefined): number | null {
  if (s === undefined) return null;
  const t = s.trim();
  if (t === '' || /^(nan|na|null|none|inf|-inf|infinity|-infinity)$/i.test(t)) return null;
  const v = Number(t);
  return Number.isFinite(v) ? v : null;
}

/** Strips any folder and the extension: "a/b/case 1.bmp" -> "case 1". */
export function stem(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

export type SortKey = 'dice-asc' | 'dice-desc' | 'iou-asc' | 'iou-desc' | 'hd95-desc' | 'pMalignant-desc' | 'pMalignant-asc' | 'file';
export const SORT_KEYS: readonly SortKey[] = ['dice-asc', 'dice-desc', 'iou-asc', 'iou-desc', 'hd95-desc', 'pMalignant-desc', 'pMalignant-asc', 'file'];
export const SORT_LABELS: Record<SortKey, string> = {
  'dice-asc': 'Dice (worst first)',
  'dice-desc': 'Dice (best first)',
  'iou-asc': 'IoU (worst first)',
  'iou-desc': 'IoU (best first)',
  'hd95-desc': 'HD95 (worst first)',
  'pMalignant-desc': 'P(malignant) (highest first)',
  'pMalignant-asc': 'P(malignant) (lowest first)',
  file: 'File name',
};
export const DEFAULT_SORT: SortKey = 'dice-asc';

export function isSortKey(v: unknown): v is SortKey {
  return typeof v === 'string' && (SORT_KEYS as readonly string[]).includes(v);
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/**
 * Sorts a copy of the items. Missing values (null) always go last, whatever the direction; ties
 * break by file name so the order is stable across reloads.
 */
export function sortItems(items: readonly GalleryItem[], key: SortKey): GalleryItem[] {
  const byFile = (a: GalleryItem, b: GalleryItem) => collator.compare(a.file, b.file) || collator.compare(a.id, b.id);
  if (key === 'file') return [...items].sort(byFile);
  const [field, dir] = key.split('-') as ['dice' | 'iou' | 'hd95' | 'pMalignant', 'asc' | 'desc'];
  const sign = dir === 'asc' ? 1 : -1;
  return [...items].sort((a, b) => {
    const va = a[field];
    const vb = b[field];
    if (va === null && vb === null) return byFile(a, b);
    if (va === null) return 1;
    if (vb === null) return -1;
    return (va - vb) * sign || byFile(a, b);
  });
}

export interface ItemFilter {
  label?: ItemLabel | 'all';
  /** Words matched case-insensitively against the file name and id; all must match. */
  search?: string;
}

export function filterItems(items: readonly GalleryItem[], f: ItemFilter): GalleryItem[] {
  const words = (f.search ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  return items.filter((it) => {
    if (f.label && f.label !== 'all' && it.label !== f.label) return false;
    if (words.length) {
      const hay = `${it.file} ${it.id}`.toLowerCase();
      if (!words.every((w) => hay.includes(w))) return false;
    }
    return true;
  });
}

export interface Page<T> {
  page: number;
  pageCount: number;
  total: number;
  start: number;
  items: T[];
}

/** One page (0-based, clamped to the last page). */
export function paginate<T>(items: readonly T[], page: number, pageSize: number): Page<T> {
  const size = Math.max(1, Math.floor(pageSize));
  const pageCount = Math.max(1, Math.ceil(items.length / size));
  const p = Math.min(Math.max(0, Math.floor(Number.isFinite(page) ? page : 0)), pageCount - 1);
  const start = p * size;
  return { page: p, pageCount, total: items.length, start, items: items.slice(start, start + size) };
}

/** Sorted, filtered and paged in one step (what the grid shows). */
export function galleryView(items: readonly GalleryItem[], opts: { sort: SortKey; filter: ItemFilter; page: number; pageSize: number }): Page<GalleryItem> {
  return paginate(sortItems(filterItems(items, opts.filter), opts.sort), opts.page, opts.pageSize);
}

/** Label counts for the filter control. */
export function labelCounts(items: readonly GalleryItem[]): Record<ItemLabel, number> {
  const c: Record<ItemLabel, number> = { benign: 0, malignant: 0, normal: 0, unknown: 0 };
  for (const it of items) c[it.label]++;
  return c;
}

/** Index of a second run's items by id (and by file stem as fallback), to compare the same image. */
export function indexForCompare(items: readonly GalleryItem[]): (item: GalleryItem) => GalleryItem | undefined {
  const byId = new Map<string, GalleryItem>();
  const byStem = new Map<string, GalleryItem>();
  for (const it of items) {
    byId.set(it.id, it);
    byStem.set(stem(it.file), it);
  }
  return (item) => byId.get(item.id) ?? byStem.get(stem(item.file));
}

export function formatMetric(v: number | null, digits = 3): string {
  return v === null || !Number.isFinite(v) ? '–' : v.toFixed(digits);
}
