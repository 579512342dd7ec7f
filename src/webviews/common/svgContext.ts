/**
 * A recording stand-in for CanvasRenderingContext2D that writes SVG: Chart.js draws into it as
 * into a canvas, and `toSvg()` returns a vector figure (paths, circles as arcs, text as <text>).
 * It covers what Chart.js 4 uses for our chart types (lines, scatter points, bars, whiskers,
 * axes, ticks, titles, legend): paths, rects, arcs, ellipses, text, transforms, dashes, clipping,
 * alpha and the background plugin's `destination-over`. No DOM: text widths come from an
 * injected measurer (the webview passes a real canvas's), so it runs in unit tests too.
 */

type Matrix = [number, number, number, number, number, number]; // a b c d e f, as in DOMMatrix

const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];

function multiply(m: Matrix, n: Matrix): Matrix {
  return [
    m[0] * n[0] + m[2] * n[1],
    m[1] * n[0] + m[3] * n[1],
    m[0] * n[2] + m[2] * n[3],
    m[1] * n[2] + m[3] * n[3],
    m[0] * n[4] + m[2] * n[5] + m[4],
    m[1] * n[4] + m[3] * n[5] + m[5],
  ];
}

function num(v: number): string {
  const r = Math.round(v * 100) / 100;
  return Object.is(r, -0) ? '0' : String(r);
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

/** A CSS colour as an SVG paint and opacity (SVG 1.1 readers do not all take rgba() or #rrggbbaa). */
export function svgPaint(color: unknown): { paint: string; opacity: number } {
  if (typeof color !== 'string') return { paint: 'none', opacity: 1 }; // gradients/patterns: not used by our charts
  const c = color.trim();
  let m = /^#([0-9a-f]{6})([0-9a-f]{2})$/i.exec(c);
  if (m) return { paint: '#' + m[1], opacity: parseInt(m[2], 16) / 255 };
  m = /^#([0-9a-f]{3})([0-9a-f])$/i.exec(c);
  if (m) return { paint: '#' + m[1], opacity: parseInt(m[2] + m[2], 16) / 255 };
  m = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:[\s,/]+([\d.]+)(%?))?\s*\)$/i.exec(c);
  if (m) {
    const a = m[4] === undefined ? 1 : Number(m[4]) / (m[5] ? 100 : 1);
    return { paint: `rgb(${Math.round(Number(m[1]))},${Math.round(Number(m[2]))},${Math.round(Number(m[3]))})`, opacity: a };
  }
  if (c === 'transparent') return { paint: 'none', opacity: 0 };
  return { paint: c, opacity: 1 };
}

