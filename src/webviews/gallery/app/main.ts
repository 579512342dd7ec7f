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
import { clear, debounce, h } from '../../common/dom';
import { showHostNotice } from '../../common/hostNotice';
import { createBridge } from '../../common/bridge';
import { toCsv } from '../../common/csv';
import { provenanceText } from '../../../shared/runProvenance';
import type { GalleryDataset, GalleryFeatureInfo, GalleryRunData, GalleryState, GalleryToHost, HostToGallery, RunOption } from '../../protocol';
import {
  DELTA_MIN,
  PAIRED_SORT_KEYS,
  SORT_KEYS,
  SORT_LABELS,
  falsePositiveText,
  featureDisplayName,
  filterItems,
  formatMetric,
  indexForCompare,
  isDeltaFilter,
  isNormalItem,
  isSortKey,
  labelCounts,
  listCsvRows,
  paginate,
  pairedDiceOf,
  sortItems,
  type GalleryItem,
  type ItemLabel,
  type PairedDice,
} from '../viewModel';
import * as vs from '../viewState';
import { ThumbQueue, type ThumbState } from '../thumbQueue';
import { heatColor, heatmapRgba, maskContour, maskFromRgba, paintMask, parseHex } from '../../common/masks';

adoptCss(css);
adoptCss(galleryCss);

const bridge = createBridge<GalleryToHost, HostToGallery, GalleryState>();
const saved = bridge.getState();

let runs: RunOption[] = [];
let primary: GalleryRunData | null = null;
let compare: GalleryRunData | null = null;
let featureInfo: GalleryFeatureInfo[] = [];
/** Tab, per-tab filters, sort and open detail: changed only through viewState's functions. */
let ui: vs.GalleryViewState = vs.restoreViewState(saved);
let pageSize = 48;
const toggles = { truth: true, pred: true, prob: false };

const TRUTH = '#00e5ff';
const PRED = '#ff3df2';

function persist(): void {
  if (!primary) return;
  const v = vs.activeView(ui);
  bridge.setState({ runId: primary.run.id, dataset: ui.active, compareRunId: compare?.run.id ?? null, sort: ui.sort, label: v.label, search: v.search, page: v.page, views: ui.views });
}

// ------------------------------------------------------------------------------ images

const imageCache = new Map<string, Promise<HTMLImageElement>>();
const MAX_CACHE = 400;

