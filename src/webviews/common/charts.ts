/**
 * Chart.js 4 set-up shared by the panels: only the components used are registered; zoom/pan
 * (chartjs-plugin-zoom); a plugin that fills the theme background (so exported PNGs are readable);
 * a plugin that draws CI whiskers on bars; theme colours; the `data-points` test hook; PNG (3x),
 * SVG and CSV export (figures are drawn again off-screen: chartExport.ts).
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Decimation,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Title,
  Tooltip,
  type ChartConfiguration,
  type ChartType,
  type Plugin,
} from 'chart.js';
import zoomPlugin from 'chartjs-plugin-zoom';
import { chartTheme, type ChartTheme } from './theme';
import { h } from './dom';
import { chartPng, chartSvg, PNG_SCALE } from './chartExport';

const backgroundPlugin: Plugin = {
  id: 'busLabBackground',
  beforeDraw(chart) {
    const ctx = chart.ctx;
    ctx.save();
    ctx.globalCompositeOperation = 'destination-over';
    ctx.fillStyle = chartTheme().background;
    ctx.fillRect(0, 0, chart.width, chart.height);
    ctx.restore();
  },
};

/** Interval per bar: dataset.whiskers[i] = [lo, hi] (in data units), drawn as an I-beam. */
export const whiskerPlugin: Plugin = {
  id: 'busLabWhiskers',
  afterDatasetsDraw(chart) {
    const ctx = chart.ctx;
    const yScale = chart.scales.y;
    if (!yScale) return;
    chart.data.datasets.forEach((ds, di) => {
      const meta = chart.getDatasetMeta(di);
      const whiskers = (ds as unknown as { whiskers?: ([number, number] | null)[] }).whiskers;
      if (!whiskers || meta.hidden) return;
      ctx.save();
      ctx.strokeStyle = chartTheme().foreground;
      ctx.lineWidth = 1.5;
      meta.data.forEach((el, i) => {
        const w = whiskers[i];
        if (!w) return;
        const x = (el as unknown as { x: number }).x;
        const width = (el as unknown as { width?: number }).width ?? 10;
        const cap = Math.max(3, Math.min(8, width / 4));
        const top = yScale.getPixelForValue(w[1]);
        const bottom = yScale.getPixelForValue(w[0]);
        ctx.beginPath();
        ctx.moveTo(x, top);
        ctx.lineTo(x, bottom);
        ctx.moveTo(x - cap, top);
        ctx.lineTo(x + cap, top);
        ctx.moveTo(x - cap, bottom);
        ctx.lineTo(x + cap, bottom);
        ctx.stroke();
      });
      ctx.restore();
    });
  },
};

/** Keeps `data-points` on the canvas equal to the number of points in visible datasets. */
const pointsAttrPlugin: Plugin = {
  id: 'busLabPointsAttr',
  afterUpdate(chart) {
    let n = 0;
    chart.data.datasets.forEach((ds, i) => {
      if (chart.isDatasetVisible(i) && !(ds as unknown as { excludeFromCount?: boolean }).excludeFromCount) n += ds.data.length;
    });
    chart.canvas.setAttribute('data-points', String(n));
    chart.canvas.setAttribute('data-datasets', String(chart.data.datasets.length));
  },
};

Chart.register(
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  BarController,
  BarElement,
  LinearScale,
  LogarithmicScale,
  CategoryScale,
  Legend,
  Tooltip,
  Title,
  Decimation,
  zoomPlugin,
  backgroundPlugin,
  whiskerPlugin,
  pointsAttrPlugin,
);

export { Chart };

/** Applies the theme to Chart.js defaults (call again on theme change, then update charts). */
export function applyChartDefaults(t: ChartTheme = chartTheme()): void {
  Chart.defaults.color = t.foreground;
  Chart.defaults.borderColor = t.grid;
  Chart.defaults.font.family = getComputedStyle(document.body).getPropertyValue('--vscode-font-family').trim() || 'sans-serif';
  Chart.defaults.font.size = 12;
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
}

export interface AxisSpec {
  title: string;
  type?: 'linear' | 'logarithmic' | 'category';
  min?: number;
  max?: number;
  /** Whole-number ticks only (epochs, steps). */
  integer?: boolean;
  /** 'data': the axis ends at the first and last point, not at the next round tick (steps, epochs). */
  bounds?: 'data' | 'ticks';
}

