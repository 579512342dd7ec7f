/**
 * Mask Gallery (webview client): one tab per evaluated dataset; a paged grid of thumbnails, each
 * the ultrasound image with the true and the predicted contour; sort, label filter, search; a
 * detail view with mask / prediction / heat-map toggles, BI-RADS features true vs predicted, and
 * a second run side by side. Images come from the runs folder through webview URIs, lazily.
 */
import { adoptCss } from '../../common/adoptCss';
import '../../common/elements';
import css from '../../common/styles.css';
import galleryCss from './gallery.css';
import { button, checkbox, select } from '../../common/elements';
import { announce, clear, debounce, h } from '../../common/dom';
import { createBridge } from '../../common/bridge';
import type { GalleryDataset, GalleryRunData, GalleryState, GalleryToHost, HostToGallery, RunOption } from '../../protocol';
import {
  DEFAULT_SORT,
  SORT_KEYS,
  SORT_LABELS,
  filterItems,
  formatMetric,
  indexForCompare,
  isSortKey,
  labelCounts,
  paginate,
  sortItems,
  type GalleryItem,
  type ItemLabel,
  type SortKey,
} from '../viewModel';
import { heatmapRgba, maskContour, maskFromRgba, paintMask, parseHex } from '../../common/masks';

adoptCss(css);
adoptCss(galleryCss);

const bridge = createBridge<GalleryToHost, HostToGallery, GalleryState>();
const saved = bridge.getState();

let runs: RunOption[] = [];
let primary: GalleryRunData | null = null;
let compare: GalleryRunData | null = null;
let active: string | undefined = saved.dataset;
let sort: SortKey = isSortKey(saved.sort) ? saved.sort : DEFAULT_SORT;
let labelFilter: ItemLabel | 'all' = (['all', 'benign', 'malignant', 'normal', 'unknown'] as const).find((l) => l === saved.label) ?? 'all';
let search = typeof saved.search === 'string' ? saved.search : '';
let page = typeof saved.page === 'number' ? saved.page : 0;
let pageSize = 48;
let detailId: string | null = null;
const toggles = { truth: true, pred: true, prob: false };

const TRUTH = '#00e5ff';
const PRED = '#ff3df2';

function persist(): void {
  if (!primary) return;
  bridge.setState({ runId: primary.run.id, dataset: active, compareRunId: compare?.run.id ?? null, sort, label: labelFilter, search, page });
}

// ------------------------------------------------------------------------------ images

const imageCache = new Map<string, Promise<HTMLImageElement>>();
const MAX_CACHE = 400;

function loadImage(url: string): Promise<HTMLImageElement> {
  let p = imageCache.get(url);
  if (p) {
    imageCache.delete(url);
    imageCache.set(url, p);
    return p;
  }
  p = new Promise<HTMLImageElement>((resolve, reject) => {
    const img = new Image();
    // Webview resources are served with Access-Control-Allow-Origin: *, so pixels stay readable.
    img.crossOrigin = 'anonymous';
    img.decoding = 'async';
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error(`could not load ${url}`));
    img.src = url;
  });
  p.catch(() => imageCache.delete(url));
  imageCache.set(url, p);
  while (imageCache.size > MAX_CACHE) imageCache.delete(imageCache.keys().next().value as string);
  return p;
}

function fileUrl(ds: GalleryDataset, folder: 'images' | 'masks' | 'truth' | 'prob', item: GalleryItem): string {
  return `${ds.baseUri}/${folder}/${encodeURIComponent(item.png)}`;
}

/** A small concurrency limiter so a page of thumbnails does not start 150 loads at once. */
function limiter(max: number) {
  let running = 0;
  const queue: (() => void)[] = [];
  const next = () => {
    if (running >= max || queue.length === 0) return;
    running++;
    queue.shift()!();
  };
  return <T>(task: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      queue.push(() => {
        task()
          .then(resolve, reject)
          .finally(() => {
            running--;
            next();
          });
      });
      next();
    });
}
const limit = limiter(6);

function rgbaOf(img: HTMLImageElement, w: number, hgt: number): Uint8ClampedArray {
  const c = document.createElement('canvas');
  c.width = w;
  c.height = hgt;
  const ctx = c.getContext('2d', { willReadFrequently: true })!;
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(img, 0, 0, w, hgt);
  return ctx.getImageData(0, 0, w, hgt).data;
}