function loadImage(url: string, signal?: AbortSignal): Promise<HTMLImageElement> {
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
    // A thumbnail scrolled away: emptying src stops the request.
    signal?.addEventListener('abort', () => {
      img.src = '';
      reject(new DOMException('aborted', 'AbortError'));
    });
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
async function drawItem(canvas: HTMLCanvasElement, ds: GalleryDataset, item: GalleryItem, opts: DrawOptions, box?: number, signal?: AbortSignal): Promise<void> {
  canvas.setAttribute('data-loaded', 'false');
  const img = await loadImage(fileUrl(ds, 'images', item), signal);
  const [truth, pred, prob] = await Promise.all([
    opts.truth && ds.has.truth ? loadImage(fileUrl(ds, 'truth', item), signal).catch(() => undefined) : undefined,
    opts.pred && ds.has.masks ? loadImage(fileUrl(ds, 'masks', item), signal).catch(() => undefined) : undefined,
    opts.prob && ds.has.prob ? loadImage(fileUrl(ds, 'prob', item), signal).catch(() => undefined) : undefined,
  ]);
  if (signal?.aborted) throw new DOMException('aborted', 'AbortError');
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
/** Method, seed, size, lambda, phi settings, best epoch of the run shown (shared/runProvenance.ts). */
const provenanceLine = h('p', { class: 'muted', 'data-testid': 'run-provenance' });
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
/** A pager above and one below the grid (`page-prev`/`page-next`/`page-info`, and the same with `-bottom`). */
function makePager(suffix: string) {
  const info = h('span', { 'data-testid': `page-info${suffix}`, 'aria-live': suffix ? 'off' : 'polite' });
  const prev = button(`page-prev${suffix}`, 'Previous page', () => goPage(vs.activeView(ui).page - 1, suffix !== ''), { secondary: true });
  const next = button(`page-next${suffix}`, 'Next page', () => goPage(vs.activeView(ui).page + 1, suffix !== ''), { secondary: true });
  return { root: h('div', { class: 'pager' }, prev, info, next), info, prev, next };
}
const pagerTop = makePager('');
const pagerBottom = makePager('-bottom');
const grid = h('div', { class: 'thumb-grid', 'data-testid': 'thumb-grid', role: 'list' });
const scatterSlot = h('div', { class: 'scatter-slot' });
const gridSection = h('section', { 'data-testid': 'grid-section' }, scatterSlot, legend, pagerTop.root, grid, pagerBottom.root);
const detail = h('section', { class: 'detail', 'data-testid': 'detail', hidden: true, role: 'region', 'aria-label': 'Image detail' });
const content = h('div', {}, controls, gridSection, detail);
const empty = h('p', { class: 'empty', 'data-testid': 'empty', hidden: true }, 'This run has no evaluated datasets yet (eval/<dataset>/per_image.csv).');

app.append(title, provenanceLine, h('div', { class: 'toolbar' }, compareSlot), errorBox, empty, tabs, h('div', { id: 'announcer', class: 'visually-hidden', 'aria-live': 'polite' }));

/** Re-renders what depends on the view state (after a tab, filter or snapshot change). */
function renderAll(): void {
  placeContent();
  renderControls();
  renderGrid();
  if (ui.detailId) renderDetail();
  else hideDetail(false);
  persist();
}

tabs.addEventListener('vsc-tabs-select', (ev) => {
  const idx = (ev as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex;
  const ds = primary?.datasets[idx];
  if (ds && ds.slug !== ui.active) {
    ui = vs.selectDataset(ui, ds.slug);
    renderAll();
  }
});

function activeDataset(): GalleryDataset | undefined {
  return primary?.datasets.find((d) => d.slug === ui.active);
}
function compareDataset(): GalleryDataset | undefined {
  return compare?.datasets.find((d) => d.slug === ui.active);
}
/** The second run's item for an image of the active dataset. */
function findOther(): ((it: GalleryItem) => GalleryItem | undefined) | undefined {
  const cds = compareDataset();
  return cds ? indexForCompare(cds.items) : undefined;
}
function paired(): PairedDice | undefined {
  return pairedDiceOf(findOther());
}

function renderTabs(): void {
  clear(tabs);
  if (!primary) return;
  primary.datasets.forEach((ds) => {
    tabs.append(h('vscode-tab-header', { slot: 'header', 'data-testid': 'dataset-tab', 'data-dataset': ds.slug }, `${ds.name} (${ds.items.length})`));
  });
  primary.datasets.forEach((ds) => tabs.append(h('vscode-tab-panel', { 'data-dataset': ds.slug })));
  syncTab();
}

/** Shows the active dataset's tab as selected. */
function syncTab(): void {
  if (!primary) return;
  const idx = Math.max(0, primary.datasets.findIndex((d) => d.slug === ui.active));
  tabs.setAttribute('selected-index', String(idx));
  (tabs as unknown as { selectedIndex: number }).selectedIndex = idx;
}

/** The controls and grid live in the active tab's panel. */
function placeContent(): void {
  syncTab();
  const panel = [...tabs.querySelectorAll<HTMLElement>('vscode-tab-panel')].find((p) => p.getAttribute('data-dataset') === ui.active);
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
}

function renderCompareLegend(): void {
  legend.querySelector('.compare-legend')?.remove();
  if (compare) legend.append(h('span', { class: 'compare-legend' }, `A: ${primary?.run.name ?? ''} · B: ${compare.run.name}${compareDataset() ? '' : ' (not evaluated on this dataset)'}`));
}

function renderControls(): void {
  clear(controls);
  renderCompareLegend();
  const ds = activeDataset();
  if (!ds) return;
  const view = vs.activeView(ui);
  const counts = labelCounts(ds.items);
  const hasPair = paired() !== undefined;
  const sortKeys = SORT_KEYS.filter((k) => hasPair || !PAIRED_SORT_KEYS.includes(k));
  const sortValue = sortKeys.includes(ui.sort) ? ui.sort : 'dice-asc';
  const change = (patch: Partial<vs.DatasetView>) => {
    ui = vs.updateView(ui, patch);
    renderGrid();
    persist();
  };
  controls.append(
    select(
      'sort',
      'Sort by',
      sortKeys.map((k) => ({ value: k, label: SORT_LABELS[k] })),
      sortValue,
      (v) => {
        if (isSortKey(v)) {
          ui = vs.setSort(ui, v);
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
        ...(['benign', 'malignant', 'normal', 'unknown'] as const).filter((l) => counts[l] > 0 || view.label === l).map((l) => ({ value: l, label: `${l} (${counts[l]})` })),
      ],
      view.label,
      (v) => change({ label: v as ItemLabel | 'all' }),
    ).root,
  );
  if (hasPair) {
    const b = compare?.run.name ?? 'B';
    const a = primary?.run.name ?? 'A';
    controls.append(
      select(
        'delta-filter',
        'Dice(A) − Dice(B)',
        [
          { value: 'all', label: 'All images' },
          { value: 'a-better', label: `${a} better by ≥ ${DELTA_MIN}` },
          { value: 'b-better', label: `${b} better by ≥ ${DELTA_MIN}` },
          { value: 'differ', label: `|Δ| ≥ ${DELTA_MIN}` },
        ],
        view.delta,
        (v) => {
          if (isDeltaFilter(v)) change({ delta: v });
        },
      ).root,
    );
  }
  const tf = h('vscode-textfield', { id: 'search', 'data-testid': 'search', placeholder: 'File name contains…', value: view.search, 'aria-label': 'Search by file name' });
  tf.addEventListener(
    'input',
    debounce(() => change({ search: (tf as unknown as { value: string }).value }), 150),
  );
  controls.append(
    h('div', { class: 'field grow' }, h('label', { for: 'search' }, 'Search'), tf),
    select(
      'page-size',
      'Per page',
      [24, 48, 96, 192].map((n) => ({ value: String(n), label: String(n) })),
      String(pageSize),
      (v) => {
        pageSize = Number(v) || 48;
        change({ page: 0 });
      },
    ).root,
    button('export-list-csv', 'Export list (CSV)', exportListCsv, { secondary: true, title: 'The filtered list in the shown order, one row per image' }),
  );
}

function currentList(): GalleryItem[] {
  const ds = activeDataset();
  if (!ds) return [];
  const view = vs.activeView(ui);
  const pd = paired();
  const sort = pd || !PAIRED_SORT_KEYS.includes(ui.sort) ? ui.sort : 'dice-asc';
  return sortItems(filterItems(ds.items, { label: view.label, search: view.search, delta: view.delta, paired: pd }), sort, pd);
}

function exportListCsv(): void {
  const ds = activeDataset();
  if (!ds || !primary) return;
  const { header, rows } = listCsvRows(currentList(), ds.features, paired());
  bridge.post({ type: 'saveFile', fileName: `${primary.run.name}-${ds.slug}-images.csv`.replace(/[^\w.-]+/g, '_'), format: 'csv', data: toCsv(header, rows) });
}

// ------------------------------------------------------------------------------ grid

let observer: IntersectionObserver | undefined;
let thumbs: ThumbQueue<string> | undefined;
const THUMB_CONCURRENCY = 6;

function diceText(item: GalleryItem): string {
  return isNormalItem(item) ? falsePositiveText(item) : `Dice ${formatMetric(item.dice)}`;
}

function renderGrid(): void {
  observer?.disconnect();
  thumbs?.close();
  clear(grid);
  const ds = activeDataset();
  if (!ds) return;
  const list = currentList();
  const pg = paginate(list, vs.activeView(ui).page, pageSize);
  if (pg.page !== vs.activeView(ui).page) ui = vs.updateView(ui, { page: pg.page });
  const info = pg.total === 0 ? 'No images match' : `Page ${pg.page + 1} of ${pg.pageCount} · images ${pg.start + 1}–${pg.start + pg.items.length} of ${pg.total}`;
  for (const p of [pagerTop, pagerBottom]) {
    p.info.textContent = info;
    p.prev.toggleAttribute('disabled', pg.page === 0);
    p.next.toggleAttribute('disabled', pg.page >= pg.pageCount - 1);
  }
  pagerBottom.root.hidden = pg.items.length < 12;
  grid.setAttribute('data-total', String(pg.total));
  const other = findOther();
  const thumbSize = 160;
  const canvases = new Map<string, HTMLCanvasElement>();
  const byId = new Map(pg.items.map((it) => [it.id, it]));
  const queue = new ThumbQueue<string>({
    concurrency: THUMB_CONCURRENCY,
    load: (id, signal) => drawItem(canvases.get(id)!, ds, byId.get(id)!, { truth: true, pred: true, prob: false, thickness: 2, fillAlpha: 0 }, thumbSize, signal),
    onState: (id, state: ThumbState, err) => {
      const canvas = canvases.get(id);
      if (!canvas) return;
      // The spinner stays until the picture is drawn (or failed): waiting for the viewport counts too.
      canvas.parentElement?.classList.toggle('pending', state !== 'done' && state !== 'error');
      canvas.setAttribute('data-state', state);
      if (state === 'error') {
        canvas.setAttribute('data-loaded', 'error');
        bridge.log('warn', err instanceof Error ? err.message : String(err));
      } else if (state === 'cancelled') canvas.setAttribute('data-loaded', 'false');
    },
  });
  thumbs = queue;
  observer = new IntersectionObserver(
    (entries) => {
      for (const e of entries) queue.setVisible((e.target as HTMLElement).dataset.id ?? '', e.isIntersecting);
    },
    { rootMargin: '100px' },
  );
  const bName = compare?.run.name ?? '';
  pg.items.forEach((item, index) => {
    const o = other?.(item);
    const canvas = h('canvas', { 'data-testid': 'thumb', 'data-loaded': 'false', width: thumbSize, height: thumbSize, 'aria-hidden': 'true' });
    canvases.set(item.id, canvas);
    queue.add(item.id, index);
    const normal = isNormalItem(item);
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
        'data-dice': normal ? '' : (item.dice ?? ''),
        'data-normal': normal ? 'true' : 'false',
        'aria-label': `${item.file}, ${diceText(item)}, ${item.label}, predicted P(malignant) ${formatMetric(item.pMalignant, 2)}. Press Enter for details.`,
      },
      h('div', { class: 'thumb-frame pending' }, canvas, h('span', { class: 'spinner', 'aria-hidden': 'true' })),
      h(
        'figcaption',
        {},
        h('span', { class: 'file', title: item.file }, item.file),
        h('span', { 'data-testid': 'thumb-dice' }, diceText(item)),
        h('span', { class: `label-${item.label}` }, item.label),
        h('span', { title: 'Predicted probability of malignancy' }, `P(mal) ${formatMetric(item.pMalignant, 2)}`),
        o ? h('span', { class: 'muted compare-dice', 'data-testid': 'thumb-dice-compare', title: `${isNormalItem(o) ? 'False-positive area' : 'Dice'} of ${bName}` }, `${bName}: ${isNormalItem(o) ? falsePositiveText(o) : formatMetric(o.dice)}`) : null,
      ),
    );
    card.addEventListener('click', () => openDetailOf(item.id));
    card.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        openDetailOf(item.id);
      }
    });
    grid.append(card);
    observer!.observe(card);
  });
  renderScatter();
}

