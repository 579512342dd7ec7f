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

export type SortKey = 'dice-asc' | 'dice-desc' | 'iou-asc' | 'iou-desc' | 'hd95-desc' | 'delta-asc' | 'delta-desc' | 'pMalignant-desc' | 'pMalignant-asc' | 'file';
export const SORT_KEYS: readonly SortKey[] = ['dice-asc', 'dice-desc', 'iou-asc', 'iou-desc', 'hd95-desc', 'delta-asc', 'delta-desc', 'pMalignant-desc', 'pMalignant-asc', 'file'];
export const SORT_LABELS: Record<SortKey, string> = {
  'dice-asc': 'Dice (worst first)',
  'dice-desc': 'Dice (best first)',
  'iou-asc': 'IoU (worst first)',
  'iou-desc': 'IoU (best first)',
  'hd95-desc': 'HD95 (worst first)',
  'delta-asc': 'Dice(A) − Dice(B) (B better first)',
  'delta-desc': 'Dice(A) − Dice(B) (A better first)',
  'pMalignant-desc': 'P(malignant) (highest first)',
  'pMalignant-asc': 'P(malignant) (lowest first)',
  file: 'File name',
};
/** Sorts that need a second run. */
export const PAIRED_SORT_KEYS: readonly SortKey[] = ['delta-asc', 'delta-desc'];

/**
 * An image without a tumour (a normal image, or an empty true mask and no Dice): Dice says nothing
 * there, its false-positive area does. Such images sort as their own group after the lesion images.
 */
export function isNormalItem(it: GalleryItem): boolean {
  // An empty true mask with no Dice at all (nothing predicted either) counts too; a missing
  // truthArea column reads as 0, so an area of 0 alone says nothing.
  return it.label === 'normal' || (it.extra.truthArea === 0 && it.dice === null);
}

/** "FP area 64 px" or "no FP" for an image without a tumour; "FP area –" when per_image.csv lacks the column. */
export function falsePositiveText(it: GalleryItem): string {
  const a = it.extra.falsePositiveArea ?? null;
  if (a === null) return 'FP area –';
  return a > 0 ? `FP area ${Math.round(a)} px` : 'no FP';
}

/** Dice of the first run minus Dice of the second on the same image (null when either is missing or the image has no tumour). */
export type PairedDice = (it: GalleryItem) => number | null;

export function pairedDiceOf(findOther: ((it: GalleryItem) => GalleryItem | undefined) | undefined): PairedDice | undefined {
  if (!findOther) return undefined;
  return (it) => {
    if (isNormalItem(it) || it.dice === null) return null;
    const other = findOther(it);
    return other && other.dice !== null ? it.dice - other.dice : null;
  };
}
export const DEFAULT_SORT: SortKey = 'dice-asc';