/** Scales with titles (and units) themed for the current theme. */
export function axes(x: AxisSpec, y: AxisSpec, t: ChartTheme = chartTheme()) {
  const axis = (a: AxisSpec) => ({
    type: a.type ?? 'linear',
    title: { display: true, text: a.title, color: t.foreground },
    ticks: { color: t.foreground, ...(a.integer ? { precision: 0 } : {}) },
    grid: { color: t.grid },
    border: { color: t.grid },
    ...(a.min !== undefined ? { min: a.min } : {}),
    ...(a.max !== undefined ? { max: a.max } : {}),
    ...(a.bounds ? { bounds: a.bounds } : {}),
  });
  return { x: axis(x), y: axis(y) };
}

export function zoomOptions(mode: 'x' | 'xy' = 'x') {
  return {
    zoom: { wheel: { enabled: true, modifierKey: 'ctrl' as const }, drag: { enabled: true, modifierKey: 'shift' as const }, pinch: { enabled: true }, mode },
    pan: { enabled: true, mode },
  };
}

export interface ChartCard<T extends ChartType = ChartType> {
  name: string;
  root: HTMLElement;
  canvas: HTMLCanvasElement;
  chart: Chart<T>;
}

export interface CardActions {
  onPng(card: ChartCard): void;
  onCsv(card: ChartCard): void;
  /** With it the card has an SVG button (data-testid="export-svg-<name>"). */
  onSvg?(card: ChartCard): void;
}

/**
 * A titled card with a canvas (data-testid="chart-<name>"), Reset zoom / PNG / SVG / CSV buttons
 * (data-testid="reset-zoom-<name>", "export-png-<name>", "export-svg-<name>", "export-csv-<name>").
 */
export function chartCard<T extends ChartType>(
  name: string,
  title: string,
  description: string,
  config: ChartConfiguration<T>,
  actions: CardActions,
  opts: { zoom?: boolean; extra?: HTMLElement[] } = {},
): ChartCard<T> {
  const canvas = h('canvas', { 'data-testid': `chart-${name}`, 'data-points': '0', role: 'img', 'aria-label': `${title}. ${description}` });
  const box = h('div', { class: 'chart-box' }, canvas);
  const reset =
    opts.zoom !== false
      ? h('vscode-button', { secondary: true, 'data-testid': `reset-zoom-${name}`, title: 'Reset zoom (zoom: Ctrl+wheel or Shift+drag; pan: drag)' }, 'Reset zoom')
      : undefined;
  const png = h('vscode-button', { secondary: true, 'data-testid': `export-png-${name}`, title: `Save ${title} as PNG (${PNG_SCALE}x resolution)` }, 'PNG');
  const svg = actions.onSvg ? h('vscode-button', { secondary: true, 'data-testid': `export-svg-${name}`, title: `Save ${title} as SVG (vector)` }, 'SVG') : undefined;
  const csv = h('vscode-button', { secondary: true, 'data-testid': `export-csv-${name}`, title: `Save the data of ${title} as CSV` }, 'CSV');
  const buttons = [reset, png, svg, csv].filter((b) => b !== undefined);
  const root = h(
    'section',
    { class: 'card', 'data-testid': `card-${name}`, 'aria-label': title },
    h('header', { class: 'card-header' }, h('h2', {}, title), h('div', { class: 'card-actions' }, ...(opts.extra ?? []), ...buttons)),
    box,
  );
  const chart = new Chart<T>(canvas, config);
  const card: ChartCard<T> = { name, root, canvas, chart };
  reset?.addEventListener('click', () => (chart as unknown as { resetZoom(): void }).resetZoom());
  png.addEventListener('click', () => actions.onPng(card as unknown as ChartCard));
  csv.addEventListener('click', () => actions.onCsv(card as unknown as ChartCard));
  svg?.addEventListener('click', () => actions.onSvg?.(card as unknown as ChartCard));
  return card;
}

/** The PNG of a chart at PNG_SCALE times its size, as base64 (no data: prefix). */
export function chartPngBase64(chart: Chart): string {
  return chartPng(chart).base64;
}

/** The chart as a vector SVG document. */
export function chartSvgText(chart: Chart, title?: string): string {
  return chartSvg(chart, title);
}

/** A safe export file name: letters, digits, dot, dash, underscore. */
export function exportName(...parts: string[]): string {
  return parts
    .filter(Boolean)
    .join('-')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .slice(0, 150);
}