/** Draws an overlay (RGBA computed at w x h) onto ctx at the given rectangle. */
function drawOverlay(ctx: CanvasRenderingContext2D, w: number, hgt: number, fill: (out: Uint8ClampedArray) => void, dx: number, dy: number): void {
  const c = document.createElement('canvas');
  c.width = w;
  c.height = hgt;
  const octx = c.getContext('2d')!;
  const data = octx.createImageData(w, hgt);
  fill(data.data);
  octx.putImageData(data, 0, 0);
  ctx.drawImage(c, dx, dy);
}

function contourLayer(ctx: CanvasRenderingContext2D, mask: HTMLImageElement, color: string, w: number, hgt: number, dx: number, dy: number, thickness: number, fillAlpha = 0): void {
  const m = maskFromRgba(rgbaOf(mask, w, hgt), w, hgt);
  if (fillAlpha > 0) drawOverlay(ctx, w, hgt, (out) => paintMask(m, parseHex(color), fillAlpha, out), dx, dy);
  const edge = maskContour(m, w, hgt, thickness);
  drawOverlay(ctx, w, hgt, (out) => paintMask(edge, parseHex(color), 255, out), dx, dy);
}

interface DrawOptions {
  truth: boolean;
  pred: boolean;
  prob: boolean;
  thickness: number;
  fillAlpha: number;
}

