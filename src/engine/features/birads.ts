/**
 * Differentiable BI-RADS-inspired morphology of a soft mask M in [0, 1], shape [B, H, W, 1].
 * Each function returns one value per image, [B], about 0 for a disc and growing with
 * irregularity (orientation lies in [0, 1]), with finite gradients everywhere, including on an
 * empty mask. Values are not clipped, because a clip would zero the gradient exactly where a
 * near-regular mask sits; instead denominators measured in pixels get +1 (one pixel of contour
 * or area, negligible for a real lesion) and square roots get eps.
 * The formulas are the project's own; docs/METHOD.md derives them.
 */
import type { Tensor, Tensor1D, Tensor4D, TF } from '../tf';

const EPS = 1e-6;

/** Sobel kernels scaled so that |grad| integrates to the contour length of a sharp edge. */
function sobelKernel(tf: TF): Tensor4D {
  const gx = [-1, 0, 1, -2, 0, 2, -1, 0, 1].map((v) => v / 8);
  const gy = [-1, -2, -1, 0, 0, 0, 1, 2, 1].map((v) => v / 8);
  const data: number[] = [];
  for (let i = 0; i < 9; i++) data.push(gx[i], gy[i]);
  return tf.tensor4d(data, [3, 3, 1, 2]);
}

/** Soft area A = sum(M), per image [B]. */
export function softArea(tf: TF, m: Tensor4D): Tensor1D {
  return tf.sum(m, [1, 2, 3]) as Tensor1D;
}

/**
 * Soft perimeter P = sum(sqrt(gx^2 + gy^2 + eps) - sqrt(eps)), with Sobel derivatives: the
 * subtraction keeps flat regions from adding length, the eps keeps the gradient finite at zero.
 */
export function softPerimeter(tf: TF, m: Tensor4D): Tensor1D {
  return tf.tidy(() => {
    const g = tf.conv2d(m, sobelKernel(tf), 1, 'same');
    const mag = tf.sub(tf.sqrt(tf.add(tf.sum(tf.square(g), 3), EPS)), Math.sqrt(EPS));
    return tf.sum(mag, [1, 2]) as Tensor1D;
  });
}

/** Centroid and second-order central moments (normalised by area) of each soft mask. */
export interface SoftMoments {
  area: Tensor1D;
  /** Variance along x (columns), along y (rows), and covariance. */
  mu20: Tensor1D;
  mu02: Tensor1D;
  mu11: Tensor1D;
  cx: Tensor1D;
  cy: Tensor1D;
}

function coordinateGrids(tf: TF, h: number, w: number): { xs: Tensor; ys: Tensor } {
  const xs = tf.reshape(tf.range(0, w, 1, 'float32'), [1, 1, w, 1]);
  const ys = tf.reshape(tf.range(0, h, 1, 'float32'), [1, h, 1, 1]);
  return { xs, ys };
}

export function softMoments(tf: TF, m: Tensor4D): SoftMoments {
  const [, h, w] = m.shape;
  const { xs, ys } = coordinateGrids(tf, h, w);
  const area = softArea(tf, m);
  const safeArea = tf.add(area, EPS);
  const perImage = (t: Tensor) => tf.div(tf.sum(t, [1, 2, 3]), safeArea) as Tensor1D;
  const cx = perImage(tf.mul(m, xs));
  const cy = perImage(tf.mul(m, ys));
  const dx = tf.sub(xs, tf.reshape(cx, [-1, 1, 1, 1]));
  const dy = tf.sub(ys, tf.reshape(cy, [-1, 1, 1, 1]));
  return {
    area,
    cx,
    cy,
    mu20: perImage(tf.mul(m, tf.square(dx))),
    mu02: perImage(tf.mul(m, tf.square(dy))),
    mu11: perImage(tf.mul(m, tf.mul(dx, dy))),
  };
}

/** 1. Shape irregularity: 1 - circularity, circularity = 4*pi*A / P^2 (1 for a disc). */
export function computeShapeIrregularity(tf: TF, m: Tensor4D): Tensor1D {
  return tf.tidy(() => {
    const a = softArea(tf, m);
    const p = softPerimeter(tf, m);
    const circularity = tf.div(tf.mul(a, 4 * Math.PI), tf.add(tf.square(p), 1));
    return tf.sub(1, circularity) as Tensor1D;
  });
}

/** 2. Orientation: vertical spread over total spread, mu02 / (mu20 + mu02); above 0.5 is taller
 * than wide (BI-RADS "not parallel"). An empty mask scores the neutral 0.5. */