function goPage(p: number, fromBottom = false): void {
  ui = vs.updateView(ui, { page: Math.max(0, p) });
  renderGrid();
  persist();
  if (fromBottom) gridSection.scrollIntoView({ block: 'start' });
  grid.querySelector<HTMLElement>('.thumb-card')?.focus({ preventScroll: fromBottom });
}

// ------------------------------------------------------------------------------ paired scatter

const SCATTER = { size: 300, pad: 36 };
let scatterPoints: { x: number; y: number; item: GalleryItem; other: GalleryItem }[] = [];

/** Dice of A against Dice of B, one point per lesion image of the filtered list; hover names it, click opens it. */
function renderScatter(): void {
  clear(scatterSlot);
  scatterPoints = [];
  const other = findOther();
  if (!other || !compare || !primary) return;
  const { size, pad } = SCATTER;
  const dpr = Math.min(2, window.devicePixelRatio || 1);
  const canvas = h('canvas', { 'data-testid': 'paired-scatter', width: Math.round(size * dpr), height: Math.round(size * dpr), role: 'img', 'aria-label': `Dice of ${primary.run.name} against Dice of ${compare.run.name}, one point per image` });
  const tip = h('div', { class: 'scatter-tip', 'data-testid': 'scatter-tip', hidden: true });
  const ctx = canvas.getContext('2d')!;
  ctx.scale(dpr, dpr);
  const style = getComputedStyle(document.body);
  const fg = style.getPropertyValue('--vscode-foreground').trim() || '#ccc';
  const grid2 = style.getPropertyValue('--vscode-editorWidget-border').trim() || '#555';
  const span = size - 2 * pad;
  const px = (v: number) => pad + v * span;
  const py = (v: number) => size - pad - v * span;
  ctx.strokeStyle = grid2;
  ctx.lineWidth = 1;
  ctx.strokeRect(pad, pad, span, span);
  ctx.setLineDash([4, 4]);
  ctx.beginPath();
  ctx.moveTo(px(0), py(0));
  ctx.lineTo(px(1), py(1));
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.fillStyle = fg;
  ctx.font = '11px sans-serif';
  ctx.textAlign = 'center';
  for (const t of [0, 0.5, 1]) {
    ctx.fillText(String(t), px(t), size - pad + 14);
    ctx.fillText(String(t), pad - 14, py(t) + 4);
  }
  ctx.fillText(`Dice, ${compare.run.name} (B)`, size / 2, size - 6);
  ctx.save();
  ctx.translate(12, size / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(`Dice, ${primary.run.name} (A)`, 0, 0);
  ctx.restore();
  for (const item of currentList()) {
    const o = other(item);
    if (!o || isNormalItem(item) || item.dice === null || o.dice === null) continue;
    scatterPoints.push({ x: px(o.dice), y: py(item.dice), item, other: o });
  }
  for (const p of scatterPoints) {
    const d = (p.item.dice ?? 0) - (p.other.dice ?? 0);
    ctx.fillStyle = d >= DELTA_MIN ? '#4caf50' : d <= -DELTA_MIN ? '#f44336' : '#9e9e9e';
    ctx.globalAlpha = 0.75;
    ctx.beginPath();
    ctx.arc(p.x, p.y, 3, 0, Math.PI * 2);
    ctx.fill();
  }
  ctx.globalAlpha = 1;
  canvas.setAttribute('data-points', String(scatterPoints.length));
  if (scatterPoints[0]) canvas.setAttribute('data-first-point', JSON.stringify({ x: Math.round(scatterPoints[0].x), y: Math.round(scatterPoints[0].y), imageId: scatterPoints[0].item.id }));
  const nearest = (ev: MouseEvent) => {
    const r = canvas.getBoundingClientRect();
    const x = ((ev.clientX - r.left) * size) / r.width;
    const y = ((ev.clientY - r.top) * size) / r.height;
    let best: (typeof scatterPoints)[number] | undefined;
    let bestD = 8 * 8;
    for (const p of scatterPoints) {
      const d = (p.x - x) ** 2 + (p.y - y) ** 2;
      if (d <= bestD) {
        best = p;
        bestD = d;
      }
    }
    return best;
  };
  canvas.addEventListener('mousemove', (ev) => {
    const p = nearest(ev);
    canvas.classList.toggle('pointing', p !== undefined);
    if (!p) {
      tip.hidden = true;
      return;
    }
    tip.textContent = `${p.item.file} · A ${formatMetric(p.item.dice)} · B ${formatMetric(p.other.dice)} · Δ ${formatMetric((p.item.dice ?? 0) - (p.other.dice ?? 0))}`;
    tip.hidden = false;
  });
  canvas.addEventListener('mouseleave', () => (tip.hidden = true));
  canvas.addEventListener('click', (ev) => {
    const p = nearest(ev);
    if (p) {
      canvas.setAttribute('data-last-open', p.item.id);
      openDetailOf(p.item.id);
    }
  });
  scatterSlot.append(
    h(
      'figure',
      { class: 'scatter' },
      canvas,
      h('figcaption', { class: 'muted' }, `Paired Dice, ${scatterPoints.length} lesion images of this list. Above the diagonal: ${primary.run.name} better (green: by ≥ ${DELTA_MIN}).`),
      tip,
    ),
  );
}

// ------------------------------------------------------------------------------ detail

function featureLabel(id: string): string {
  return featureDisplayName(id, featureInfo.find((f) => f.id === id)?.label);
}

function featureTable(ds: GalleryDataset, item: GalleryItem, other: GalleryItem | undefined): HTMLElement {
  const weights = primary?.phi?.weights;
  const head = h('tr', {}, h('th', { scope: 'col' }, 'BI-RADS feature'), h('th', { scope: 'col' }, 'True mask'), h('th', { scope: 'col' }, 'Predicted mask'));
  if (other) head.append(h('th', { scope: 'col' }, `Predicted (${compare?.run.name})`));
  if (weights) head.append(h('th', { scope: 'col', title: `phi's weight for the feature at epoch ${primary?.phi?.epoch} (the evaluated weights)` }, `phi weight (${primary?.run.name})`));
  const body = h('tbody', {});
  for (const f of ds.features) {
    const desc = featureInfo.find((x) => x.id === f)?.description ?? '';
    const row = h('tr', { 'data-feature': f }, h('th', { scope: 'row', title: desc }, featureLabel(f)), h('td', { 'data-testid': 'feature-true' }, formatMetric(item.features[f]?.true ?? null)), h('td', { 'data-testid': 'feature-pred' }, formatMetric(item.features[f]?.pred ?? null)));
    if (other) row.append(h('td', {}, formatMetric(other.features[f]?.pred ?? null)));
    if (weights) row.append(h('td', { 'data-testid': 'phi-weight' }, formatMetric(weights[f] ?? null)));
    body.append(row);
  }
  const phiRow = (label: string, key: 'phi_true' | 'phi_pred', testid: string) => {
    const v = item.extra[key] ?? null;
    if (v === null && (other?.extra[key] ?? null) === null) return;
    const row = h('tr', { 'data-testid': testid }, h('th', { scope: 'row', title: "phi: the run's learned BI-RADS prior, a probability of malignancy from the features" }, label));
    if (key === 'phi_true') row.append(h('td', {}, formatMetric(v)), h('td', {}, ''));
    else row.append(h('td', {}, ''), h('td', {}, formatMetric(v)));
    if (other) row.append(h('td', {}, key === 'phi_pred' ? formatMetric(other.extra.phi_pred ?? null) : ''));
    if (weights) row.append(h('td', {}, ''));
    body.append(row);
  };
  phiRow('phi of the true mask (0–1, P(malignant) from the features)', 'phi_true', 'phi-true');
  phiRow('phi of the predicted mask (0–1)', 'phi_pred', 'phi-pred');
  if (ds.features.length === 0) body.append(h('tr', {}, h('td', { colspan: 3 }, 'per_image.csv has no true_/pred_ feature columns.')));
  return h('table', { class: 'data', 'data-testid': 'feature-table' }, h('thead', {}, head), body);
}

function metricsLine(item: GalleryItem): HTMLElement {
  const seg = isNormalItem(item)
    ? `No tumour: ${falsePositiveText(item)} · `
    : `Dice ${formatMetric(item.dice)} · IoU ${formatMetric(item.iou)} · HD95 ${formatMetric(item.hd95, 1)} px · precision ${formatMetric(item.precision)} · recall ${formatMetric(item.recall)} · `;
  return h(
    'p',
    { class: 'detail-meta', 'data-testid': 'detail-metrics' },
    seg,
    h('span', { class: `label-${item.label}` }, `true label ${item.label}`),
    ` · predicted P(malignant) ${formatMetric(item.pMalignant, 2)}`,
  );
}

/** The heat map's colour scale, 0 to 1 (shown with the heat map). */
function heatScale(): HTMLElement {
  const w = 160;
  const c = h('canvas', { width: w, height: 10, 'data-testid': 'heat-scale', 'aria-hidden': 'true' });
  const ctx = c.getContext('2d')!;
  for (let x = 0; x < w; x++) {
    const [r, g, b] = heatColor(x / (w - 1));
    ctx.fillStyle = `rgb(${r},${g},${b})`;
    ctx.fillRect(x, 0, 1, 10);
  }
  return h('span', { class: 'heat-scale', title: 'Predicted lesion probability' }, 'P(lesion) 0', c, '1');
}

function drawDetail(): void {
  const ds = activeDataset();
  const item = ds?.items.find((it) => it.id === ui.detailId);
  if (!ds || !item) return;
  const opts = { ...toggles, thickness: 2, fillAlpha: 50 };
  const main = detail.querySelector<HTMLCanvasElement>('[data-testid="detail-canvas"]');
  if (main) void drawItem(main, ds, item, opts).catch(() => main.setAttribute('data-loaded', 'error'));
  const cds = compareDataset();
  const other = cds ? indexForCompare(cds.items)(item) : undefined;
  const second = detail.querySelector<HTMLCanvasElement>('[data-testid="detail-canvas-compare"]');
  if (second && cds && other) void drawItem(second, cds, other, opts).catch(() => second.setAttribute('data-loaded', 'error'));
  detail.querySelector('.heat-scale')?.toggleAttribute('hidden', !toggles.prob);
}

function openDetailOf(id: string): void {
  ui = vs.openDetail(ui, id);
  renderDetail();
  persist();
}

/** The detail as one PNG: each run's picture side by side, the file name and each run's metrics under it. */
async function exportDetailPng(): Promise<void> {
  const ds = activeDataset();
  const item = ds?.items.find((it) => it.id === ui.detailId);
  if (!ds || !item || !primary) return;
  const views = [...detail.querySelectorAll<HTMLElement>('.detail-view')]
    .map((v) => ({ canvas: v.querySelector('canvas'), title: v.querySelector('h3')?.textContent ?? '', text: v.querySelector('.detail-meta')?.textContent ?? '' }))
    .filter((v): v is { canvas: HTMLCanvasElement; title: string; text: string } => v.canvas !== null && v.canvas.getAttribute('data-loaded') === 'true');
  if (views.length === 0) return;
  // Each picture at least 512 px wide (the gallery's pictures are at most 512 px; small ones are scaled up).
  const sized = views.map((v) => {
    const k = Math.max(1, 512 / v.canvas.width);
    return { ...v, w: Math.round(v.canvas.width * k), h: Math.round(v.canvas.height * k) };
  });
  const gap = 16;
  const titleH = 24;
  const textH = 66;
  const w = sized.reduce((a, v) => a + v.w, 0) + gap * (sized.length + 1);
  const hgt = titleH + Math.max(...sized.map((v) => v.h)) + textH + 2 * gap;
  const out = document.createElement('canvas');
  out.width = w;
  out.height = hgt;
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, w, hgt);
  ctx.fillStyle = '#000000';
  let x = gap;
  for (const v of sized) {
    ctx.font = 'bold 15px sans-serif';
    ctx.fillText(`${v.title} · ${item.file}`, x, gap + 12, v.w);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(v.canvas, x, gap + titleH, v.w, v.h);
    const parts = v.text.split(' · ');
    const half = Math.ceil(parts.length / 2);
    ctx.font = '13px sans-serif';
    const y0 = gap + titleH + v.h;
    ctx.fillText(parts.slice(0, half).join(' · '), x, y0 + 18, v.w);
    ctx.fillText(parts.slice(half).join(' · '), x, y0 + 38, v.w);
    ctx.fillText('cyan: true contour · magenta: predicted contour', x, y0 + 58, v.w);
    x += v.w + gap;
  }
  const data = out.toDataURL('image/png').split(',')[1] ?? '';
  bridge.post({ type: 'saveFile', fileName: `${primary.run.name}-${ds.slug}-${item.file}.png`.replace(/[^\w.-]+/g, '_'), format: 'png', data });
}

