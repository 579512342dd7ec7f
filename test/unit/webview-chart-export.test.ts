/**
 * Chart figures: a real Chart.js line/scatter/bar chart drawn into the SVG context gives a valid
 * SVG document whose paths pass through the data's pixel positions, with axes, ticks, titles and
 * legend as text; the PNG route renders at devicePixelRatio 3 (canvas 3x the chart); the shared
 * run colours are the same for the same run in any list order.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BarController, BarElement, BasicPlatform, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, ScatterController, Title } from 'chart.js';
import { chartSvg, renderOffscreen } from '../../src/webviews/common/chartExport';
import { SvgContext, approximateMeasurer, svgPaint, fontAttrs } from '../../src/webviews/common/svgContext';
import { coloursFor, runColour, runColourIndex } from '../../src/webviews/common/runColours';
import { parseComparisonMessage, parseDashboardMessage } from '../../src/webviews/protocol';

Chart.register(LineController, LineElement, PointElement, ScatterController, BarController, BarElement, LinearScale, CategoryScale, Legend, Title);

const W = 476;
const H = 280;

/** A chart drawn into a (throw-away) SVG context: the on-screen chart stand-in. */
function sourceChart(config: Record<string, unknown>): Chart {
  const ctx = new SvgContext(W, H);
  return new Chart(ctx.canvas as unknown as HTMLCanvasElement, { ...config, platform: BasicPlatform, options: { animation: false, responsive: false, ...(config.options as object) } } as never);
}

/** Every number pair in the path data of the SVG's <path> elements. */
function pathPoints(svg: string): [number, number][] {
  const out: [number, number][] = [];
  for (const m of svg.matchAll(/<path d="([^"]+)"/g)) for (const p of m[1].matchAll(/(-?[\d.]+) (-?[\d.]+)/g)) out.push([Number(p[1]), Number(p[2])]);
  return out;
}

function wellFormed(svg: string): void {
  assert.match(svg, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /<\/svg>\n$/);
  // Balanced tags: every non-self-closing open tag is closed, in order.
  const stack: string[] = [];
  for (const m of svg.replace(/^<\?xml[^>]*>/, '').matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    if (m[3]) continue;
    if (m[1]) assert.equal(stack.pop(), m[2], `</${m[2]}> closes the open tag`);
    else stack.push(m[2]);
  }
  assert.deepEqual(stack, []);
  assert.doesNotMatch(svg, /NaN|undefined|Infinity/);
}