export function computeOrientation(tf: TF, m: Tensor4D): Tensor1D {
  return tf.tidy(() => {
    const { mu20, mu02 } = softMoments(tf, m);
    return tf.div(tf.add(mu02, EPS), tf.add(tf.add(mu20, mu02), 2 * EPS)) as Tensor1D;
  });
}

/**
 * The ellipse with the mask's centroid and second moments, scaled to the mask's area.
 * A uniform ellipse with semi-axes a, b has moment eigenvalues a^2/4 and b^2/4, area pi*a*b.
 */
function momentMatchedEllipse(tf: TF, mo: SoftMoments) {
  const det = tf.add(tf.sub(tf.mul(mo.mu20, mo.mu02), tf.square(mo.mu11)), EPS);
  const half = tf.div(tf.add(mo.mu20, mo.mu02), 2);
  const root = tf.sqrt(tf.add(tf.add(tf.square(tf.div(tf.sub(mo.mu20, mo.mu02), 2)), tf.square(mo.mu11)), EPS));
  const l1 = tf.add(half, root);
  const l2 = tf.relu(tf.sub(half, root));
  // Scale s^2 so that pi * a * b equals the soft area: pi * 4 * s^2 * sqrt(det) = A.
  const s2 = tf.div(mo.area, tf.mul(tf.sqrt(det), 4 * Math.PI));
  const a = tf.mul(2, tf.sqrt(tf.add(tf.mul(s2, l1), EPS)));
  const b = tf.mul(2, tf.sqrt(tf.add(tf.mul(s2, l2), EPS)));
  return { det, s2, a, b };
}

/** 3. Margin irregularity: 1 - P_ellipse / P, how much longer the soft contour is than that of
 * the moment-matched ellipse of the same area (Ramanujan's perimeter approximation). */
export function computeMarginIrregularity(tf: TF, m: Tensor4D): Tensor1D {
  return tf.tidy(() => {
    const mo = softMoments(tf, m);
    const { a, b } = momentMatchedEllipse(tf, mo);
    const ramanujan = tf.mul(
      Math.PI,
      tf.sub(tf.mul(3, tf.add(a, b)), tf.sqrt(tf.add(tf.mul(tf.add(tf.mul(3, a), b), tf.add(a, tf.mul(3, b))), EPS))),
    );
    const p = softPerimeter(tf, m);
    return tf.sub(1, tf.div(ramanujan, tf.add(p, 1))) as Tensor1D;
  });
}

/** 4. Ellipse deviation: soft area of M outside its moment-matched ellipse plus the ellipse area
 * M leaves uncovered, over 2A (lobulation and protrusions). */
export function computeEllipseDeviation(tf: TF, m: Tensor4D, edgeSharpness = 2): Tensor1D {
  return tf.tidy(() => {
    const [, h, w] = m.shape;
    const mo = softMoments(tf, m);
    const { det, s2 } = momentMatchedEllipse(tf, mo);
    const { xs, ys } = coordinateGrids(tf, h, w);
    const r = (t: Tensor) => tf.reshape(t, [-1, 1, 1, 1]);
    const dx = tf.sub(xs, r(mo.cx));
    const dy = tf.sub(ys, r(mo.cy));
    // Mahalanobis radius with the inverse covariance; the scaled ellipse boundary is q = 1.
    const quad = tf.div(
      tf.add(tf.sub(tf.mul(r(mo.mu02), tf.square(dx)), tf.mul(tf.mul(r(mo.mu11), 2), tf.mul(dx, dy))), tf.mul(r(mo.mu20), tf.square(dy))),
      r(det),
    );
    const q = tf.div(quad, tf.add(tf.mul(r(s2), 4), EPS));
    // Near the boundary 1 - q is about 2 * (distance in pixels) / R, R the equivalent radius;
    // scaling by R keeps the soft ellipse edge about 1/edgeSharpness pixels wide at any size.
    const radius = tf.sqrt(tf.add(tf.div(mo.area, Math.PI), EPS));
    // With no mask there is no ellipse: the presence factor A / (A + 1) fades it out, so an empty
    // mask scores 0 instead of half the image (the sigmoid's value at zero radius).
    const presence = tf.div(mo.area, tf.add(mo.area, 1));
    const ellipse = tf.mul(tf.sigmoid(tf.mul(tf.sub(1, q), tf.mul(r(radius), edgeSharpness / 2))), r(presence));
    const outside = tf.mul(m, tf.sub(1, ellipse));
    const missing = tf.mul(tf.sub(1, m), ellipse);
    return tf.div(tf.sum(tf.add(outside, missing), [1, 2, 3]), tf.add(tf.mul(mo.area, 2), 1)) as Tensor1D;
  });
}
