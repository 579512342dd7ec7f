/**
 * A tiny trained run for tests that need a real checkpoint (export, predict): a few seconds of
 * training on the synthetic phantom at 32x32 with a narrow U-Net.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTraining } from '../../src/engine/train/trainer';
import type { RunRecord } from '../../src/engine/types';

export interface TinyRun {
  record: RunRecord;
  dir: string;
  runsDir: string;
}

export async function trainTinyRun(method: 'single' | 'mtl' | 'birads', options: { imageSize?: number; epochs?: number } = {}): Promise<TinyRun> {
  const runsDir = mkdtempSync(join(tmpdir(), `bus-lab-tiny-${method}-`));
  const record = await runTraining(
    {
      method,
      train: 'synthetic:site-a?count=24',
      external: [],
      imageSize: options.imageSize ?? 32,
      baseWidth: 4,
      batchSize: 8,
      learningRate: 3e-3,
      epochs: options.epochs ?? 1,
      backend: 'wasm',
    },
    { runsDir },
  );
  if (record.status !== 'finished') throw new Error(`tiny ${method} run did not finish: ${record.error ?? record.status}`);
  return { record, dir: join(runsDir, record.id), runsDir };
}
