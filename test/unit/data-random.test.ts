import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deriveSeed, gaussian, mulberry32, randomInt, shuffled } from '../../src/engine/data/random';

test('mulberry32 is deterministic, uniform in [0, 1) and seed-sensitive', () => {
  const a = mulberry32(42);
  const b = mulberry32(42);
  const xs = Array.from({ length: 1000 }, () => a());
  assert.deepEqual(xs, Array.from({ length: 1000 }, () => b()));
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.05, `mean ${mean}`);
  assert.notEqual(mulberry32(43)(), mulberry32(42)());
});

test('deriveSeed separates streams and is order- and boundary-sensitive', () => {
  assert.equal(deriveSeed(1, 'a', 2), deriveSeed(1, 'a', 2));
  assert.notEqual(deriveSeed(1, 'a', 2), deriveSeed(1, 'a', 3));
  assert.notEqual(deriveSeed('ab', 'c'), deriveSeed('a', 'bc'));
  assert.notEqual(deriveSeed(1, 2), deriveSeed(2, 1));
});

test('shuffled returns a permutation and leaves the input alone', () => {
  const values = Array.from({ length: 50 }, (_, i) => i);
  const out = shuffled(mulberry32(1), values);
  assert.notDeepEqual(out, values);
  assert.deepEqual([...out].sort((x, y) => x - y), values);
  assert.deepEqual(values, Array.from({ length: 50 }, (_, i) => i));
});

test('gaussian has mean 0 and variance 1; randomInt covers its inclusive range', () => {
  const rng = mulberry32(7);
  const xs = Array.from({ length: 20000 }, () => gaussian(rng));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
  assert.ok(Math.abs(mean) < 0.03 && Math.abs(variance - 1) < 0.05, `mean ${mean}, variance ${variance}`);
  const seen = new Set(Array.from({ length: 200 }, () => randomInt(rng, 2, 5)));
  assert.deepEqual([...seen].sort(), [2, 3, 4, 5]);
});
