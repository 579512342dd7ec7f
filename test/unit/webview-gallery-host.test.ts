/**
 * The Mask Gallery host's additions (host/galleryData.ts): the evaluated epoch's phi weights, the
 * feature providers' names, and the original image found from per_image.csv's `source` column
 * inside summary.json's dataset folder; the openOriginal message's validation.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { formatPerImageCsv } from '../../src/engine/runs/perImageCsv';
import type { PerImageResult } from '../../src/engine/eval/evaluationTypes';
import { featureInfoOf, originalImagePath, phiWeightsOf } from '../../src/webviews/host/galleryData';
import type { EpochPoint } from '../../src/webviews/dashboard/viewModel';
import { parseGalleryMessage } from '../../src/webviews/protocol';
import { featureDisplayName } from '../../src/webviews/gallery/viewModel';

function epoch(n: number, featureWeights?: Record<string, number>): EpochPoint {
  return { epoch: n, losses: {}, val: { dice: 0.5, iou: 0.4 }, learningRate: 1e-3, imagesPerSecond: 1, etaSeconds: 0, seconds: 1, ...(featureWeights ? { featureWeights } : {}) };
}

describe('gallery host data', () => {
  it('phi weights of the best epoch, else of the last epoch that logged them', () => {
    const epochs = [epoch(1, { a: 1 }), epoch(2, { a: 2 }), epoch(3, { a: 3 }), epoch(4)];
    assert.deepEqual(phiWeightsOf(epochs, 2), { epoch: 2, weights: { a: 2 } });
    assert.deepEqual(phiWeightsOf(epochs, 4), { epoch: 3, weights: { a: 3 } });
    assert.equal(phiWeightsOf([epoch(1)], 1), undefined);
  });

  it('features by their providers’ names; readable names with scales in the view', () => {
    const [shape, plugin] = featureInfoOf(['shapeIrregularity', 'lesionContrast']);
    assert.equal(shape.label, 'Shape irregularity');
    assert.ok(shape.description.length > 0);
    assert.deepEqual(plugin, { id: 'lesionContrast', label: 'lesionContrast', description: '' });
    assert.equal(featureDisplayName('shapeIrregularity', shape.label), 'Shape irregularity (0–1, 0 = disc)');
    assert.equal(featureDisplayName('lesionContrast', 'lesionContrast'), 'Lesion contrast');
  });

  function runWithSource(source: string | undefined, dataPath: string): string {
    const runDir = mkdtempSync(join(tmpdir(), 'bus-lab-original-'));
    const dir = join(runDir, 'eval', 'busi');
    mkdirSync(dir, { recursive: true });
    const row: PerImageResult = { id: 'benign (1)', file: 'benign_1', label: 'benign', patientId: 'p', width: 4, height: 4, truthArea: 1, predictedArea: 1, falsePositiveArea: 0, features: {}, ...(source ? { source } : {}) };
    writeFileSync(join(dir, 'per_image.csv'), formatPerImageCsv([row]));
    writeFileSync(join(dir, 'summary.json'), JSON.stringify({ formatVersion: 1, dataset: 'BUSI', slug: 'busi', spec: `busi:${dataPath}`, kind: 'busi', createdAt: '', images: 1, labels: { benign: 1, malignant: 0, normal: 0 }, imageSize: 32, seed: 1, bootstrapResamples: 10, metrics: {}, features: {}, skipped: [], data: { path: dataPath, fingerprint: 'x' } }));
    return runDir;
  }

  it('finds the original image from the source column inside the dataset folder, and says why not otherwise', async () => {
    const data = mkdtempSync(join(tmpdir(), 'bus-lab-dataset-'));
    mkdirSync(join(data, 'benign'));
    writeFileSync(join(data, 'benign', 'benign (1).png'), 'png');
    assert.deepEqual(await originalImagePath(runWithSource('benign/benign (1).png', data), 'busi', 'benign (1)'), { path: join(data, 'benign', 'benign (1).png') });
    const noColumn = await originalImagePath(runWithSource(undefined, data), 'busi', 'benign (1)');
    assert.match('problem' in noColumn ? noColumn.problem : '', /names no original file for 'benign \(1\)'.*evaluate again/);
    const outside = await originalImagePath(runWithSource('../etc/passwd', data), 'busi', 'benign (1)');
    assert.match('problem' in outside ? outside.problem : '', /leaves the dataset folder/);
    const moved = await originalImagePath(runWithSource('benign/gone.png', data), 'busi', 'benign (1)');
    assert.match('problem' in moved ? moved.problem : '', /is not at .*gone\.png/);
    const unknown = await originalImagePath(runWithSource('benign/benign (1).png', data), 'busi', 'nope');
    assert.match('problem' in unknown ? unknown.problem : '', /has no image 'nope'/);
  });

  it('openOriginal carries a run id, a dataset slug and an image id, nothing else', () => {
    assert.deepEqual(parseGalleryMessage({ type: 'openOriginal', runId: 'r1', dataset: 'busi', imageId: 'benign (1)' }), { type: 'openOriginal', runId: 'r1', dataset: 'busi', imageId: 'benign (1)' });
    assert.equal(parseGalleryMessage({ type: 'openOriginal', runId: '../x', dataset: 'busi', imageId: 'a' }), undefined);
    assert.equal(parseGalleryMessage({ type: 'openOriginal', runId: 'r1', dataset: '', imageId: 'a' }), undefined);
  });
});
