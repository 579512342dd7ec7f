/**
 * Winograd convolutions in training: with BUS_LAB_CONV_ALGORITHM=winograd the accelerator runs an
 * eligible layer's forward pass and both gradients as oneDNN Winograd kernels on blocked
 * activations and still agrees with the cpu backend; with `direct` it never does. (The default,
 * `auto`, follows a fixed rule by layer size and direction, which the other accelerator tests run
 * under.) Skipped, visibly, where the addon was not built.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadAcceleratorAddon } from '../../src/engine/backend/accelerator/addon';

const load = loadAcceleratorAddon();
const skip = load.ok ? false : `native accelerator unavailable: ${load.why}`;

function probe(algorithm: string): { worst: Record<string, number>; implementations: string[] } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'support', 'winograd-probe.ts')], {
    encoding: 'utf8',
    env: { ...process.env, BUS_LAB_CONV_ALGORITHM: algorithm, OMP_NUM_THREADS: '1' },
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

describe('accelerator: Winograd convolutions in training', { skip }, () => {
  it('forced Winograd: all three kinds run Winograd kernels and match the cpu backend', () => {
    const { worst, implementations } = probe('winograd');
    assert.ok(implementations.every((name) => /wino/.test(name) && /Winograd, blocked/.test(name)), implementations.join(' | '));
    for (const [kind, d] of Object.entries(worst)) assert.ok(d < 1e-4, `${kind}: worst relative difference ${d}`);
  });

  it('forced direct: no Winograd kernel, same values', () => {
    const { worst, implementations } = probe('direct');
    assert.ok(implementations.every((name) => !/wino|Winograd/.test(name)), implementations.join(' | '));
    for (const [kind, d] of Object.entries(worst)) assert.ok(d < 1e-4, `${kind}: worst relative difference ${d}`);
  });
});
