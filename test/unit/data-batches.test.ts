import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Batch, BatchLoader, packBatch } from '../../src/engine/data';
import { Label, Sample } from '../../src/engine/types';

const S = 8;

function sample(i: number): Sample {
  const label: Label = i % 3 === 0 ? 'malignant' : i % 3 === 1 ? 'benign' : 'normal';
  return {
    id: `s${i}`,
    patientId: `p${i}`,
    label,
    size: S,
    image: new Float32Array(S * S).fill(i / 100),
    mask: new Uint8Array(S * S).fill(label === 'normal' ? 0 : 1),
    original: { width: S, height: S },
    meta: {},
  };
}

async function collect(it: AsyncIterable<Batch>): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of it) out.push(b);
  return out;
}

test('packBatch lays out [B, S, S, 1] images and masks plus the malignancy vector', () => {
  const b = packBatch([sample(0), sample(1)]);
  assert.equal(b.images.length, 2 * S * S);
  assert.equal(b.images[S * S], Math.fround(0.01));
  assert.deepEqual(Array.from(b.malignant), [1, 0]);
  assert.deepEqual(b.labels, ['malignant', 'benign']);
  assert.equal(b.masks[0], 1);
});

test('an epoch covers every sample once, the last batch may be smaller', async () => {
  const loader = new BatchLoader(Array.from({ length: 10 }, (_, i) => sample(i)), { batchSize: 4, seed: 1 });
  assert.equal(loader.batchesPerEpoch, 3);
  const batches = await collect(loader.epoch(0));
  assert.deepEqual(batches.map((b) => b.count), [4, 4, 2]);
  assert.deepEqual(batches.flatMap((b) => b.ids).sort(), Array.from({ length: 10 }, (_, i) => `s${i}`).sort());
  const dropped = new BatchLoader(Array.from({ length: 10 }, (_, i) => sample(i)), { batchSize: 4, seed: 1, remainder: 'drop' });
  assert.equal((await collect(dropped.epoch(0))).length, 2);
});

test("remainder 'merge' folds the leftover samples into the last batch: no batch of one", async () => {
  const data = Array.from({ length: 9 }, (_, i) => sample(i));
  const loader = new BatchLoader(data, { batchSize: 4, seed: 1, remainder: 'merge' });
  assert.equal(loader.batchesPerEpoch, 2);
  const batches = await collect(loader.epoch(0));
  assert.deepEqual(batches.map((b) => b.count), [4, 5]);
  assert.deepEqual(batches.flatMap((b) => b.ids).sort(), data.map((s) => s.id).sort());
  // Fewer samples than a batch: one smaller batch, never none.
  const tiny = new BatchLoader(data.slice(0, 3), { batchSize: 4, seed: 1, remainder: 'merge' });
  assert.deepEqual((await collect(tiny.epoch(0))).map((b) => b.count), [3]);
});

test('deterministic for a seed, reshuffled per epoch, and the same whether prefetched or built directly', async () => {
  const data = Array.from({ length: 12 }, (_, i) => sample(i));
  const a = new BatchLoader(data, { batchSize: 5, seed: 9, augment: true });
  const b = new BatchLoader(data, { batchSize: 5, seed: 9, augment: true });
  const ea = await collect(a.epoch(2));
  assert.deepEqual(await collect(b.epoch(2)), ea);
  const order = a.order(2);
  assert.deepEqual(a.batch(2, 1, order), ea[1]);
  assert.notDeepEqual(a.order(3), order);
  assert.notDeepEqual(new BatchLoader(data, { batchSize: 5, seed: 10 }).order(2), order);
});

test('the next batch is prepared while the consumer works on the current one', async () => {
  const loader = new BatchLoader(Array.from({ length: 9 }, (_, i) => sample(i)), { batchSize: 3, seed: 0 });
  const built: number[] = [];
  const original = loader.batch.bind(loader);
  loader.batch = (epoch, index, order) => {
    built.push(index);
    return original(epoch, index, order);
  };
  const it = loader.epoch(0);
  await it.next(); // batch 0 handed out
  await new Promise((r) => setImmediate(r)); // consumer "works"; batch 1 is built meanwhile
  assert.deepEqual(built, [0, 1]);
  await it.return(undefined);
});
