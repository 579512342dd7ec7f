/** Analytic binary masks for feature tests: discs, ellipses, stars drawn at pixel centres. */
export function drawMask(size: number, inside: (x: number, y: number) => boolean): Float32Array {
  const m = new Float32Array(size * size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) m[y * size + x] = inside(x + 0.5, y + 0.5) ? 1 : 0;
  return m;
}

export const disc = (size: number, r: number) => drawMask(size, (x, y) => (x - size / 2) ** 2 + (y - size / 2) ** 2 < r * r);

export const ellipse = (size: number, rx: number, ry: number) =>
  drawMask(size, (x, y) => ((x - size / 2) / rx) ** 2 + ((y - size / 2) / ry) ** 2 < 1);

/** A spiculated star: radius modulated by `spikes` lobes of relative depth `depth`, scaled to the
 * area of a disc of radius `r` (mean of r(t)^2 is r0^2 (1 + depth^2 / 2)). */
export const star = (size: number, r: number, spikes = 8, depth = 0.35) => {
  const r0 = r / Math.sqrt(1 + (depth * depth) / 2);
  return drawMask(size, (x, y) => {
    const dx = x - size / 2;
    const dy = y - size / 2;
    return Math.hypot(dx, dy) < r0 * (1 + depth * Math.cos(spikes * Math.atan2(dy, dx)));
  });
};

export const area = (m: Float32Array) => m.reduce((a, b) => a + b, 0);
