/**
 * The U-Net's arithmetic per image, counted as direct convolution, so that a faster algorithm
 * (Winograd, FFT) shows as more GFLOP/s rather than as less work. `bus-lab bench` divides it by
 * the step time and by the measured FMA peak.
 *
 * Counted (one multiply-add = 2 FLOPs):
 *   conv          2 * OH * OW * Cin * Cout * KH * KW
 *   transposed    2 * IH * IW * Cin * Cout * KH * KW (every input pixel meets every tap); for the
 *                 U-Net's 2x2 stride-2 up-sampling each output pixel meets exactly one tap, so this
 *                 equals 2 * OH * OW * Cin * Cout, the direct count of its output size
 *   dense         2 * Cin * Cout (the malignancy head)
 * Not counted: batch norm, ReLU, bias, pooling, concatenation, sigmoid and the losses. They are
 * memory-bound and small: at 128 px, width 16 the net has 2.5 million activations per image, so
 * even 10 FLOPs each would be 25 MFLOP, under 2 % of the convolutions' 1.5 GFLOP.
 *
 * At 128 px, width 16, depth 4 this gives 1.5068 GFLOP per image forward, the 1.507 that issue
 * #17 quotes (the head's 1x1 conv adds 0.5 MFLOP; the classifier 512 FLOPs).
 */
export interface UNetFlopOptions {
  /** Input side in pixels; a multiple of 2^depth. */
  size: number;
  /** Base width (channels of the first level). */
  width: number;
  /** Down-sampling levels. */
  depth: number;
  withClassifier: boolean;
}

/**
 * A training step costs about three forward passes per image: the forward, the gradient with
 * respect to each layer's input and the gradient with respect to its weights, each the same
 * multiply-adds. (The first layer's input gradient is not needed, a 0.3 % overcount at width 16.)
 */
export const TRAINING_FLOPS_PER_FORWARD = 3;

function conv(size: number, cin: number, cout: number, kernel: number): number {
  return 2 * size * size * cin * cout * kernel * kernel;
}

/** Forward FLOPs per image, direct-convolution count (see the module comment for what counts). */
export function countUNetFlops(o: UNetFlopOptions): number {
  const { size, width, depth } = o;
  if (!Number.isInteger(depth) || depth < 1) throw new Error(`depth must be a positive integer, got ${depth}`);
  if (!Number.isInteger(width) || width < 1) throw new Error(`width must be a positive integer, got ${width}`);
  if (!Number.isInteger(size) || size < 1 || size % 2 ** depth !== 0) throw new Error(`size must be a multiple of ${2 ** depth}, got ${size}`);
  const w = Array.from({ length: depth + 1 }, (_, i) => width * 2 ** i);
  const side = (level: number) => size / 2 ** level;
  let flops = 0;
  let cin = 1;
  for (let i = 0; i < depth; i++) {
    flops += conv(side(i), cin, w[i]!, 3) + conv(side(i), w[i]!, w[i]!, 3);
    cin = w[i]!;
  }
  flops += conv(side(depth), w[depth - 1]!, w[depth]!, 3) + conv(side(depth), w[depth]!, w[depth]!, 3);
  for (let i = depth - 1; i >= 0; i--) {
    // 2x2 stride-2 transposed conv from level i+1: 2 * IH * IW * Cin * Cout * 4.
    flops += 2 * side(i + 1) * side(i + 1) * w[i + 1]! * w[i]! * 4;
    flops += conv(side(i), 2 * w[i]!, w[i]!, 3) + conv(side(i), w[i]!, w[i]!, 3);
  }
  flops += conv(size, w[0]!, 1, 1);
  if (o.withClassifier) flops += 2 * w[depth]!;
  return flops;
}

/** GFLOP/s from images per second and FLOPs per image. */
export function gflopsPerSecond(imagesPerSecond: number, flopsPerImage: number): number {
  return (imagesPerSecond * flopsPerImage) / 1e9;
}
