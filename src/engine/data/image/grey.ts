/**
 * Colour to grey. Ultrasound images are grey by nature; RGB copies and colour annotations are
 * reduced to luma. Transparent pixels are composited onto black, because a transparent region of
 * a B-mode image is "no echo", not "white" (BrEaST has 31 such images).
 */
import { RasterImage } from './raster';

/** Rec. 601 luma composited onto black, rounded to 8 bits. */
export function toGrey(img: RasterImage): Uint8Array {
  const n = img.width * img.height;
  const d = img.data;
  if (img.channels === 1) return d.slice(0, n);
  const out = new Uint8Array(n);
  if (img.channels === 2) {
    for (let i = 0; i < n; i++) out[i] = Math.round((d[2 * i] * d[2 * i + 1]) / 255);
  } else if (img.channels === 3) {
    for (let i = 0, p = 0; i < n; i++, p += 3) out[i] = Math.round(0.299 * d[p] + 0.587 * d[p + 1] + 0.114 * d[p + 2]);
  } else {
    for (let i = 0, p = 0; i < n; i++, p += 4) out[i] = Math.round(((0.299 * d[p] + 0.587 * d[p + 1] + 0.114 * d[p + 2]) * d[p + 3]) / 255);
  }
  return out;
}

/**
 * Mask level of each pixel: the brightest channel, composited onto black. Using the maximum
 * rather than luma keeps masks drawn in a pure colour (red, green) as bright as white ones.
 */
export function toMaskLevel(img: RasterImage): Uint8Array {
  const n = img.width * img.height;
  const d = img.data;
  if (img.channels === 1) return d.slice(0, n);
  const out = new Uint8Array(n);
  if (img.channels === 2) {
    for (let i = 0; i < n; i++) out[i] = Math.round((d[2 * i] * d[2 * i + 1]) / 255);
  } else if (img.channels === 3) {
    for (let i = 0, p = 0; i < n; i++, p += 3) out[i] = Math.max(d[p], d[p + 1], d[p + 2]);
  } else {
    for (let i = 0, p = 0; i < n; i++, p += 4) out[i] = Math.round((Math.max(d[p], d[p + 1], d[p + 2]) * d[p + 3]) / 255);
  }
  return out;
}