function renderDetail(): void {
  const ds = activeDataset();
  const item = ds?.items.find((it) => it.id === ui.detailId);
  if (!ds || !item) {
    ui = vs.openDetail(ui, null);
    hideDetail(false);
    return;
  }
  clear(detail);
  const list = currentList();
  const pos = list.findIndex((it) => it.id === item.id);
  const cds = compareDataset();
  const other = cds ? indexForCompare(cds.items)(item) : undefined;
  const closeBtn = button('detail-close', 'Back to grid', () => closeDetail(true), { title: 'Back to the grid (Escape)' });
  const nav = h(
    'div',
    { class: 'row' },
    closeBtn,
    button('detail-prev', 'Previous', () => pos > 0 && openDetailOf(list[pos - 1].id), { secondary: true, title: 'Previous image (←)' }),
    button('detail-next', 'Next', () => pos >= 0 && pos < list.length - 1 && openDetailOf(list[pos + 1].id), { secondary: true, title: 'Next image (→)' }),
    h('span', { class: 'muted' }, pos >= 0 ? `${pos + 1} of ${list.length}` : ''),
    button('export-detail-png', 'Export PNG', () => void exportDetailPng(), { secondary: true, title: 'This view (each run side by side, with its metrics) as a PNG' }),
    button('open-original', 'Open original image', () => primary && bridge.post({ type: 'openOriginal', runId: primary.run.id, dataset: ds.slug, imageId: item.id }), { secondary: true, title: 'The dataset’s own full-resolution file (the pictures here are capped at 512 px)' }),
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
    heatScale(),
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
  detail.setAttribute('data-dataset', ds.slug);
  gridSection.hidden = true;
  controls.hidden = true;
  detail.hidden = false;
  drawDetail();
  closeBtn.focus();
}

function hideDetail(focusCard: boolean, id?: string): void {
  detail.hidden = true;
  detail.removeAttribute('data-id');
  gridSection.hidden = false;
  controls.hidden = false;
  if (focusCard && id) grid.querySelector<HTMLElement>(`.thumb-card[data-id="${CSS.escape(id)}"]`)?.focus();
}

function closeDetail(focusCard: boolean): void {
  if (ui.detailId === null) return;
  const id = ui.detailId;
  ui = vs.openDetail(ui, null);
  hideDetail(focusCard, id);
  persist();
}

document.addEventListener('keydown', (ev) => {
  if (ui.detailId === null) return;
  if (ev.key === 'Escape') closeDetail(true);
  else if (ev.key === 'ArrowLeft' || ev.key === 'ArrowRight') {
    const target = ev.target as HTMLElement | null;
    if (target && (target.tagName === 'INPUT' || target.tagName === 'VSCODE-TEXTFIELD')) return;
    const list = currentList();
    const pos = list.findIndex((it) => it.id === ui.detailId);
    const next = ev.key === 'ArrowLeft' ? pos - 1 : pos + 1;
    if (pos >= 0 && next >= 0 && next < list.length) openDetailOf(list[next].id);
  }
});

// ------------------------------------------------------------------------------ messages

bridge.start((msg) => {
  switch (msg.type) {
    case 'snapshot': {
      runs = msg.runs;
      primary = msg.primary;
      compare = msg.compare;
      featureInfo = msg.features ?? [];
      // Only a snapshot that asks for a tab changes it; a refresh keeps the user's tab and detail.
      ui = vs.applySnapshot(
        ui,
        primary.datasets.map((d) => ({ slug: d.slug, ids: new Set(d.items.map((it) => it.id)) })),
        msg.activeDataset,
      );
      title.textContent = `Mask Gallery: ${primary.run.name}`;
      provenanceLine.textContent = primary.run.provenance ? provenanceText(primary.run.provenance) : '';
      errorBox.hidden = true;
      empty.hidden = primary.datasets.length > 0;
      renderTabs();
      renderCompareSelect();
      renderAll();
      document.body.setAttribute('data-ready', 'true');
      break;
    }
    case 'showImage':
      if (primary?.datasets.some((d) => d.slug === msg.dataset)) {
        ui = vs.showImage(ui, msg.dataset, msg.imageId);
        renderAll();
      }
      break;
    case 'saved':
    case 'error':
      showHostNotice(msg, errorBox);
      break;
  }
});
