/**
 * Feature validation on hand-made lesions: smooth ellipses described as oval/circumscribed/benign
 * and star-shaped lesions described as irregular/not circumscribed/malignant. Shape and margin
 * irregularity must separate them perfectly (AUC 1); descriptors other than the lexicon's are
 * left out, not guessed.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { FEATURE_TARGETS, formatFeatureValidation, validateFeatures } from '../../src/engine/experiments/featureValidation';
import type { Label, LoadedDataset, Sample } from '../../src/engine/types';

const S = 64;
before(async () => {
  await tf.setBackend('cpu');
});

function lesion(k: number, star: boolean): Uint8Array {
  const m = new Uint8Array(S * S);
  const cx = 32 + (k % 3);
  const cy = 32 - (k % 2);
  const a = 14 + k;
  const b = 9 + (k % 4);
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      const t = Math.atan2(y - cy, x - cx);
      const r = Math.hypot((x - cx) / a, (y - cy) / b);
      const edge = star ? 0.65 + 0.35 * Math.cos(7 * t + k) : 1;
      if (r <= edge) m[y * S + x] = 1;
    }
  }
  return m;
}

function sample(id: string, label: Label, mask: Uint8Array, shape: string, margin: string): Sample {
  return { id, patientId: id, label, size: S, image: new Float32Array(S * S), mask, original: { width: S, height: S }, meta: { shape, margin } };
}

test('shape and margin irregularity separate star-shaped from elliptic lesions', async () => {
  const items: Sample[] = [];
  for (let k = 0; k < 5; k++) {
    items.push(sample(`oval${k}`, 'benign', lesion(k, false), k % 2 ? 'oval' : 'round', 'circumscribed'));
    items.push(sample(`star${k}`, 'malignant', lesion(k, true), 'irregular', 'not circumscribed - angular'));
  }
  items.push(sample('odd', 'benign', lesion(1, false), 'not applicable', 'n/a'));
  items.push(sample('normal', 'normal', new Uint8Array(S * S), '', ''));
  const dataset: LoadedDataset = { spec: 'breast:/x', kind: 'breast', name: 'BrEaST', slug: 'breast', items, skipped: [], readFullResolution: async () => Promise.reject(new Error('unused')) };
  const v = await validateFeatures(tf, dataset);
  assert.equal(v.lesions, 11);
  const result = (feature: string, target: string) => v.features.find((f) => f.id === feature)!.results.find((r) => r.target === target)!;
  assert.deepEqual([result('shapeIrregularity', 'shape').positives, result('shapeIrregularity', 'shape').negatives], [5, 5]);
  assert.equal(result('shapeIrregularity', 'shape').auc, 1);
  assert.equal(result('marginIrregularity', 'margin').auc, 1);
  assert.equal(result('shapeIrregularity', 'malignancy').negatives, 6);
  const table = formatFeatureValidation(v);
  assert.match(table, /\| shapeIrregularity \| 1\.000/);
  assert.match(table, /Shape irregular vs oval\/round \(5\/5\)/);
});

test('descriptor parsing', () => {
  const margin = FEATURE_TARGETS.find((t) => t.id === 'margin')!;
  const s = (m: string) => ({ meta: { margin: m } }) as unknown as Sample;
  assert.equal(margin.classify(s('circumscribed')), false);
  assert.equal(margin.classify(s('Not circumscribed - indistinct&spiculated')), true);
  assert.equal(margin.classify(s('')), undefined);
});
