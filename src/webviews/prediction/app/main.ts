/**
 * Segmentation (webview client) for *BUS: Segment Image...*: one image with its predicted contour
 * and a heat-map toggle, p_malignant, phi and the BI-RADS features of the predicted mask, and
 * buttons to save the mask or the overlay. A folder shows as a gallery first (no ground truth);
 * a card opens that image. Pictures come from the run folder through webview URIs.
 */
import { adoptCss } from '../../common/adoptCss';
import '../../common/elements';
import css from '../../common/styles.css';
import predictionCss from './prediction.css';
import { button, checkbox } from '../../common/elements';
import { clear, h } from '../../common/dom';
import { showHostNotice } from '../../common/hostNotice';
import { createBridge } from '../../common/bridge';
import type { HostToPrediction, PredictionToHost, PredictionView } from '../../protocol';
import type { ImagePrediction } from '../../../engine/predict/predictionTypes';
import { heatmapRgba } from '../../common/masks';

adoptCss(css);
adoptCss(predictionCss);

const bridge = createBridge<PredictionToHost, HostToPrediction, Record<string, never>>();
let view: PredictionView | null = null;
let detail: string | null = null;
let heatmap = false;

const FEATURE_LABELS: Record<string, string> = {
  shapeIrregularity: 'Shape irregularity',
  orientation: 'Orientation (taller than wide)',
  marginIrregularity: 'Margin irregularity',
  ellipseDeviation: 'Ellipse deviation',
};

const fmt = (v: number | undefined, digits = 3) => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits));
const url = (kind: 'overlays' | 'prob' | 'masks', row: ImagePrediction) => `${view!.baseUri}/${kind}/${encodeURIComponent(row.name)}.png`;

function loadImage(src: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    // Webview resources are served with Access-Control-Allow-Origin: *, so pixels stay readable.
    img.crossOrigin = 'anonymous';
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error(`could not load ${src}`));
    img.src = src;
  });
}

async function draw(canvas: HTMLCanvasElement, row: ImagePrediction): Promise<void> {
  canvas.setAttribute('data-loaded', 'false');
  const overlay = await loadImage(url('overlays', row));
  canvas.width = overlay.naturalWidth;
  canvas.height = overlay.naturalHeight;
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(overlay, 0, 0);
  if (heatmap) {
    const prob = await loadImage(url('prob', row));
    const scratch = document.createElement('canvas');
    scratch.width = canvas.width;
    scratch.height = canvas.height;
    const sctx = scratch.getContext('2d')!;
    sctx.drawImage(prob, 0, 0, canvas.width, canvas.height);
    const probPixels = sctx.getImageData(0, 0, canvas.width, canvas.height).data;
    const heat = ctx.createImageData(canvas.width, canvas.height);
    heatmapRgba(probPixels, heat.data);
    sctx.putImageData(heat, 0, 0);
    ctx.drawImage(scratch, 0, 0);
  }
  canvas.setAttribute('data-loaded', 'true');
  canvas.setAttribute('data-heatmap', String(heatmap));
}

function scoresTable(row: ImagePrediction): HTMLElement {
  const tr = (label: string, value: string, testid?: string) => h('tr', {}, h('th', { scope: 'row' }, label), h('td', { class: 'num', 'data-testid': testid }, value));
  return h(
    'table',
    { class: 'scores', 'data-testid': 'scores' },
    h('tbody', {},
      tr('p_malignant', fmt(row.pMalignant), 'p-malignant'),
      tr('Prediction', row.prediction ? `${row.prediction} (threshold ${fmt(row.threshold)})` : '– (no classifier)', 'prediction'),
      tr('phi (BI-RADS prior)', fmt(row.phi), 'phi'),
      ...view!.featureIds.map((id) => tr(FEATURE_LABELS[id] ?? id, fmt(row.features[id]), `feature-${id}`)),
      tr('Lesion area', `${row.lesionAreaPx} px${row.lesionAreaMm2 !== undefined ? ` (${fmt(row.lesionAreaMm2, 1)} mm²)` : ''}`, 'area'),
      tr('Image', `${row.width} × ${row.height}`),
    ),
  );
}