export function isSortKey(v: unknown): v is SortKey {
  return typeof v === 'string' && (SORT_KEYS as readonly string[]).includes(v);
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/**
 * Sorts a copy of the items. Missing values (null) always go last, whatever the direction; ties
 * break by file name so the order is stable across reloads.
 */
export function sortItems(items: readonly GalleryItem[], key: SortKey, paired?: PairedDice): GalleryItem[] {
  const byFile = (a: GalleryItem, b: GalleryItem) => collator.compare(a.file, b.file) || collator.compare(a.id, b.id);
  if (key === 'file') return [...items].sort(byFile);
  const [field, dir] = key.split('-') as ['dice' | 'iou' | 'hd95' | 'delta' | 'pMalignant', 'asc' | 'desc'];
  const sign = dir === 'asc' ? 1 : -1;
  const value = (it: GalleryItem): number | null => (field === 'delta' ? (paired ? paired(it) : null) : it[field]);
  // Segmentation sorts: images without a tumour form their own group after the lesion images,
  // largest false-positive area first, so they never sort among real misses.
  const grouped = field !== 'pMalignant';
  const fp = (it: GalleryItem) => it.extra.falsePositiveArea ?? -1;
  return [...items].sort((a, b) => {
    if (grouped) {
      const na = isNormalItem(a);
      const nb = isNormalItem(b);
      if (na !== nb) return na ? 1 : -1;
      if (na) return fp(b) - fp(a) || byFile(a, b);
    }
    const va = value(a);
    const vb = value(b);
    if (va === null && vb === null) return byFile(a, b);
    if (va === null) return 1;
    if (vb === null) return -1;
    return (va - vb) * sign || byFile(a, b);
  });
}

/** Which paired differences to keep: any, A better than B by at least `min`, B better by at least `min`, or |Δ| >= min. */
export type DeltaFilter = 'all' | 'a-better' | 'b-better' | 'differ';
export const DELTA_FILTERS: readonly DeltaFilter[] = ['all', 'a-better', 'b-better', 'differ'];
export function isDeltaFilter(v: unknown): v is DeltaFilter {
  return typeof v === 'string' && (DELTA_FILTERS as readonly string[]).includes(v);
}
/** The smallest Dice difference the paired filters count as a difference. */
export const DELTA_MIN = 0.05;

export interface ItemFilter {
  label?: ItemLabel | 'all';
  /** Words matched case-insensitively against the file name and id; all must match. */
  search?: string;
  /** Paired Dice difference (needs `paired`); images without one are dropped by any filter but 'all'. */
  delta?: DeltaFilter;
  paired?: PairedDice;
}

export function filterItems(items: readonly GalleryItem[], f: ItemFilter): GalleryItem[] {
  const words = (f.search ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  const delta = f.delta && f.delta !== 'all' && f.paired ? f.delta : undefined;
  return items.filter((it) => {
    if (f.label && f.label !== 'all' && it.label !== f.label) return false;
    if (delta) {
      const d = f.paired!(it);
      if (d === null) return false;
      if (delta === 'a-better' && d < DELTA_MIN) return false;
      if (delta === 'b-better' && d > -DELTA_MIN) return false;
      if (delta === 'differ' && Math.abs(d) < DELTA_MIN) return false;
    }
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
  return paginate(sortItems(filterItems(items, opts.filter), opts.sort, opts.filter.paired), opts.page, opts.pageSize);
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

/** The scale of each built-in feature, shown after its name ("Shape irregularity (0–1, 0 = disc)"). */
const FEATURE_SCALES: Record<string, string> = {
  shapeIrregularity: '0–1, 0 = disc',
  orientation: '0–1, > 0.5 not parallel to the skin',
  marginIrregularity: 'excess contour length ratio, 0 = ellipse',
  ellipseDeviation: '0–1, 0 = ellipse',
};

/** A feature's readable name with its scale; a feature nobody describes gets its id split into words. */
export function featureDisplayName(id: string, label?: string): string {
  const name = label && label !== id ? label : id.replace(/([a-z0-9])([A-Z])/g, (_, a: string, b: string) => `${a} ${b.toLowerCase()}`).replace(/^./, (c) => c.toUpperCase());
  const scale = FEATURE_SCALES[id];
  return scale ? `${name} (${scale})` : name;
}

/** The columns of the gallery's CSV export of a filtered list (one row per image, in the shown order). */
export function listCsvRows(items: readonly GalleryItem[], features: readonly string[], paired?: PairedDice): { header: string[]; rows: (string | number | null)[][] } {
  const header = ['id', 'file', 'label', 'dice', 'iou', 'hd95', 'precision', 'recall', 'falsePositiveArea', 'pMalignant', 'phi_pred', 'phi_true', ...(paired ? ['diceA_minus_diceB'] : []), ...features.flatMap((f) => [`true_${f}`, `pred_${f}`])];
  const rows = items.map((it) => [
    it.id,
    it.file,
    it.label,
    it.dice,
    it.iou,
    it.hd95,
    it.precision,
    it.recall,
    it.extra.falsePositiveArea ?? null,
    it.pMalignant,
    it.extra.phi_pred ?? null,
    it.extra.phi_true ?? null,
    ...(paired ? [paired(it)] : []),
    ...features.flatMap((f) => [it.features[f]?.true ?? null, it.features[f]?.pred ?? null]),
  ]);
  return { header, rows };
}

export function formatMetric(v: number | null, digits = 3): string {
  return v === null || !Number.isFinite(v) ? '–' : v.toFixed(digits);
}