/** Draws image + overlays into `canvas` (contain-fit when `box` is given, else natural size). */
async function drawItem(canvas: HTMLCanvasElement, ds: GalleryDataset, item: GalleryItem, opts: DrawOptions, box?: number): Promise<void> {
  canvas.setAttribute('data-loaded', 'false');
  const img = await loadImage(fileUrl(ds, 'images', item));
  const [truth, pred, prob] = await Promise.all([
    opts.truth && ds.has.truth ? loadImage(fileUrl(ds, 'truth', item)).catch(() => undefined) : undefined,
    opts.pred && ds.has.masks ? loadImage(fileUrl(ds, 'masks', item)).catch(() => undefined) : undefined,
    opts.prob && ds.has.prob ? loadImage(fileUrl(ds, 'prob', item)).catch(() => undefined) : undefined,
  ]);
  const dpr = box ? Math.min(2, window.devicePixelRatio || 1) : 1;
  const cw = box ? Math.round(box * dpr) : img.naturalWidth;
  const ch = box ? Math.round(box * dpr) : img.naturalHeight;
  const scale = Math.min(cw / img.naturalWidth, ch / img.naturalHeight);
  const w = Math.max(1, Math.round(img.naturalWidth * scale));
  const hgt = Math.max(1, Math.round(img.naturalHeight * scale));
  const dx = Math.floor((cw - w) / 2);
  const dy = Math.floor((ch - hgt) / 2);
  canvas.width = cw;
  canvas.height = ch;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, cw, ch);
  ctx.drawImage(img, dx, dy, w, hgt);
  try {
    if (prob) drawOverlay(ctx, w, hgt, (out) => heatmapRgba(rgbaOf(prob, w, hgt), out), dx, dy);
    if (truth) contourLayer(ctx, truth, TRUTH, w, hgt, dx, dy, opts.thickness, opts.fillAlpha);
    if (pred) contourLayer(ctx, pred, PRED, w, hgt, dx, dy, opts.thickness, opts.fillAlpha);
  } catch (e) {
    // A tainted canvas (no CORS) cannot be read back: show the image without overlays.
    bridge.log('warn', `overlay failed for ${item.file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  canvas.setAttribute('data-loaded', 'true');
  canvas.setAttribute('data-overlays', [truth && 'truth', pred && 'pred', prob && 'prob'].filter(Boolean).join(' '));
}

// ------------------------------------------------------------------------------ layout

const app = document.getElementById('app')!;
clear(app);
app.removeAttribute('aria-busy');
const title = h('h1', { 'data-testid': 'gallery-title' }, 'Mask Gallery');
const errorBox = h('div', { class: 'error-banner', role: 'alert', hidden: true, 'data-testid': 'error' });
const compareSlot = h('div', {});
const tabs = h('vscode-tabs', { 'data-testid': 'dataset-tabs', 'aria-label': 'External datasets' });
const controls = h('div', { class: 'toolbar' });
const legend = h(
  'div',
  { class: 'legend', 'data-testid': 'legend' },
  h('span', {}, h('span', { class: 'swatch truth' }), 'True contour'),
  h('span', {}, h('span', { class: 'swatch pred' }), 'Predicted contour'),
);
const pageInfo = h('span', { 'data-testid': 'page-info', 'aria-live': 'polite' });
const prevBtn = button('page-prev', 'Previous page', () => goPage(page - 1), { secondary: true });
const nextBtn = button('page-next', 'Next page', () => goPage(page + 1), { secondary: true });
const pager = h('div', { class: 'pager' }, prevBtn, pageInfo, nextBtn);
const grid = h('div', { class: 'thumb-grid', 'data-testid': 'thumb-grid', role: 'list' });
const gridSection = h('section', { 'data-testid': 'grid-section' }, legend, pager, grid);
const detail = h('section', { class: 'detail', 'data-testid': 'detail', hidden: true, role: 'region', 'aria-label': 'Image detail' });
const content = h('div', {}, controls, gridSection, detail);
const empty = h('p', { class: 'empty', 'data-testid': 'empty', hidden: true }, 'This run has no evaluated datasets yet (eval/<dataset>/per_image.csv).');

app.append(title, h('div', { class: 'toolbar' }, compareSlot), errorBox, empty, tabs, h('div', { id: 'announcer', class: 'visually-hidden', 'aria-live': 'polite' }));

tabs.addEventListener('vsc-tabs-select', (ev) => {
  const idx = (ev as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex;
  const ds = primary?.datasets[idx];
  if (ds && ds.slug !== active) {
    active = ds.slug;
    page = 0;
    closeDetail(false);
    placeContent();
    renderControls();
    renderGrid();
    persist();
  }
});

function activeDataset(): GalleryDataset | undefined {
  return primary?.datasets.find((d) => d.slug === active);
}
function compareDataset(): GalleryDataset | undefined {
  return compare?.datasets.find((d) => d.slug === active);
}

function renderTabs(): void {
  clear(tabs);
  if (!primary) return;
  primary.datasets.forEach((ds) => {
    tabs.append(h('vscode-tab-header', { slot: 'header', 'data-testid': 'dataset-tab', 'data-dataset': ds.slug }, `${ds.name} (${ds.items.length})`));
  });
  primary.datasets.forEach((ds) => tabs.append(h('vscode-tab-panel', { 'data-dataset': ds.slug })));
  const idx = Math.max(0, primary.datasets.findIndex((d) => d.slug === active));
  tabs.setAttribute('selected-index', String(idx));
  (tabs as unknown as { selectedIndex: number }).selectedIndex = idx;
}

/** The controls and grid live in the active tab's panel. */
function placeContent(): void {
  const panel = [...tabs.querySelectorAll<HTMLElement>('vscode-tab-panel')].find((p) => p.getAttribute('data-dataset') === active);
  if (panel && content.parentElement !== panel) panel.append(content);
}

function renderCompareSelect(): void {
  clear(compareSlot);
  if (!primary) return;
  const others = runs.filter((r) => r.id !== primary!.run.id && r.evaluated.length > 0);
  const options = [{ value: '', label: 'None' }, ...others.map((r) => ({ value: r.id, label: `${r.name} · ${r.method || '?'}` }))];
  const { root } = select('compare-run', 'Compare with run', options, compare?.run.id ?? '', (v) => {
    bridge.post({ type: 'selectCompareRun', runId: v || null });
  });
  compareSlot.append(root);
  legend.querySelector('.compare-legend')?.remove();
  if (compare) legend.append(h('span', { class: 'compare-legend' }, `Second run: ${compare.run.name}${compareDataset() ? '' : ' (not evaluated on this dataset)'}`));
}

function renderControls(): void {
  clear(controls);
  const ds = activeDataset();
  if (!ds) return;
  const counts = labelCounts(ds.items);
  controls.append(
    select(
      'sort',
      'Sort by',
      SORT_KEYS.map((k) => ({ value: k, label: SORT_LABELS[k] })),
      sort,
      (v) => {
        if (isSortKey(v)) {
          sort = v;
          page = 0;
          renderGrid();
          persist();
        }
      },
    ).root,
    select(
      'label-filter',
      'True label',
      [
        { value: 'all', label: `All (${ds.items.length})` },
        ...(['benign', 'malignant', 'normal', 'unknown'] as const).filter((l) => counts[l] > 0).map((l) => ({ value: l, label: `${l} (${counts[l]})` })),
      ],
      labelFilter,
      (v) => {
        labelFilter = v as ItemLabel | 'all';
        page = 0;
        renderGrid();
        persist();
      },
    ).root,
    (() => {
      const tf = h('vscode-textfield', { id: 'search', 'data-testid': 'search', placeholder: 'File name contains…', value: search, 'aria-label': 'Search by file name' });
      const onInput = debounce(() => {
        search = (tf as unknown as { value: string }).value;
        page = 0;
        renderGrid();
        persist();
      }, 150);
      tf.addEventListener('input', onInput);
      return h('div', { class: 'field grow' }, h('label', { for: 'search' }, 'Search'), tf);
    })(),
    select(
      'page-size',
      'Per page',
      [24, 48, 96, 192].map((n) => ({ value: String(n), label: String(n) })),
      String(pageSize),
      (v) => {
        pageSize = Number(v) || 48;
        page = 0;
        renderGrid();
      },
    ).root,
  );
}

function currentList(): GalleryItem[] {
  const ds = activeDataset();
  return ds ? sortItems(filterItems(ds.items, { label: labelFilter, search }), sort) : [];
}

let observer: IntersectionObserver | undefined;

function renderGrid(): void {
  observer?.disconnect();
  clear(grid);
  const ds = activeDataset();
  if (!ds) return;
  const list = currentList();
  const pg = paginate(list, page, pageSize);
  page = pg.page;
  pageInfo.textContent = pg.total === 0 ? 'No images match' : `Page ${pg.page + 1} of ${pg.pageCount} · images ${pg.start + 1}–${pg.start + pg.items.length} of ${pg.total}`;
  prevBtn.toggleAttribute('disabled', pg.page === 0);
  nextBtn.toggleAttribute('disabled', pg.page >= pg.pageCount - 1);
  grid.setAttribute('data-total', String(pg.total));
  const cmp = compareDataset();
  const findCmp = cmp ? indexForCompare(cmp.items) : undefined;
  const thumbSize = 160;
  observer = new IntersectionObserver(
    (entries) => {
      for (const e of entries) {
        if (!e.isIntersecting) continue;
        observer?.unobserve(e.target);
        const card = e.target as HTMLElement;
        const item = ds.items.find((it) => it.id === card.dataset.id);
        const canvas = card.querySelector('canvas');
        if (!item || !canvas) continue;
        void limit(() => drawItem(canvas, ds, item, { truth: true, pred: true, prob: false, thickness: 2, fillAlpha: 0 }, thumbSize)).catch((err: unknown) => {
          canvas.setAttribute('data-loaded', 'error');
          bridge.log('warn', err instanceof Error ? err.message : String(err));
        });
      }
    },
    { rootMargin: '300px' },
  );
  for (const item of pg.items) {
    const other = findCmp?.(item);
    const canvas = h('canvas', { 'data-testid': 'thumb', 'data-loaded': 'false', width: thumbSize, height: thumbSize, 'aria-hidden': 'true' });
    const card = h(
      'figure',
      {
        class: 'thumb-card',
        role: 'listitem',
        tabindex: 0,
        'data-testid': 'thumb-card',
        'data-id': item.id,
        'data-file': item.file,
        'data-label': item.label,
        'data-dice': item.dice ?? '',
        'aria-label': `${item.file}, Dice ${formatMetric(item.dice)}, ${item.label}, predicted P(malignant) ${formatMetric(item.pMalignant, 2)}. Press Enter for details.`,
      },
      canvas,
      h(
        'figcaption',
        {},
        h('span', { class: 'file', title: item.file }, item.file),
        h('span', { 'data-testid': 'thumb-dice' }, `Dice ${formatMetric(item.dice)}`),
        h('span', { class: `label-${item.label}` }, item.label),
        h('span', { title: 'Predicted probability of malignancy' }, `P(mal) ${formatMetric(item.pMalignant, 2)}`),
        other ? h('span', { class: 'muted', title: `Dice of ${compare?.run.name}` }, `B: ${formatMetric(other.dice)}`) : null,
      ),
    );
    card.addEventListener('click', () => openDetail(item.id));
    card.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        openDetail(item.id);
      }
    });
    grid.append(card);
    observer.observe(card);
  }
}

function goPage(p: number): void {
  page = Math.max(0, p);
  renderGrid();
  persist();
  grid.querySelector<HTMLElement>('.thumb-card')?.focus();
}

// ------------------------------------------------------------------------------ detail

function featureTable(ds: GalleryDataset, item: GalleryItem, other: GalleryItem | undefined): HTMLElement {
  const head = h('tr', {}, h('th', { scope: 'col' }, 'BI-RADS feature'), h('th', { scope: 'col' }, 'True mask'), h('th', { scope: 'col' }, 'Predicted mask'));
  if (other) head.append(h('th', { scope: 'col' }, `Predicted (${compare?.run.name})`));
  const body = h('tbody', {});
  for (const f of ds.features) {
    const row = h('tr', { 'data-feature': f }, h('th', { scope: 'row' }, f), h('td', { 'data-testid': 'feature-true' }, formatMetric(item.features[f]?.true ?? null)), h('td', { 'data-testid': 'feature-pred' }, formatMetric(item.features[f]?.pred ?? null)));
    if (other) row.append(h('td', {}, formatMetric(other.features[f]?.pred ?? null)));
    body.append(row);
  }
  if (ds.features.length === 0) body.append(h('tr', {}, h('td', { colspan: 3 }, 'per_image.csv has no true_/pred_ feature columns.')));
  return h('table', { class: 'data', 'data-testid': 'feature-table' }, h('thead', {}, head), body);
}

function metricsLine(item: GalleryItem): HTMLElement {
  return h(
    'p',
    { class: 'detail-meta' },
    `Dice ${formatMetric(item.dice)} · IoU ${formatMetric(item.iou)} · HD95 ${formatMetric(item.hd95, 1)} px · precision ${formatMetric(item.precision)} · recall ${formatMetric(item.recall)} · `,
    h('span', { class: `label-${item.label}` }, `true label ${item.label}`),
    ` · predicted P(malignant) ${formatMetric(item.pMalignant, 2)}`,
  );
}

function drawDetail(): void {
  const ds = activeDataset();
  const item = ds?.items.find((it) => it.id === detailId);
  if (!ds || !item) return;
  const opts = { ...toggles, thickness: 2, fillAlpha: 50 };
  const main = detail.querySelector<HTMLCanvasElement>('[data-testid="detail-canvas"]');
  if (main) void drawItem(main, ds, item, opts).catch(() => main.setAttribute('data-loaded', 'error'));
  const cds = compareDataset();
  const other = cds ? indexForCompare(cds.items)(item) : undefined;
  const second = detail.querySelector<HTMLCanvasElement>('[data-testid="detail-canvas-compare"]');
  if (second && cds && other) void drawItem(second, cds, other, opts).catch(() => second.setAttribute('data-loaded', 'error'));
}

function openDetail(id: string): void {
  const ds = activeDataset();
  const item = ds?.items.find((it) => it.id === id);
  if (!ds || !item) return;
  detailId = id;
  clear(detail);
  const list = currentList();
  const pos = list.findIndex((it) => it.id === id);
  const cds = compareDataset();
  const other = cds ? indexForCompare(cds.items)(item) : undefined;
  const closeBtn = button('detail-close', 'Back to grid', () => closeDetail(true), { title: 'Back to the grid (Escape)' });
  const nav = h(
    'div',
    { class: 'row' },
    closeBtn,
    button('detail-prev', 'Previous', () => pos > 0 && openDetail(list[pos - 1].id), { secondary: true, title: 'Previous image (←)' }),
    button('detail-next', 'Next', () => pos >= 0 && pos < list.length - 1 && openDetail(list[pos + 1].id), { secondary: true, title: 'Next image (→)' }),
    h('span', { class: 'muted' }, pos >= 0 ? `${pos + 1} of ${list.length}` : ''),
  );
  const toggleRow = h(
    'div',
    { class: 'toggles', role: 'group', 'aria-label': 'Overlays' },
    checkbox('toggle-truth', 'True mask', toggles.truth, (v) => {
      toggles.truth = v;
      drawDetail();
    }),
    checkbox('toggle-pred', 'Predicted mask', toggles.pred, (v) => {
      toggles.pred = v;
      drawDetail();
    }),
    checkbox('toggle-prob', 'Probability heat map', toggles.prob, (v) => {
      toggles.prob = v;
      drawDetail();
    }),
  );
  if (!ds.has.prob) toggleRow.querySelector('[data-testid="toggle-prob"]')?.setAttribute('disabled', '');
  const views = h(
    'div',
    { class: 'detail-views' },
    h(
      'div',
      { class: 'detail-view' },
      h('h3', {}, primary?.run.name ?? ''),
      h('canvas', { 'data-testid': 'detail-canvas', 'data-loaded': 'false', role: 'img', 'aria-label': `${item.file} with overlays` }),
      metricsLine(item),
    ),
  );
  if (compare) {
    views.append(
      h(
        'div',
        { class: 'detail-view', 'data-testid': 'detail-compare' },
        h('h3', {}, compare.run.name),
        other
          ? h('canvas', { 'data-testid': 'detail-canvas-compare', 'data-loaded': 'false', role: 'img', 'aria-label': `${item.file}, ${compare.run.name}` })
          : h('p', { class: 'muted' }, 'This image is not in the second run’s evaluation.'),
        other ? metricsLine(other) : null,
      ),
    );
  }
  detail.append(
    h('h2', { id: 'detail-title' }, item.file),
    nav,
    legend.cloneNode(true),
    toggleRow,
    views,
    h('h3', {}, 'BI-RADS features'),
    featureTable(ds, item, other),
  );
  detail.setAttribute('aria-labelledby', 'detail-title');
  detail.setAttribute('data-id', item.id);
  gridSection.hidden = true;
  controls.hidden = true;
  detail.hidden = false;
  drawDetail();
  closeBtn.focus();
}

function closeDetail(focusCard: boolean): void {
  if (detailId === null) return;
  const id = detailId;
  detailId = null;
  detail.hidden = true;
  gridSection.hidden = false;
  controls.hidden = false;
  if (focusCard) grid.querySelector<HTMLElement>(`.thumb-card[data-id="${CSS.escape(id)}"]`)?.focus();
}

document.addEventListener('keydown', (ev) => {
  if (detailId === null) return;
  if (ev.key === 'Escape') closeDetail(true);
  else if (ev.key === 'ArrowLeft' || ev.key === 'ArrowRight') {
    const target = ev.target as HTMLElement | null;
    if (target && (target.tagName === 'INPUT' || target.tagName === 'VSCODE-TEXTFIELD')) return;
    const list = currentList();
    const pos = list.findIndex((it) => it.id === detailId);
    const next = ev.key === 'ArrowLeft' ? pos - 1 : pos + 1;
    if (pos >= 0 && next >= 0 && next < list.length) openDetail(list[next].id);
  }
});

/** Switches to the dataset's tab and opens the image's detail (asked by another panel). */
function showImage(dataset: string, id: string): void {
  if (!primary?.datasets.some((d) => d.slug === dataset)) return;
  if (dataset !== active) {
    active = dataset;
    page = 0;
    closeDetail(false);
    renderTabs();
    placeContent();
    renderControls();
    renderGrid();
    persist();
  }
  openDetail(id);
}

// ------------------------------------------------------------------------------ messages

bridge.start((msg) => {
  switch (msg.type) {
    case 'snapshot': {
      runs = msg.runs;
      primary = msg.primary;
      compare = msg.compare;
      if (msg.activeDataset && primary.datasets.some((d) => d.slug === msg.activeDataset)) active = msg.activeDataset;
      if (!primary.datasets.some((d) => d.slug === active)) active = primary.datasets[0]?.slug;
      title.textContent = `Mask Gallery: ${primary.run.name}`;
      errorBox.hidden = true;
      empty.hidden = primary.datasets.length > 0;
      renderTabs();
      placeContent();
      renderCompareSelect();
      renderControls();
      renderGrid();
      if (detailId) openDetail(detailId);
      persist();
      document.body.setAttribute('data-ready', 'true');
      break;
    }
    case 'showImage':
      showImage(msg.dataset, msg.imageId);
      break;
    case 'saved':
      announce(`Saved ${msg.fileName}`);
      break;
    case 'error':
      errorBox.textContent = msg.message;
      errorBox.hidden = false;
      break;
  }
});