const app = document.getElementById('app')!;
clear(app);
app.removeAttribute('aria-busy');
const title = h('h1', { 'data-testid': 'prediction-title' }, 'Segmentation');
const subtitle = h('p', { class: 'muted', 'data-testid': 'prediction-subtitle' });
const errorBox = h('div', { class: 'error-banner', role: 'alert', hidden: true, 'data-testid': 'error' });
const body = h('div', {});
app.append(title, subtitle, errorBox, body, h('div', { id: 'announcer', class: 'visually-hidden', 'aria-live': 'polite' }));

function showDetail(row: ImagePrediction): void {
  clear(body);
  const canvas = h('canvas', { 'data-testid': 'prediction-canvas', role: 'img', 'aria-label': `${row.file} with the predicted lesion contour` });
  const redraw = () => void draw(canvas, row).catch((e: unknown) => bridge.log('warn', e instanceof Error ? e.message : String(e)));
  const actions = h(
    'div',
    { class: 'toggles' },
    checkbox('toggle-heatmap', 'Probability heat map', heatmap, (v) => {
      heatmap = v;
      redraw();
    }),
    button('save-mask', 'Save Mask…', () => bridge.post({ type: 'saveOutput', name: row.name, kind: 'mask' }), { secondary: true }),
    button('save-overlay', 'Save Overlay…', () => bridge.post({ type: 'saveOutput', name: row.name, kind: 'overlay' }), { secondary: true }),
    view!.rows.length > 1
      ? button('back', 'Back to all images', () => {
          detail = null;
          render();
        }, { secondary: true })
      : null,
  );
  body.append(
    h('h2', { 'data-testid': 'detail-file' }, row.file),
    actions,
    h('div', { class: 'detail' }, h('div', { class: 'detail-view' }, canvas), scoresTable(row)),
  );
  redraw();
}

function showGallery(): void {
  clear(body);
  const grid = h('div', { class: 'thumb-grid', 'data-testid': 'prediction-grid' });
  for (const row of view!.rows) {
    const card = h(
      'figure',
      { class: 'thumb-card', tabindex: 0, role: 'button', 'data-testid': 'prediction-card', 'aria-label': `Open ${row.file}` },
      h('img', { src: url('overlays', row), alt: `${row.file} with the predicted contour`, loading: 'lazy' }),
      h(
        'figcaption',
        {},
        h('span', { class: 'file', title: row.file }, row.file),
        row.pMalignant !== undefined ? h('span', { class: `label-${row.prediction}` }, `p_malignant ${fmt(row.pMalignant, 2)}`) : null,
        h('span', { class: 'muted' }, `${row.lesionAreaPx} px`),
      ),
    );
    const open = () => {
      detail = row.name;
      render();
    };
    card.addEventListener('click', open);
    card.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        open();
      }
    });
    grid.append(card);
  }
  body.append(grid);
}

function render(): void {
  if (!view) return;
  title.textContent = view.rows.length === 1 ? `Segmentation: ${view.rows[0].file}` : `Segmentation: ${view.source}`;
  subtitle.textContent =
    `${view.runName} (${view.method}) · ${view.rows.length} image${view.rows.length === 1 ? '' : 's'}, no ground truth` +
    (view.skipped.length ? ` · ${view.skipped.length} skipped: ${view.skipped.map((s) => s.file).join(', ')}` : '');
  const row = view.rows.find((r) => r.name === detail) ?? (view.rows.length === 1 ? view.rows[0] : undefined);
  if (row) showDetail(row);
  else showGallery();
}

bridge.start((msg) => {
  switch (msg.type) {
    case 'snapshot':
      view = msg.view;
      errorBox.hidden = true;
      render();
      document.body.setAttribute('data-ready', 'true');
      return;
    case 'saved':
    case 'error':
      showHostNotice(msg, errorBox);
      return;
  }
});