/** Splits a canvas font shorthand ("italic bold 12px Segoe UI") into SVG attributes. */
export function fontAttrs(font: string): { size: number; attrs: string } {
  const m = /^\s*((?:(?:italic|oblique|normal|bold|bolder|lighter|\d{3}|small-caps)\s+)*)([\d.]+)px(?:\/\S+)?\s+(.+)$/i.exec(font);
  if (!m) return { size: 10, attrs: 'font-size="10" font-family="sans-serif"' };
  const words = m[1].trim().split(/\s+/).filter(Boolean);
  const style = words.find((w) => /^(italic|oblique)$/i.test(w));
  const weight = words.find((w) => /^(bold|bolder|lighter|\d{3})$/i.test(w));
  const family = m[3].trim().replace(/"/g, "'");
  const size = Number(m[2]);
  return {
    size,
    attrs: `font-size="${num(size)}" font-family="${escapeXml(family)}"` + (style ? ` font-style="${style}"` : '') + (weight ? ` font-weight="${weight}"` : ''),
  };
}

interface State {
  transform: Matrix;
  fillStyle: unknown;
  strokeStyle: unknown;
  lineWidth: number;
  lineCap: CanvasLineCap;
  lineJoin: CanvasLineJoin;
  miterLimit: number;
  lineDash: number[];
  lineDashOffset: number;
  globalAlpha: number;
  globalCompositeOperation: string;
  font: string;
  textAlign: CanvasTextAlign;
  textBaseline: CanvasTextBaseline;
  clipId: string | null;
}

/** Path commands already in device (SVG) coordinates. */
class PathBuilder {
  d: string[] = [];
  private start: [number, number] | null = null;
  private current: [number, number] | null = null;

  move(x: number, y: number): void {
    this.d.push(`M${num(x)} ${num(y)}`);
    this.start = [x, y];
    this.current = [x, y];
  }
  line(x: number, y: number): void {
    if (!this.current) return this.move(x, y);
    this.d.push(`L${num(x)} ${num(y)}`);
    this.current = [x, y];
  }
  cubic(c1: [number, number], c2: [number, number], p: [number, number]): void {
    if (!this.current) this.move(c1[0], c1[1]);
    this.d.push(`C${num(c1[0])} ${num(c1[1])} ${num(c2[0])} ${num(c2[1])} ${num(p[0])} ${num(p[1])}`);
    this.current = p;
  }
  quad(c: [number, number], p: [number, number]): void {
    if (!this.current) this.move(c[0], c[1]);
    this.d.push(`Q${num(c[0])} ${num(c[1])} ${num(p[0])} ${num(p[1])}`);
    this.current = p;
  }
  arcTo(rx: number, ry: number, rot: number, large: boolean, sweep: boolean, p: [number, number]): void {
    this.d.push(`A${num(rx)} ${num(ry)} ${num(rot)} ${large ? 1 : 0} ${sweep ? 1 : 0} ${num(p[0])} ${num(p[1])}`);
    this.current = p;
  }
  close(): void {
    if (!this.current) return;
    this.d.push('Z');
    this.current = this.start;
  }
  get hasCurrent(): boolean {
    return this.current !== null;
  }
  toString(): string {
    return this.d.join('');
  }
}

/**
 * The calls Chart.js makes on a Path2D, recorded for replay into an SvgContext (swapped in for
 * the global Path2D while a chart is drawn into SVG; see chartExport.ts).
 */
export class RecordingPath2D {
  readonly calls: [string, unknown[]][] = [];
  constructor(from?: RecordingPath2D) {
    if (from instanceof RecordingPath2D) this.calls.push(...from.calls);
  }
}
for (const name of ['moveTo', 'lineTo', 'bezierCurveTo', 'quadraticCurveTo', 'arc', 'ellipse', 'rect', 'closePath'] as const) {
  (RecordingPath2D.prototype as unknown as Record<string, unknown>)[name] = function (this: RecordingPath2D, ...args: unknown[]) {
    this.calls.push([name, args]);
  };
}

export type TextMeasurer = (text: string, font: string) => number;

/** Rough widths for when no canvas is at hand (unit tests): 0.55 em per character. */
export const approximateMeasurer: TextMeasurer = (text, font) => text.length * fontAttrs(font).size * 0.55;

export class SvgContext {
  /** Chart.js reads the canvas size from here (BasicPlatform). */
  readonly canvas: { width: number; height: number; getContext(kind: string): SvgContext | null };
  private state: State;
  private readonly stack: State[] = [];
  private path = new PathBuilder();
  private readonly body: string[] = [];
  private readonly defs: string[] = [];
  private clipCount = 0;

  constructor(
    width: number,
    height: number,
    private readonly measurer: TextMeasurer = approximateMeasurer,
  ) {
    this.canvas = { width, height, getContext: (kind: string) => (kind === '2d' ? this : null) };
    this.state = {
      transform: [...IDENTITY],
      fillStyle: '#000000',
      strokeStyle: '#000000',
      lineWidth: 1,
      lineCap: 'butt',
      lineJoin: 'miter',
      miterLimit: 10,
      lineDash: [],
      lineDashOffset: 0,
      globalAlpha: 1,
      globalCompositeOperation: 'source-over',
      font: '10px sans-serif',
      textAlign: 'start',
      textBaseline: 'alphabetic',
      clipId: null,
    };
  }

  // ---- state ----
  get fillStyle(): unknown { return this.state.fillStyle; }
  set fillStyle(v: unknown) { this.state.fillStyle = v; }
  get strokeStyle(): unknown { return this.state.strokeStyle; }
  set strokeStyle(v: unknown) { this.state.strokeStyle = v; }
  get lineWidth(): number { return this.state.lineWidth; }
  set lineWidth(v: number) { if (Number.isFinite(v) && v >= 0) this.state.lineWidth = v; }
  get lineCap(): CanvasLineCap { return this.state.lineCap; }
  set lineCap(v: CanvasLineCap) { this.state.lineCap = v; }
  get lineJoin(): CanvasLineJoin { return this.state.lineJoin; }
  set lineJoin(v: CanvasLineJoin) { this.state.lineJoin = v; }
  get miterLimit(): number { return this.state.miterLimit; }
  set miterLimit(v: number) { this.state.miterLimit = v; }
  get lineDashOffset(): number { return this.state.lineDashOffset; }
  set lineDashOffset(v: number) { this.state.lineDashOffset = v; }
  get globalAlpha(): number { return this.state.globalAlpha; }
  set globalAlpha(v: number) { if (Number.isFinite(v)) this.state.globalAlpha = Math.min(1, Math.max(0, v)); }
  get globalCompositeOperation(): string { return this.state.globalCompositeOperation; }
  set globalCompositeOperation(v: string) { this.state.globalCompositeOperation = v; }
  get font(): string { return this.state.font; }
  set font(v: string) { this.state.font = v; }
  get textAlign(): CanvasTextAlign { return this.state.textAlign; }
  set textAlign(v: CanvasTextAlign) { this.state.textAlign = v; }
  get textBaseline(): CanvasTextBaseline { return this.state.textBaseline; }
  set textBaseline(v: CanvasTextBaseline) { this.state.textBaseline = v; }
  // Not rendered in SVG; accepted so Chart.js can set them.
  shadowBlur = 0;
  shadowColor = 'transparent';
  shadowOffsetX = 0;
  shadowOffsetY = 0;
  imageSmoothingEnabled = true;
  direction: CanvasDirection = 'ltr';

  save(): void {
    this.stack.push({ ...this.state, transform: [...this.state.transform] as Matrix, lineDash: [...this.state.lineDash] });
  }
  restore(): void {
    const s = this.stack.pop();
    if (s) this.state = s;
  }
  setLineDash(segments: number[]): void {
    this.state.lineDash = segments.filter((v) => Number.isFinite(v) && v >= 0);
  }
  getLineDash(): number[] {
    return [...this.state.lineDash];
  }

  // ---- transforms ----
  setTransform(a: number | { a: number; b: number; c: number; d: number; e: number; f: number }, b = 0, c = 0, d = 1, e = 0, f = 0): void {
    this.state.transform = typeof a === 'object' ? [a.a, a.b, a.c, a.d, a.e, a.f] : [a, b, c, d, e, f];
  }
  resetTransform(): void {
    this.state.transform = [...IDENTITY];
  }
  transform(a: number, b: number, c: number, d: number, e: number, f: number): void {
    this.state.transform = multiply(this.state.transform, [a, b, c, d, e, f]);
  }
  translate(x: number, y: number): void {
    this.transform(1, 0, 0, 1, x, y);
  }
  scale(x: number, y: number): void {
    this.transform(x, 0, 0, y, 0, 0);
  }
  rotate(angle: number): void {
    const c = Math.cos(angle);
    const s = Math.sin(angle);
    this.transform(c, s, -s, c, 0, 0);
  }
  private pt(x: number, y: number): [number, number] {
    const m = this.state.transform;
    return [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];
  }
  /** Uniform scale and rotation of the current transform (arcs assume no skew). */
  private similarity(): { scale: number; angle: number } {
    const m = this.state.transform;
    return { scale: Math.hypot(m[0], m[1]), angle: Math.atan2(m[1], m[0]) };
  }

  // ---- paths ----
  beginPath(): void {
    this.path = new PathBuilder();
  }
  closePath(): void {
    this.path.close();
  }
  moveTo(x: number, y: number): void {
    this.path.move(...this.pt(x, y));
  }
  lineTo(x: number, y: number): void {
    this.path.line(...this.pt(x, y));
  }
  bezierCurveTo(c1x: number, c1y: number, c2x: number, c2y: number, x: number, y: number): void {
    this.path.cubic(this.pt(c1x, c1y), this.pt(c2x, c2y), this.pt(x, y));
  }
  quadraticCurveTo(cx: number, cy: number, x: number, y: number): void {
    this.path.quad(this.pt(cx, cy), this.pt(x, y));
  }
  rect(x: number, y: number, w: number, h: number): void {
    this.moveTo(x, y);
    this.lineTo(x + w, y);
    this.lineTo(x + w, y + h);
    this.lineTo(x, y + h);
    this.closePath();
  }
  roundRect(x: number, y: number, w: number, h: number): void {
    this.rect(x, y, w, h);
  }
  arc(x: number, y: number, r: number, start: number, end: number, ccw = false): void {
    this.ellipse(x, y, r, r, 0, start, end, ccw);
  }
  ellipse(x: number, y: number, rx: number, ry: number, rotation: number, start: number, end: number, ccw = false): void {
    if (!(rx >= 0 && ry >= 0)) return;
    const TAU = Math.PI * 2;
    let sweep = ccw ? start - end : end - start;
    if (sweep >= TAU || sweep <= -TAU) sweep = TAU;
    else sweep = ((sweep % TAU) + TAU) % TAU;
    const at = (a: number): [number, number] => {
      const cos = Math.cos(rotation);
      const sin = Math.sin(rotation);
      const px = rx * Math.cos(a);
      const py = ry * Math.sin(a);
      return this.pt(x + px * cos - py * sin, y + px * sin + py * cos);
    };
    const p0 = at(start);
    if (this.path.hasCurrent) this.path.line(...p0);
    else this.path.move(...p0);
    if (sweep === 0) return;
    const { scale, angle } = this.similarity();
    const rot = ((rotation + angle) * 180) / Math.PI;
    const dir = ccw ? -1 : 1;
    const sweepFlag = !ccw;
    if (sweep >= TAU - 1e-9) {
      // A full turn: two half arcs (one SVG arc cannot end where it starts).
      this.path.arcTo(rx * scale, ry * scale, rot, false, sweepFlag, at(start + dir * Math.PI));
      this.path.arcTo(rx * scale, ry * scale, rot, false, sweepFlag, at(start + dir * TAU));
      return;
    }
    this.path.arcTo(rx * scale, ry * scale, rot, sweep > Math.PI, sweepFlag, at(start + dir * sweep));
  }

  private replay(p: RecordingPath2D): void {
    this.beginPath();
    for (const [name, args] of p.calls) (this as unknown as Record<string, (...a: unknown[]) => void>)[name](...args);
  }

  // ---- drawing ----
  private styleAttrs(kind: 'fill' | 'stroke', fillRule?: CanvasFillRule): string {
    const a = this.state.globalAlpha;
    if (kind === 'fill') {
      const { paint, opacity } = svgPaint(this.state.fillStyle);
      const o = opacity * a;
      return `fill="${escapeXml(paint)}"` + (o < 1 ? ` fill-opacity="${Math.round(o * 1000) / 1000}"` : '') + (fillRule === 'evenodd' ? ' fill-rule="evenodd"' : '');
    }
    const { paint, opacity } = svgPaint(this.state.strokeStyle);
    const o = opacity * a;
    const s = this.state;
    const width = s.lineWidth * this.similarity().scale;
    const dash = s.lineDash.length ? ` stroke-dasharray="${s.lineDash.map((v) => num(v * this.similarity().scale)).join(' ')}"` + (s.lineDashOffset ? ` stroke-dashoffset="${num(s.lineDashOffset)}"` : '') : '';
    return (
      `fill="none" stroke="${escapeXml(paint)}" stroke-width="${num(width)}"` +
      (o < 1 ? ` stroke-opacity="${Math.round(o * 1000) / 1000}"` : '') +
      (s.lineCap !== 'butt' ? ` stroke-linecap="${s.lineCap}"` : '') +
      (s.lineJoin !== 'miter' ? ` stroke-linejoin="${s.lineJoin}"` : '') +
      dash
    );
  }

  private emit(element: string): void {
    // A group carries the clip, so it applies in page coordinates even to transformed text.
    const el = this.state.clipId ? `<g clip-path="url(#${this.state.clipId})">${element}</g>` : element;
    if (this.state.globalCompositeOperation === 'destination-over') this.body.unshift(el);
    else this.body.push(el);
  }

  fill(pathOrRule?: RecordingPath2D | CanvasFillRule, rule?: CanvasFillRule): void {
    if (pathOrRule instanceof RecordingPath2D) this.replay(pathOrRule);
    const fillRule = typeof pathOrRule === 'string' ? pathOrRule : rule;
    const d = this.path.toString();
    if (!d || svgPaint(this.state.fillStyle).paint === 'none') return;
    this.emit(`<path d="${d}" ${this.styleAttrs('fill', fillRule)}/>`);
  }
  stroke(path?: RecordingPath2D): void {
    if (path instanceof RecordingPath2D) this.replay(path);
    const d = this.path.toString();
    if (!d || this.state.lineWidth === 0 || svgPaint(this.state.strokeStyle).paint === 'none') return;
    this.emit(`<path d="${d}" ${this.styleAttrs('stroke')}/>`);
  }
  clip(pathOrRule?: RecordingPath2D | CanvasFillRule): void {
    if (pathOrRule instanceof RecordingPath2D) this.replay(pathOrRule);
    const id = `clip${++this.clipCount}`;
    this.defs.push(`<clipPath id="${id}"><path d="${this.path.toString()}"/></clipPath>`);
    this.state.clipId = id;
  }
  fillRect(x: number, y: number, w: number, h: number): void {
    const saved = this.path;
    this.path = new PathBuilder();
    this.rect(x, y, w, h);
    this.fill();
    this.path = saved;
  }
  strokeRect(x: number, y: number, w: number, h: number): void {
    const saved = this.path;
    this.path = new PathBuilder();
    this.rect(x, y, w, h);
    this.stroke();
    this.path = saved;
  }
  /** Clearing the whole canvas (Chart.js does before each draw) drops what was drawn. */
  clearRect(x: number, y: number, w: number, h: number): void {
    const [x0, y0] = this.pt(x, y);
    const [x1, y1] = this.pt(x + w, y + h);
    if (x0 <= 0 && y0 <= 0 && x1 >= this.canvas.width && y1 >= this.canvas.height) this.body.length = 0;
  }

  measureText(text: string): TextMetrics {
    const width = this.measurer(String(text), this.state.font);
    const size = fontAttrs(this.state.font).size;
    return {
      width,
      actualBoundingBoxLeft: 0,
      actualBoundingBoxRight: width,
      actualBoundingBoxAscent: size * 0.8,
      actualBoundingBoxDescent: size * 0.2,
      fontBoundingBoxAscent: size * 0.8,
      fontBoundingBoxDescent: size * 0.2,
    } as TextMetrics;
  }

  private text(text: string, x: number, y: number, kind: 'fill' | 'stroke'): void {
    const s = this.state;
    const { size, attrs } = fontAttrs(s.font);
    const anchor = s.textAlign === 'center' ? 'middle' : s.textAlign === 'right' || (s.textAlign === 'end' && this.direction === 'ltr') ? 'end' : s.textAlign === 'left' || s.textAlign === 'start' ? 'start' : 'start';
    // Baselines as offsets from the alphabetic one (dominant-baseline is not read everywhere).
    const dy = s.textBaseline === 'top' || s.textBaseline === 'hanging' ? size * 0.8 : s.textBaseline === 'middle' ? size * 0.35 : s.textBaseline === 'bottom' || s.textBaseline === 'ideographic' ? -size * 0.2 : 0;
    const m = s.transform;
    const placed = m[0] === 1 && m[1] === 0 && m[2] === 0 && m[3] === 1;
    const pos = placed ? `x="${num(x + m[4])}" y="${num(y + m[5] + dy)}"` : `x="${num(x)}" y="${num(y + dy)}" transform="matrix(${m.map(num).join(' ')})"`;
    const paint = kind === 'fill' ? this.styleAttrs('fill') : this.styleAttrs('stroke');
    this.emit(`<text ${pos} ${attrs}${anchor !== 'start' ? ` text-anchor="${anchor}"` : ''} ${paint}>${escapeXml(text)}</text>`);
  }
  fillText(text: string, x: number, y: number): void {
    this.text(String(text), x, y, 'fill');
  }
  strokeText(text: string, x: number, y: number): void {
    this.text(String(text), x, y, 'stroke');
  }
  drawImage(): void {
    // Image point styles are not used by our charts.
  }
  isPointInPath(): boolean {
    return false;
  }

  /** The whole figure as a standalone SVG document. */
  toSvg(title?: string): string {
    const { width, height } = this.canvas;
    return (
      `<?xml version="1.0" encoding="UTF-8"?>\n` +
      `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">\n` +
      (title ? `<title>${escapeXml(title)}</title>\n` : '') +
      (this.defs.length ? `<defs>${this.defs.join('')}</defs>\n` : '') +
      this.body.join('\n') +
      '\n</svg>\n'
    );
  }
}
