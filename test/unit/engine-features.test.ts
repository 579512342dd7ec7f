import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeEllipseDeviation, computeMarginIrregularity, computeOrientation, computeShapeIrregularity } from '../../src/engine/features/birads';
import type { Tensor4D } from '../../src/engine/tf';
import { area, disc, ellipse, star } from '../helpers/shapes';
import { engineTf } from '../helpers/tf';

const S = 128;
const FEATURES = { computeShapeIrregularity, computeOrientation, computeMarginIrregularity, computeEllipseDeviation };

async function value(fn: (tf: never, m: Tensor4D) => unknown, mask: Float32Array): Promise<number> {
  const tf = await engineTf();
  const m = tf.tensor4d(mask, [1, S, S, 1]);
  const v = tf.tidy(() => (fn as (tf: unknown, m: Tensor4D) => import('../../src/engine/tf').Tensor)(tf, m as Tensor4D));
  const out = (await v.data())[0];
  tf.dispose([m, v]);
  return out;
}

test('a disc is circular: shape irregularity near 0', async () => {
  const v = await value(computeShapeIrregularity, disc(S, 30));
  assert.ok(v > -0.02 && v < 0.06, `disc shape irregularity ${v}`);
});

test('an ellipse twice as tall as wide scores higher orientation than one twice as wide', async () => {
  const tall = await value(computeOrientation, ellipse(S, 15, 30));
  const wide = await value(computeOrientation, ellipse(S, 30, 15));
  assert.ok(tall > 0.7 && wide < 0.3, `tall ${tall}, wide ${wide}`);
  assert.ok(Math.abs(tall + wide - 1) < 1e-3, 'orientation is symmetric under transposition');
});

test('a spiculated star of the same area is more irregular than a disc in shape, margin and ellipse deviation', async () => {
  const d = disc(S, 30);
  const s = star(S, 30);
  assert.ok(Math.abs(area(s) - area(d)) / area(d) < 0.03, `areas ${area(s)} vs ${area(d)}`);
  for (const fn of [computeShapeIrregularity, computeMarginIrregularity, computeEllipseDeviation]) {
    const vd = await value(fn, d);
    const vs = await value(fn, s);
    assert.ok(vs > vd + 0.1, `${fn.name}: star ${vs} vs disc ${vd}`);
  }
});

test('an elongated ellipse has irregular shape but a regular margin', async () => {
  const e = ellipse(S, 40, 12);
  assert.ok((await value(computeShapeIrregularity, e)) > 0.2);
  assert.ok((await value(computeMarginIrregularity, e)) < 0.06);
});

test('every feature has finite, non-zero gradients on soft masks, including an empty one', async () => {
  const tf = await engineTf();
  const soft = disc(S, 30).map((v) => 0.05 + 0.9 * v);
  for (const [name, fn] of Object.entries(FEATURES)) {
    for (const [label, mask] of [['soft disc', soft], ['star', star(S, 30)], ['empty', new Float32Array(S * S)]] as const) {
      const m = tf.tensor4d(mask, [1, S, S, 1]);
      const g = tf.grad((x: import('../../src/engine/tf').Tensor) => tf.sum(fn(tf, x as Tensor4D)))(m);
      const data = await g.data();
      const v = await value(fn as never, mask);
      tf.dispose([m, g]);
      assert.ok(Number.isFinite(v), `${name} on ${label} is ${v}`);
      assert.ok(data.every(Number.isFinite), `${name} on ${label}: non-finite gradient`);
      if (label !== 'empty' || name !== 'computeMarginIrregularity') {
        assert.ok(data.some((x) => x !== 0), `${name} on ${label}: gradient is all zero`);
      }
    }
  }
});
