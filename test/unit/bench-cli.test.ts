/**
 * `bus-lab bench --json` reports the compute figures issue #17 asks for: GFLOP/s for training and
 * inference always, and the fraction of the measured FMA peak when the native accelerator runs
 * (null, with the reason, when it does not). Tiny runs; no timing is asserted.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CliIO } from '../../src/cli/command';
import { benchCommand } from '../../src/cli/commands/bench';
import { loadAcceleratorAddon } from '../../src/engine/backend/accelerator';
import type { BenchmarkResult } from '../../src/engine/bench/modelBenchmark';

function fakeIO(): CliIO & { lines: string[]; results: unknown[] } {
  const lines: string[] = [];
  const results: unknown[] = [];
  return {
    lines,
    results,
    json: true,
    isTTY: false,
    signal: new AbortController().signal,
    info: (l) => lines.push(l),
    warn: (l) => lines.push(l),
    result: (v) => results.push(v),
  };
}

const TINY = ['--json', '--size', '32', '--batch', '1', '--steps', '1', '--warmup', '0', '--width', '4', '--threads', '1'];

async function bench(extra: string[]): Promise<{ result: BenchmarkResult; text: string }> {
  const io = fakeIO();
  assert.equal(await benchCommand.run([...TINY, ...extra], io), 0);
  return { result: io.results[0] as BenchmarkResult, text: io.lines.join('\n') };
}

function assertGflops(result: BenchmarkResult): void {
  assert.ok(result.forwardGflopPerImage > 0);
  assert.ok(result.trainGflopsPerSecond > 0 && Number.isFinite(result.trainGflopsPerSecond));
  assert.ok(result.inferGflopsPerSecond > 0 && Number.isFinite(result.inferGflopsPerSecond));
  // The same count divides both phases: training is 3 forward passes per image.
  const perImage = (gflops: number, imagesPerSecond: number) => gflops / imagesPerSecond;
  assert.ok(Math.abs(perImage(result.trainGflopsPerSecond, result.trainImagesPerSecond) - 3 * result.forwardGflopPerImage) < 1e-9);
  assert.ok(Math.abs(perImage(result.inferGflopsPerSecond, result.inferImagesPerSecond) - result.forwardGflopPerImage) < 1e-9);
  assert.ok(result.peakRssMB > 0);
}

describe('bus-lab bench compute figures', () => {
  it('reports GFLOP/s and no peak with --accelerator off', async () => {
    const { result, text } = await bench(['--backend', 'wasm', '--accelerator', 'off']);
    assertGflops(result);
    assert.equal(result.peak, null);
    assert.equal(result.trainFractionOfPeak, null);
    assert.equal(result.inferFractionOfPeak, null);
    assert.match(result.peakNotMeasured ?? '', /not in use/);
    assert.match(text, /^FMA peak +not measured/m);
    assert.match(text, /^compute +train [\d.]+ GFLOP\/s, inference/m);
  });

  const built = loadAcceleratorAddon();
  it('reports the measured FMA peak and the fraction of it with the native accelerator', { skip: built.ok ? false : `native accelerator not built: ${built.ok ? '' : built.why}` }, async () => {
    const { result, text } = await bench(['--backend', 'wasm', '--accelerator', 'auto', '--peak-seconds', '0.1']);
    assertGflops(result);
    assert.ok(result.peak, 'peak measured');
    assert.ok(result.peak.gflops > 0);
    assert.equal(result.peak.threads, 1, 'the peak runs on the kernels\' thread count (--threads 1)');
    assert.ok(result.trainFractionOfPeak !== null && result.trainFractionOfPeak > 0);
    assert.ok(result.inferFractionOfPeak !== null && result.inferFractionOfPeak > 0);
    assert.ok(Math.abs(result.trainFractionOfPeak - result.trainGflopsPerSecond / result.peak.gflops) < 1e-12);
    assert.match(text, /^FMA peak +[\d.]+ GFLOP\/s FP32 \(1 thread, /m);
    assert.match(text, /% of peak\)/);
  });

  it('skips the peak with --peak-seconds 0 and rejects a negative length', async () => {
    const { result } = await bench(['--backend', 'wasm', '--peak-seconds', '0']);
    assert.equal(result.peak, null);
    assert.match(result.peakNotMeasured ?? '', /skipped/);
    await assert.rejects(benchCommand.run([...TINY, '--peak-seconds', '-1'], fakeIO()), /--peak-seconds/);
  });
});
