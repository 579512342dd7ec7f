/**
 * The FLOP count behind `bus-lab bench`'s GFLOP/s and fraction of peak: a hand count for a tiny
 * U-Net, the 1.507 GFLOP that issue #17 quotes, and the scaling a per-pixel count must show.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countUNetFlops, gflopsPerSecond, TRAINING_FLOPS_PER_FORWARD } from '../../src/engine/bench/flops';

describe('U-Net FLOP count (direct convolution)', () => {
  it('matches a hand count for depth 1, width 2, 4 px', () => {
    // widths [2, 4]; one multiply-add = 2 FLOPs.
    const enc = 2 * 16 * 1 * 2 * 9 + 2 * 16 * 2 * 2 * 9; // 4x4: 1->2, 2->2 (3x3)
    const bottleneck = 2 * 4 * 2 * 4 * 9 + 2 * 4 * 4 * 4 * 9; // 2x2: 2->4, 4->4
    const up = 2 * 2 * 2 * 4 * 2 * 4; // 2x2 input, 4->2, 2x2 taps
    const dec = 2 * 16 * 4 * 2 * 9 + 2 * 16 * 2 * 2 * 9; // 4x4: concat 4->2, 2->2
    const head = 2 * 16 * 2 * 1; // 1x1, 2->1
    const hand = enc + bottleneck + up + dec + head;
    assert.equal(hand, 7232);
    assert.equal(countUNetFlops({ size: 4, width: 2, depth: 1, withClassifier: false }), hand);
    assert.equal(countUNetFlops({ size: 4, width: 2, depth: 1, withClassifier: true }), hand + 2 * 4);
  });

  it('gives the 1.507 GFLOP per 128-px image at width 16, depth 4', () => {
    const flops = countUNetFlops({ size: 128, width: 16, depth: 4, withClassifier: true });
    assert.equal(flops, 1_506_804_224);
    assert.equal((flops / 1e9).toFixed(3), '1.507');
  });

  it('scales with pixels and with width squared (but the 1-channel input layer and head)', () => {
    const at = (size: number, width: number) => countUNetFlops({ size, width, depth: 4, withClassifier: false });
    assert.equal(at(256, 16), 4 * at(128, 16));
    const ratio = at(128, 32) / at(128, 16);
    assert.ok(ratio > 3.99 && ratio < 4, `width 2x gives ${ratio}x`);
  });

  it('rejects sizes the net cannot halve depth times', () => {
    assert.throws(() => countUNetFlops({ size: 40, width: 16, depth: 4, withClassifier: true }), /multiple of 16/);
  });

  it('turns images per second into GFLOP/s; training counts three passes', () => {
    assert.equal(TRAINING_FLOPS_PER_FORWARD, 3);
    assert.equal(gflopsPerSecond(100, 1.5e9), 150);
  });
});
