import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hierarchicalPairedDifference } from '../../src/engine/stats/hierarchicalBootstrap';
import { mulberry32 } from '../../src/engine/data/random';

/** Per-run maps image -> value: image effect + run (seed) offset + noise + a method shift. */
function arm(images: number, runs: number, shift: number, seedSpread: number, seed: number, imageEffect: number[]): Map<string, number>[] {
  const rand = mulberry32(seed);
  return Array.from({ length: runs }, () => {
    const offset = (rand() - 0.5) * 2 * seedSpread;
    return new Map(Array.from({ length: images }, (_, i) => [`img${i}`, imageEffect[i] + offset + shift + (rand() - 0.5) * 0.02]));
  });
}

const effects = (n: number) => {
  const rand = mulberry32(99);
  return Array.from({ length: n }, () => rand());
};

test('point estimates are the mean and median of the per-image differences of seed means', () => {
  const a = [new Map([['x', 0.5], ['y', 0.7], ['z', 0.9]]), new Map([['x', 0.7], ['y', 0.7], ['z', 0.9]])];
  const b = [new Map([['x', 0.4], ['y', 0.6], ['z', 0.3]])];
  const h = hierarchicalPairedDifference(a, b, { resamples: 200 });
  // per-image: x 0.6-0.4, y 0.7-0.6, z 0.9-0.3
  assert.ok(Math.abs(h.mean - (0.2 + 0.1 + 0.6) / 3) < 1e-12);
  assert.ok(Math.abs(h.median - 0.2) < 1e-12);
  assert.deepEqual(h.seeds, [2, 1]);
  assert.equal(h.images, 3);
});

test('the CI covers a known shift and widens when seeds disagree, which an image-only bootstrap would miss', () => {
  const e = effects(400);
  const calm = hierarchicalPairedDifference(arm(400, 3, 0.05, 0.001, 1, e), arm(400, 3, 0, 0.001, 2, e), { seed: 0 });
  assert.ok(calm.ci95[0] < 0.05 && calm.ci95[1] > 0.05 && calm.ci95[0] > 0, `calm CI ${calm.ci95}`);
  const noisy = hierarchicalPairedDifference(arm(400, 3, 0.05, 0.08, 1, e), arm(400, 3, 0, 0.08, 2, e), { seed: 0 });
  assert.ok(noisy.ci95[1] - noisy.ci95[0] > 5 * (calm.ci95[1] - calm.ci95[0]), `noisy ${noisy.ci95} vs calm ${calm.ci95}`);
});

test('clusters are resampled whole, images only where every run has a value, and the result is seeded', () => {
  const e = effects(60);
  const a = arm(60, 2, 0.1, 0.01, 5, e);
  const b = arm(60, 2, 0, 0.01, 6, e);
  a[1].delete('img3');
  const byPatient = hierarchicalPairedDifference(a, b, { clusterOf: (id) => `p${Math.floor(Number(id.slice(3)) / 3)}` });
  assert.equal(byPatient.images, 59);
  assert.equal(byPatient.clusters, 20);
  assert.deepEqual(hierarchicalPairedDifference(a, b, { seed: 4 }), hierarchicalPairedDifference(a, b, { seed: 4 }));
  assert.throws(() => hierarchicalPairedDifference([], b), /at least one run/);
});
