/**
 * The overlay picture of a prediction: the grey image with the predicted lesion tinted and its
 * contour drawn, as an RGB PNG at the image's original size.
 */
import { PNG } from 'pngjs';

/** Amber: visible on grey B-mode images, distinct from the red/green of colour Doppler. */
const CONTOUR: [number, number, number] = [255, 190, 0];
const FILL_ALPHA = 0.25;

/** 1 where a lesion pixel touches background (or the border) within `radius` pixels. */
export function contourPixels(mask: Uint8Array, width: number, height: number, radius = 1): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!mask[y * width + x]) continue;
      let edge = false;
      for (let dy = -radius; dy <= radius && !edge; dy++) {
        for (let dx = -radius; dx <= radius && !edge; dx++) {
          const yy = y + dy;
          const xx = x + dx;
          if (yy < 0 || yy >= height || xx < 0 || xx >= width || !mask[yy * width + xx]) edge = true;
        }
      }
      if (edge) out[y * width + x] = 1;
    }
  }
  return out;
}

/** RGB pixels (3 bytes each) of the overlay. */
export function renderOverlay(grey: Uint8Array, mask: Uint8Array, width: number, height: number): Uint8Array {
  if (grey.length !== width * height || mask.length !== width * height) throw new Error(`overlay: image or mask is not ${width}x${height}`);
  // A contour about 1/256 of the image wide stays visible when the picture is shown scaled down.
  const contour = contourPixels(mask, width, height, Math.max(1, Math.round(Math.max(width, height) / 256)));
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0, p = 0; i < grey.length; i++, p += 3) {
    const g = grey[i];
    if (contour[i]) {
      rgb[p] = CONTOUR[0];
      rgb[p + 1] = CONTOUR[1];
      rgb[p + 2] = CONTOUR[2];
    } else if (mask[i]) {
      rgb[p] = Math.round(g * (1 - FILL_ALPHA) + CONTOUR[0] * FILL_ALPHA);
      rgb[p + 1] = Math.round(g * (1 - FILL_ALPHA) + CONTOUR[1] * FILL_ALPHA);
      rgb[p + 2] = Math.round(g * (1 - FILL_ALPHA) + CONTOUR[2] * FILL_ALPHA);
    } else {
      rgb[p] = rgb[p + 1] = rgb[p + 2] = g;
    }
  }
  return rgb;
}

export function encodeRgbPng(rgb: Uint8Array, width: number, height: number): Buffer {
  const png = new PNG({ width, height, colorType: 2, inputColorType: 2, inputHasAlpha: false, bitDepth: 8 });
  png.data = Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength);
  return PNG.sync.write(png, { colorType: 2, inputColorType: 2, inputHasAlpha: false, bitDepth: 8, filterType: 1 });
}
