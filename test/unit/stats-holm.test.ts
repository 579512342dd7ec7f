/**
 * Holm adjustment against textbook values:
 *  - Wikipedia, "Holm-Bonferroni method", example with four hypotheses p = (0.01, 0.04, 0.03,
 *    0.005): at alpha = 0.05 Holm rejects H1 and H4 only. Adjusted p (R p.adjust "holm"):
 *    (0.03, 0.06, 0.06, 0.02).
 *  - R: p.adjust(c(0.01, 0.02, 0.03, 0.04, 0.05), "holm") = (0.05, 0.08, 0.09, 0.09, 0.09).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { holmAdjust } from '../../src/engine/stats/holm';

const approxArray = (a: number[], b: number[]) => {
  assert.equal(a.length, b.length);
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-12, `${i}: ${v} vs ${b[i]}`));
};

test('Wikipedia Holm example: rejects H1 and H4 at 0.05', () => {
  const adjusted = holmAdjust([0.01, 0.04, 0.03, 0.005]);
  approxArray(adjusted, [0.03, 0.06, 0.06, 0.02]);
  assert.deepEqual(adjusted.map((p) => p <= 0.05), [true, false, false, true]);
});

test('R p.adjust holm example with the running maximum and cap at 1', () => {
  approxArray(holmAdjust([0.01, 0.02, 0.03, 0.04, 0.05]), [0.05, 0.08, 0.09, 0.09, 0.09]);
  approxArray(holmAdjust([0.5, 0.9]), [1, 1]);
});

test('NaN stays NaN and does not count in m; bad p throws', () => {
  const a = holmAdjust([0.01, NaN, 0.02]);
  assert.ok(Number.isNaN(a[1]));
  approxArray([a[0], a[2]], [0.02, 0.02]);
  assert.throws(() => holmAdjust([1.5]), /outside \[0, 1\]/);
  assert.deepEqual(holmAdjust([]), []);
});
