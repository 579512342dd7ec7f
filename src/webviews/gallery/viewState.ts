/**
 * What the Mask Gallery shows, as plain data changed only by the functions below: the active
 * dataset tab, each tab's own filter, search and page, the shared sort, and the open detail.
 * Pure (no DOM), so the click sequences of issue 18's state bugs are unit-tested:
 *  - a snapshot (every refresh, e.g. after picking a compare run) keeps the tab the user is on;
 *    only a snapshot that asks for a tab (the host's one-shot `activeDataset`) switches to it;
 *  - a filter belongs to its tab: switching tabs never carries "normal" into a dataset without
 *    normal images.
 */
import { isDeltaFilter, isSortKey, DEFAULT_SORT, type DeltaFilter, type ItemLabel, type SortKey } from './viewModel';

export interface DatasetView {
  label: ItemLabel | 'all';
  search: string;
  page: number;
  delta: DeltaFilter;
}

export interface GalleryViewState {
  active: string | undefined;
  sort: SortKey;
  /** Per dataset slug; a tab without an entry shows everything. */
  views: Record<string, DatasetView>;
  /** The image whose detail is open (in the active tab), or null for the grid. */
  detailId: string | null;
}

export const DEFAULT_VIEW: DatasetView = { label: 'all', search: '', page: 0, delta: 'all' };

const LABEL_FILTERS = ['all', 'benign', 'malignant', 'normal', 'unknown'] as const;

function parseView(raw: unknown): DatasetView | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const o = raw as Record<string, unknown>;
  return {
    label: LABEL_FILTERS.find((l) => l === o.label) ?? 'all',
    search: typeof o.search === 'string' ? o.search.slice(0, 500) : '',
    page: typeof o.page === 'number' && Number.isInteger(o.page) && o.page >= 0 ? o.page : 0,
    delta: isDeltaFilter(o.delta) ? o.delta : 'all',
  };
}

/** The state kept in `vscode.setState` back as a view state (anything malformed falls back to defaults). */
export function restoreViewState(saved: { dataset?: unknown; sort?: unknown; views?: unknown; label?: unknown; search?: unknown; page?: unknown }): GalleryViewState {
  const views: Record<string, DatasetView> = {};
  if (typeof saved.views === 'object' && saved.views !== null) {
    for (const [slug, v] of Object.entries(saved.views as Record<string, unknown>)) {
      const parsed = parseView(v);
      if (parsed) views[slug] = parsed;
    }
  }
  const active = typeof saved.dataset === 'string' ? saved.dataset : undefined;
  // State saved before views were kept per tab: its filter belonged to the tab it was saved on.
  if (active && !views[active] && (saved.label !== undefined || saved.search !== undefined || saved.page !== undefined)) {
    const legacy = parseView({ label: saved.label, search: saved.search, page: saved.page });
    if (legacy) views[active] = legacy;
  }
  return { active, sort: isSortKey(saved.sort) ? saved.sort : DEFAULT_SORT, views, detailId: null };
}

/** The active tab's filter, search and page. */
export function activeView(s: GalleryViewState): DatasetView {
  return (s.active !== undefined && s.views[s.active]) || DEFAULT_VIEW;
}

/** The user picked a tab: its own filter comes back, the detail closes. */
export function selectDataset(s: GalleryViewState, slug: string): GalleryViewState {
  if (slug === s.active) return s;
  return { ...s, active: slug, detailId: null };
}

/** Changes the active tab's filter, search or page (a filter or search change goes back to page 1). */
export function updateView(s: GalleryViewState, patch: Partial<DatasetView>): GalleryViewState {
  if (s.active === undefined) return s;
  const current = activeView(s);
  const resetsPage = patch.label !== undefined || patch.search !== undefined || patch.delta !== undefined;
  const next: DatasetView = { ...current, ...patch, ...(resetsPage && patch.page === undefined ? { page: 0 } : {}) };
  return { ...s, views: { ...s.views, [s.active]: next } };
}

export function setSort(s: GalleryViewState, sort: SortKey): GalleryViewState {
  const views = Object.fromEntries(Object.entries(s.views).map(([k, v]) => [k, { ...v, page: 0 }]));
  return { ...s, sort, views };
}

export function openDetail(s: GalleryViewState, imageId: string | null): GalleryViewState {
  return { ...s, detailId: imageId };
}

/**
 * A snapshot arrived with these dataset slugs. `requested` is the host's one-shot request for a
 * tab (the gallery was opened on a dataset, or asked to show one); without it the tab the user is
 * on stays, and so does an open detail whose image is still there. A tab that is gone falls back
 * to the first.
 */
export function applySnapshot(s: GalleryViewState, datasets: readonly { slug: string; ids: ReadonlySet<string> }[], requested?: string): GalleryViewState {
  let active = s.active;
  if (requested !== undefined && datasets.some((d) => d.slug === requested)) active = requested;
  if (!datasets.some((d) => d.slug === active)) active = datasets[0]?.slug;
  const ds = datasets.find((d) => d.slug === active);
  const keepDetail = active === s.active && s.detailId !== null && ds?.ids.has(s.detailId) === true;
  return { ...s, active, detailId: keepDetail ? s.detailId : null };
}

/** Switches to a dataset's tab with one image's detail open (another panel asked for it). */
export function showImage(s: GalleryViewState, slug: string, imageId: string): GalleryViewState {
  return { ...selectDataset(s, slug), detailId: imageId };
}
