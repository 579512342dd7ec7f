/**
 * Checkpoints in the TensorFlow.js weights format: `model.json` (our topology plus a
 * weightsManifest) and a weights file named by content hash. The weights file is written first,
 * then model.json atomically, then stale weight files are removed, so a process killed at any
 * moment leaves a loadable checkpoint (the old one or the new one).
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../runs/atomicWrite';
import type { Tensor, TF } from '../tf';

export interface CheckpointManifest<M> {
  format: 'bus-lab-checkpoint/1';
  /** Model description (architecture, method...) needed to rebuild the network. */
  model: M;
  /** Anything else to restore (epoch, optimizer step, RNG state...). */
  state: Record<string, unknown>;
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[];
}

export async function saveCheckpoint<M>(tf: TF, dir: string, model: M, tensors: Map<string, Tensor>, state: Record<string, unknown> = {}): Promise<void> {
  const named: Record<string, Tensor> = {};
  for (const [k, v] of tensors) named[k] = v;
  const { data, specs } = await tf.io.encodeWeights(named);
  const bytes = new Uint8Array(data);
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  const weightsFile = `weights-${hash}.bin`;
  await writeFileAtomic(join(dir, weightsFile), bytes);
  const manifest: CheckpointManifest<M> = {
    format: 'bus-lab-checkpoint/1',
    model,
    state,
    weightsManifest: [{ paths: [weightsFile], weights: specs.map((s) => ({ name: s.name, shape: s.shape, dtype: s.dtype })) }],
  };
  await writeFileAtomic(join(dir, 'model.json'), JSON.stringify(manifest, null, 1));
  for (const f of await readdir(dir)) {
    if (f.startsWith('weights-') && f.endsWith('.bin') && f !== weightsFile) await rm(join(dir, f), { force: true });
  }
}

export async function loadCheckpoint<M>(tf: TF, dir: string): Promise<{ manifest: CheckpointManifest<M>; tensors: Map<string, Tensor> }> {
  const path = join(dir, 'model.json');
  let manifest: CheckpointManifest<M>;
  try {
    manifest = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: cannot read checkpoint (${(err as Error).message})`);
  }
  if (manifest.format !== 'bus-lab-checkpoint/1') throw new Error(`${path}: not a BUS Lab checkpoint (format ${String(manifest.format)})`);
  const tensors = new Map<string, Tensor>();
  for (const group of manifest.weightsManifest) {
    const buffers = await Promise.all(group.paths.map((p) => readFile(join(dir, p))));
    const joined = Buffer.concat(buffers);
    const ab = joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength);
    const decoded = tf.io.decodeWeights(ab, group.weights as Parameters<TF['io']['decodeWeights']>[1]);
    for (const [k, v] of Object.entries(decoded)) tensors.set(k, v);
  }
  return { manifest, tensors };
}