describe('chart SVG export', () => {
  it('a line chart: one path through every data point, axes ticks and titles as text', () => {
    const data = [
      { x: 1, y: 0.2 },
      { x: 2, y: 0.45 },
      { x: 3, y: 0.61 },
      { x: 4, y: 0.58 },
    ];
    const src = sourceChart({
      type: 'line',
      data: { datasets: [{ label: 'val Dice', data, borderColor: '#3794ff', backgroundColor: 'rgba(55,148,255,0.5)', pointRadius: 0 }] },
      options: { parsing: true, scales: { x: { type: 'linear', title: { display: true, text: 'epoch' } }, y: { type: 'linear', title: { display: true, text: 'Dice' } } }, plugins: { legend: { display: true } } },
    });
    const svg = chartSvg(src, 'Validation', approximateMeasurer);
    wellFormed(svg);
    assert.match(svg, /width="476" height="280" viewBox="0 0 476 280"/);
    assert.match(svg, /<title>Validation<\/title>/);
    // The data line: stroked in the dataset's colour, through each point's pixel position.
    const line = [...svg.matchAll(/<path d="([^"]+)" fill="none" stroke="#3794ff"[^>]*\/>/g)];
    assert.equal(line.length >= 1, true, 'a stroked path in the series colour');
    const pts = pathPoints(line.map((m) => `<path d="${m[1]}"`).join(''));
    for (const p of data) {
      const px = src.scales.x.getPixelForValue(p.x);
      const py = src.scales.y.getPixelForValue(p.y);
      assert.ok(pts.some(([x, y]) => Math.abs(x - px) < 0.02 && Math.abs(y - py) < 0.02), `the line passes through (${p.x}, ${p.y}) at (${px}, ${py})`);
    }
    // Axis titles, tick labels and the legend are text, not pixels.
    assert.match(svg, />epoch<\/text>/);
    assert.match(svg, /<text [^>]*transform="matrix\([^)]*\)"[^>]*>Dice<\/text>/, 'the y title is rotated text');
    assert.match(svg, />val Dice<\/text>/);
    for (const tick of src.scales.y.ticks) assert.ok(svg.includes(`>${tick.label}</text>`), `y tick ${tick.label}`);
    src.destroy();
  });

  it('a scatter: one circle (two arcs) per point at its position; hidden datasets stay out', () => {
    const pts = [
      { x: 0.1, y: 0.2 },
      { x: 0.5, y: 0.9 },
      { x: 0.8, y: 0.4 },
    ];
    const src = sourceChart({
      type: 'scatter',
      data: { datasets: [{ label: 'malignant', data: pts, backgroundColor: '#f14c4c80', borderColor: '#f14c4c', pointRadius: 3 }, { label: 'hidden one', data: [{ x: 0.3, y: 0.3 }], borderColor: '#00ff00', hidden: true }] },
      options: { scales: { x: { type: 'linear', min: 0, max: 1 }, y: { type: 'linear', min: 0, max: 1 } } },
    });
    const svg = chartSvg(src, undefined, approximateMeasurer);
    wellFormed(svg);
    const circles = [...svg.matchAll(/<path d="M(-?[\d.]+) (-?[\d.]+)A3 3 0 0 1 [^"]*A3 3 0 0 1 [^"]*Z?" fill="#f14c4c" fill-opacity="0.502"\/>/g)];
    assert.equal(circles.length, pts.length, 'one filled circle per point, alpha kept as fill-opacity');
    for (const p of pts) {
      const cx = src.scales.x.getPixelForValue(p.x);
      const cy = src.scales.y.getPixelForValue(p.y);
      // The circle starts at angle 0: (cx + r, cy).
      assert.ok(circles.some((c) => Math.abs(Number(c[1]) - (cx + 3)) < 0.02 && Math.abs(Number(c[2]) - cy) < 0.02), `a circle at (${cx}, ${cy})`);
    }
    assert.doesNotMatch(svg, /A[^"]*"[^>]*#00ff00/, 'a hidden dataset has no points drawn (its legend box stays)');
    src.destroy();
  });

  it('bars: one filled rect per bar, categories as tick text', () => {
    const src = sourceChart({
      type: 'bar',
      data: { labels: ['BUSI', 'BUS-BRA'], datasets: [{ label: 'single', data: [0.6, 0.7], backgroundColor: 'rgba(209,134,22,0.7)' }] },
      options: { scales: { x: { type: 'category' }, y: { type: 'linear', min: 0, max: 1 } } },
    });
    const svg = chartSvg(src, undefined, approximateMeasurer);
    wellFormed(svg);
    const zero = src.scales.y.getPixelForValue(0);
    // Filled rects in the dataset colour standing on y = 0 (the legend's box is the other one).
    const bars = [...svg.matchAll(/<path d="([^"]+)" fill="rgb\(209,134,22\)" fill-opacity="0.7"\/>/g)].filter((b) => pathPoints(`<path d="${b[1]}"`).some((p) => Math.abs(p[1] - zero) < 1));
    assert.equal(bars.length, 2);
    const tops = bars.map((b) => Math.min(...pathPoints(`<path d="${b[1]}"`).map((p) => p[1])));
    assert.ok(Math.abs(tops[0] - src.scales.y.getPixelForValue(0.6)) < 1);
    assert.ok(Math.abs(tops[1] - src.scales.y.getPixelForValue(0.7)) < 1);
    assert.match(svg, />BUSI<\/text>/);
    assert.match(svg, />BUS-BRA<\/text>/);
    src.destroy();
  });

  it('text is escaped; colours and fonts map to SVG attributes', () => {
    const ctx = new SvgContext(10, 10);
    ctx.font = 'bold 12px "Segoe UI", sans-serif';
    ctx.fillStyle = '#112233';
    ctx.fillText('a < b & "c"', 1, 2);
    const svg = ctx.toSvg();
    assert.match(svg, />a &lt; b &amp; &quot;c&quot;<\/text>/);
    assert.deepEqual(svgPaint('rgba(1, 2, 3, 0.25)'), { paint: 'rgb(1,2,3)', opacity: 0.25 });
    assert.deepEqual(svgPaint('#11223380'), { paint: '#112233', opacity: 128 / 255 });
    assert.equal(fontAttrs('bold 12px "Segoe UI", sans-serif').attrs, `font-size="12" font-family="&apos;Segoe UI&apos;, sans-serif" font-weight="bold"`);
  });
});

describe('chart PNG export', () => {
  it('renders again at devicePixelRatio 3: the canvas is 3x the chart, drawn under a 3x transform', () => {
    const src = sourceChart({ type: 'line', data: { datasets: [{ data: [{ x: 0, y: 0 }, { x: 1, y: 1 }], borderColor: '#000000' }] }, options: { scales: { x: { type: 'linear' }, y: { type: 'linear' } } } });
    // A stand-in canvas (no canvas in Node): the same size logic as the webview's <canvas>.
    const target = new SvgContext(1, 1);
    let transforms: number[][] = [];
    const orig = target.setTransform.bind(target);
    target.setTransform = ((...a: number[]) => {
      transforms.push(a);
      orig(...(a as [number]));
    }) as never;
    const copy = renderOffscreen(src, target.canvas, 3);
    assert.equal(target.canvas.width, W * 3);
    assert.equal(target.canvas.height, H * 3);
    assert.equal(copy.width, W, 'layout in CSS pixels, as on screen');
    assert.ok(transforms.some((t) => t[0] === 3 && t[3] === 3), 'drawn under a 3x transform, not upscaled');
    copy.destroy();
    transforms = [];
    src.destroy();
  });
});

describe('saveFile takes SVG', () => {
  it('the dashboard and comparison send format svg as text; unknown formats are dropped', () => {
    const svg = '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>';
    assert.deepEqual(parseDashboardMessage({ type: 'saveFile', fileName: 'val-chart.svg', format: 'svg', data: svg }), { type: 'saveFile', fileName: 'val-chart.svg', format: 'svg', data: svg });
    assert.equal(parseComparisonMessage({ type: 'saveFile', fileName: 'bars.svg', format: 'svg', data: svg })?.type, 'saveFile');
    assert.equal(parseDashboardMessage({ type: 'saveFile', fileName: 'val-chart.gif', format: 'gif', data: 'x' }), undefined);
  });
});

describe('run colours', () => {
  const runs = [
    { id: 'b-run', createdAt: '2026-01-02T00:00:00Z' },
    { id: 'a-run', createdAt: '2026-01-03T00:00:00Z' },
    { id: 'c-run', createdAt: '2026-01-01T00:00:00Z' },
  ];
  it('by creation order, whatever the order of the list', () => {
    const palette = ['p0', 'p1', 'p2', 'p3'];
    assert.equal(runColour('c-run', runs, palette), 'p0');
    assert.equal(runColour('b-run', runs, palette), 'p1');
    assert.equal(runColour('a-run', [...runs].reverse(), palette), 'p2');
    // A newer run leaves older runs' colours alone.
    assert.equal(runColour('b-run', [...runs, { id: 'z', createdAt: '2027-01-01T00:00:00Z' }], palette), 'p1');
  });
  it('runs side by side (comparison methods): their own colours, or distinct ones in order', () => {
    const palette = ['p0', 'p1', 'p2', 'p3'];
    assert.deepEqual(coloursFor(['a-run', 'c-run'], runs, palette), ['p2', 'p0'], 'the same colours as in the dashboard');
    assert.deepEqual(coloursFor(['a-run', 'elsewhere'], runs, palette), ['p0', 'p1'], 'a run not in the list: the palette in order');
  });
  it('a run not in the list: a stable colour from its id', () => {
    const i = runColourIndex('elsewhere', runs, 7);
    assert.equal(runColourIndex('elsewhere', [], 7), i);
    assert.ok(i >= 0 && i < 7);
  });
});
