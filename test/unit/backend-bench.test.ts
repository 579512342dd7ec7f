/**
 * `bus-lab bench`'s engine: a tiny real run (the U-Net and losses the trainer uses) that reports
 * sane figures and leaks no tensors across epochs of training steps.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runBenchmark, syntheticBatch } from '../../src/engine/bench/modelBenchmark';
import { median } from '../../src/engine/stats/descriptive';

describe('benchmark', () => {
  it('takes medians', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 2, 3]), 2.5);
  });

  it('makes the same synthetic batch for the same seed, with lesions in the masks', () => {
    const a = syntheticBatch(32, 2, 7);
    const b = syntheticBatch(32, 2, 7);
    assert.deepEqual(a.images, b.images);
    assert.deepEqual(a.masks, b.masks);
    const lesion = a.masks.reduce((s, v) => s + v, 0) / a.masks.length;
    assert.ok(lesion > 0.01 && lesion < 0.5, `lesion fraction ${lesion}`);
    assert.deepEqual(Array.from(a.labels), [0, 1]);
  });

  it('times training and inference of the real model and shows no tensor drift', async () => {
    const lines: string[] = [];
    const result = await runBenchmark({ backend: 'wasm', size: 32, batch: 2, width: 4, steps: 2, warmup: 1, epochs: 3, onProgress: (l) => lines.push(l) });
    assert.equal(result.backend, 'wasm');
    assert.equal(result.trainStepMs.length, 2);
    assert.ok(result.trainImagesPerSecond > 0 && Number.isFinite(result.trainImagesPerSecond));
    assert.ok(result.inferImagesPerSecond > 0 && Number.isFinite(result.inferImagesPerSecond));
    assert.ok(result.trainImagesPerCpuSecond > 0);
    assert.ok(result.peakRssMB > 0);
    assert.ok(result.parameterCount > 1000);
    assert.equal(result.epochs?.length, 3);
    assert.equal(result.tensorDrift, 0, 'tensors alive after the last epoch equal those after the first');
    assert.ok(lines.some((l) => l.startsWith('backend wasm')));
  });

  it('rejects sizes the U-Net cannot halve four times', async () => {
    await assert.rejects(runBenchmark({ backend: 'wasm', size: 40, batch: 1, width: 4, steps: 1, warmup: 0 }), /multiple of 16/);
  });
});
