/**
 * A decoded image, 8 bits per sample, packed row-major with `channels` samples per pixel:
 * 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA. Decoders keep the file's own layout (no expansion to
 * RGBA) because most dataset files are grey and the pipeline wants grey.
 */
export interface RasterImage {
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  /** width * height * channels bytes. */
  data: Uint8Array;
}

/** The same image as RGBA (for code that needs colours, e.g. colour-coded masks). */
export function toRgba(img: RasterImage): Uint8Array {
  if (img.channels === 4) return img.data;
  const n = img.width * img.height;
  const out = new Uint8Array(n * 4);
  const d = img.data;
  for (let i = 0, o = 0; i < n; i++, o += 4) {
    if (img.channels === 1) {
      out[o] = out[o + 1] = out[o + 2] = d[i];
      out[o + 3] = 255;
    } else if (img.channels === 2) {
      out[o] = out[o + 1] = out[o + 2] = d[2 * i];
      out[o + 3] = d[2 * i + 1];
    } else {
      out[o] = d[3 * i];
      out[o + 1] = d[3 * i + 1];
      out[o + 2] = d[3 * i + 2];
      out[o + 3] = 255;
    }
  }
  return out;
}
