/**
 * Figures from charts: each export draws the chart again off-screen from its own configuration
 * (Chart.js's BasicPlatform: no DOM events, no resize observers) instead of copying the
 * on-screen pixels. PNG: on a canvas at devicePixelRatio 3, so text and lines are drawn at three
 * times the resolution, not upscaled. SVG: into an SvgContext, so lines, points, bars, axes,
 * ticks and legend come out as vector paths and text.
 */
import { BasicPlatform, Chart, type ChartConfiguration } from 'chart.js';
import { RecordingPath2D, SvgContext, approximateMeasurer, type TextMeasurer } from './svgContext';

/** The export resolution multiplier for PNG figures. */
export const PNG_SCALE = 3;

interface CanvasLike {
  width: number;
  height: number;
  getContext(kind: '2d'): unknown;
}

/** Plain objects and arrays copied deeply; functions, class instances and the like kept as they are. */
function cloneOptions<T>(v: T): T {
  if (Array.isArray(v)) return v.map(cloneOptions) as T;
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = cloneOptions(x);
    return out as T;
  }
  return v;
}

/** The source chart's configuration for a still, off-screen copy. */
export function exportConfig(source: Chart, pixelRatio: number): ChartConfiguration {
  const cfg = source.config as unknown as { type: string; data: ChartConfiguration['data']; options?: Record<string, unknown>; plugins?: unknown[] };
  const datasets = cfg.data.datasets.map((ds, i) => {
    // The decimation plugin keeps the original points in _data and shows a thinned `data`.
    const raw = (ds as unknown as { _data?: unknown[] })._data ?? ds.data;
    const copy: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(ds)) if (!k.startsWith('_')) copy[k] = v;
    copy.data = [...(raw as unknown[])];
    // Datasets hidden with the legend stay hidden in the figure.
    copy.hidden = !source.isDatasetVisible(i);
    return copy;
  });
  const options = cloneOptions(cfg.options ?? {}) as Record<string, unknown>;
  const plugins = (options.plugins ?? {}) as Record<string, unknown>;
  options.plugins = {
    ...plugins,
    // No interaction on a figure; the zoom plugin (off) would bind Hammer to the canvas whatever its options.
    zoom: false,
    tooltip: { enabled: false },
    busLabPointsAttr: false,
  };
  // Keep the zoom/pan the user is looking at.
  const scales = (options.scales ?? {}) as Record<string, Record<string, unknown>>;
  for (const [id, scale] of Object.entries(source.scales)) {
    if (!scales[id] || scale.type === 'category') continue;
    scales[id] = { ...scales[id], min: scale.min, max: scale.max };
  }
  Object.assign(options, { responsive: false, animation: false, events: [], devicePixelRatio: pixelRatio });
  return {
    type: cfg.type,
    data: { ...cfg.data, datasets },
    options,
    plugins: cfg.plugins ?? [],
    platform: BasicPlatform,
  } as unknown as ChartConfiguration;
}

/**
 * Draws `source` again on `canvas` (set to the source's CSS size first) at `pixelRatio`; the
 * caller reads the canvas and then destroys the returned chart.
 */
export function renderOffscreen(source: Chart, canvas: CanvasLike, pixelRatio: number): Chart {
  canvas.width = source.width;
  canvas.height = source.height;
  return new Chart(canvas as unknown as HTMLCanvasElement, exportConfig(source, pixelRatio));
}

/** The chart as a PNG at PNG_SCALE times its on-screen size, base64 (no data: prefix). */
export function chartPng(source: Chart, scale = PNG_SCALE): { base64: string; width: number; height: number } {
  const canvas = document.createElement('canvas');
  const copy = renderOffscreen(source, canvas, scale);
  try {
    const base64 = canvas.toDataURL('image/png').replace(/^data:image\/png;base64,/, '');
    return { base64, width: canvas.width, height: canvas.height };
  } finally {
    copy.destroy();
  }
}

/** The chart as a standalone vector SVG document. */
export function chartSvg(source: Chart, title?: string, measurer: TextMeasurer = browserMeasurer()): string {
  const ctx = new SvgContext(source.width, source.height, measurer);
  // Chart.js builds line paths with `new Path2D()` when the browser has one; during this draw
  // it gets a recorder that the SVG context can replay (the draw is synchronous).
  const g = globalThis as unknown as { Path2D?: unknown };
  const had = Object.prototype.hasOwnProperty.call(g, 'Path2D');
  const saved = g.Path2D;
  g.Path2D = RecordingPath2D;
  let copy: Chart | undefined;
  try {
    copy = renderOffscreen(source, ctx.canvas, 1);
    return ctx.toSvg(title);
  } finally {
    copy?.destroy();
    if (had) g.Path2D = saved;
    else delete g.Path2D;
  }
}

let measureCtx: CanvasRenderingContext2D | null | undefined;

/** Text widths from a real canvas when there is a document, else the approximation. */
function browserMeasurer(): TextMeasurer {
  if (measureCtx === undefined) measureCtx = typeof document !== 'undefined' ? document.createElement('canvas').getContext('2d') : null;
  const m = measureCtx;
  if (!m) return approximateMeasurer;
  return (text, font) => {
    m.font = font;
    return m.measureText(text).width;
  };
}
