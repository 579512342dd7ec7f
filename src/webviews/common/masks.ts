/**
 * Pixel work for the mask gallery, on plain RGBA arrays (what canvas getImageData returns), so it
 * is testable without a browser: a binary mask's contour, and the probability heat-map colours.
 */

/** Inside = red channel above `threshold` (masks are grey PNGs: 0 outside, 255 inside). */
export function maskFromRgba(rgba: Uint8ClampedArray | Uint8Array, width: number, height: number, threshold = 127): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let i = 0, p = 0; i < out.length; i++, p += 4) out[i] = rgba[p] > threshold && rgba[p + 3] > 0 ? 1 : 0;
  return out;
}

/**
 * Contour of a binary mask: inside pixels with at least one 4-neighbour outside (the image border
 * counts as outside), grown to `thickness` pixels inwards and outwards by a square dilation.
 */
export function maskContour(mask: Uint8Array, width: number, height: number, thickness = 1): Uint8Array {
  const edge = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (!mask[i]) continue;
      if (x === 0 || y === 0 || x === width - 1 || y === height - 1 || !mask[i - 1] || !mask[i + 1] || !mask[i - width] || !mask[i + width]) edge[i] = 1;
    }
  }
  const r = Math.max(0, Math.floor((thickness - 1) / 2));
  if (r === 0) return edge;
  const grown = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!edge[y * width + x]) continue;
      for (let dy = -r; dy <= r; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        for (let dx = -r; dx <= r; dx++) {
          const xx = x + dx;
          if (xx >= 0 && xx < width) grown[yy * width + xx] = 1;
        }
      }
    }
  }
  return grown;
}

/** Parses "#rrggbb" into [r, g, b]; anything else gives white. */
export function parseHex(color: string): [number, number, number] {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})/i.exec(color.trim());
  return m ? [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)] : [255, 255, 255];
}

/** Writes `color` with `alpha` (0-255) into an RGBA array wherever `on` is set; the rest transparent. */
export function paintMask(on: Uint8Array, color: [number, number, number], alpha: number, out: Uint8ClampedArray): void {
  for (let i = 0, p = 0; i < on.length; i++, p += 4) {
    if (on[i]) {
      out[p] = color[0];
      out[p + 1] = color[1];
      out[p + 2] = color[2];
      out[p + 3] = alpha;
    } else out[p + 3] = 0;
  }
}

const HEAT_STOPS: [number, [number, number, number]][] = [
  [0, [0, 0, 4]],
  [0.25, [87, 16, 110]],
  [0.5, [188, 55, 84]],
  [0.75, [249, 142, 9]],
  [1, [252, 255, 164]],
];

/** An inferno-like colour for p in [0, 1]. */
export function heatColor(p: number): [number, number, number] {
  const v = Math.min(1, Math.max(0, Number.isFinite(p) ? p : 0));
  for (let k = 1; k < HEAT_STOPS.length; k++) {
    const [t1, c1] = HEAT_STOPS[k];
    if (v <= t1) {
      const [t0, c0] = HEAT_STOPS[k - 1];
      const f = (v - t0) / (t1 - t0);
      return [Math.round(c0[0] + (c1[0] - c0[0]) * f), Math.round(c0[1] + (c1[1] - c0[1]) * f), Math.round(c0[2] + (c1[2] - c0[2]) * f)];
    }
  }
  return HEAT_STOPS[HEAT_STOPS.length - 1][1];
}

/** Heat-map RGBA from a grey probability PNG's RGBA (0-255); alpha grows with the probability. */
export function heatmapRgba(probRgba: Uint8ClampedArray | Uint8Array, out: Uint8ClampedArray, maxAlpha = 170): void {
  for (let p = 0; p < out.length; p += 4) {
    const v = probRgba[p] / 255;
    const [r, g, b] = heatColor(v);
    out[p] = r;
    out[p + 1] = g;
    out[p + 2] = b;
    out[p + 3] = Math.round(maxAlpha * Math.min(1, v * 1.25));
  }
}
