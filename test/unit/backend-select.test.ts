/**
 * Backend selection: the auto order and its reasons, explicit choices that fail in one line, and
 * a native module found in a user-configured folder (a stand-in for tfjs-node that registers a
 * 'tensorflow' backend into the shared global engine, as the real one does).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { BackendUnavailableError, findWasmDir, initBackend } from '../../src/engine/backend';

const folders: string[] = [];

/** A folder with node_modules/@tensorflow/<name>, whose index.js is `body`. */
function fakeNativeFolder(name: string, version: string, body: string): string {
  const root = mkdtempSync(join(tmpdir(), 'bus-lab-native-'));
  folders.push(root);
  const dir = join(root, 'node_modules', '@tensorflow', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `@tensorflow/${name}`, version, main: 'index.js' }));
  writeFileSync(join(dir, 'index.js'), body);
  return root;
}

after(async () => {
  for (const f of folders) rmSync(f, { recursive: true, force: true });
  if (tf.findBackend('tensorflow')) tf.removeBackend('tensorflow');
  await initBackend('wasm');
});

describe('initBackend', () => {
  it('auto picks wasm here and says why the native backends were skipped', async () => {
    const { name, reason, tf: engineTf } = await initBackend('auto');
    assert.equal(name, 'wasm');
    assert.match(reason, /^tfjs-node-gpu: not installed; tfjs-node: not installed; wasm: (SIMD|no SIMD)/);
    assert.equal(engineTf.getBackend(), 'wasm');
    // The engine's tf computes and differentiates on the chosen backend.
    const g = engineTf.grad((x: tf.Tensor) => engineTf.sum(engineTf.square(x)))(engineTf.tensor1d([1, 2]));
    assert.deepEqual(Array.from(await g.data()), [2, 4]);
    g.dispose();
  });

  it('cpu and wasm can be chosen explicitly', async () => {
    assert.equal((await initBackend('cpu')).name, 'cpu');
    assert.equal(tf.getBackend(), 'cpu');
    assert.equal((await initBackend('wasm')).name, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
  });

  it('an explicit native choice that is not installed fails in one line', async () => {
    await assert.rejects(initBackend('tensorflow'), (err: Error) => {
      assert.ok(err instanceof BackendUnavailableError);
      assert.match(err.message, /^backend 'tensorflow' is unavailable: tfjs-node: not installed/);
      assert.ok(!err.message.includes('\n'));
      return true;
    });
    await assert.rejects(initBackend('tensorflow-gpu'), /tfjs-node-gpu: not installed/);
    assert.equal(tf.getBackend(), 'wasm', 'a failed choice leaves the current backend alone');
  });

  it('reports a native module that fails to load and falls back to wasm', async () => {
    const folder = fakeNativeFolder('tfjs-node', '4.22.0', "throw new Error('libtensorflow.so.2: cannot open shared object file');");
    const { name, reason } = await initBackend('auto', { nativeModulesPath: folder });
    assert.equal(name, 'wasm');
    assert.match(reason, /tfjs-node 4\.22\.0: failed to load \(libtensorflow\.so\.2: cannot open shared object file\); wasm: /);
  });

  it('loads a native module from nativeModulesPath into the shared engine and warns on a version mismatch', async () => {
    const folder = fakeNativeFolder(
      'tfjs-node',
      '4.10.0',
      [
        'const engine = globalThis._tfengine;',
        "const cpu = engine.findBackend('cpu');",
        "engine.registerBackend('tensorflow', () => new cpu.constructor(), 3);",
        "exports.version = { 'tfjs-core': '4.10.0', 'tfjs-node': '4.10.0' };",
      ].join('\n'),
    );
    const selection = await initBackend('tensorflow', { nativeModulesPath: join(folder, 'node_modules') });
    assert.equal(selection.name, 'tensorflow');
    assert.equal(tf.getBackend(), 'tensorflow');
    assert.match(selection.reason, /^tfjs-node 4\.10\.0 from /);
    assert.equal(selection.warnings.length, 1);
    assert.match(selection.warnings[0]!, /tfjs-core 4\.10\.0 but the engine uses 4\.22\.0/);
  });

  it("says when the native accelerator is off, and fails in one line for an addon path that does not exist", async () => {
    const off = await initBackend('wasm', { accelerator: 'off' });
    assert.match(off.reason, /; native accelerator: off$/);
    const missing = join(tmpdir(), 'no-such-dir', 'bus-lab-accelerator.node');
    await assert.rejects(initBackend('wasm', { accelerator: missing }), (err: Error) => {
      assert.ok(err instanceof BackendUnavailableError);
      assert.match(err.message, /^native accelerator: not built \(no bus-lab-accelerator\.node/);
      assert.ok(!err.message.includes('\n'));
      return true;
    });
    await initBackend('wasm');
  });

  it('finds the wasm binaries from the TS sources', () => {
    const dir = findWasmDir();
    assert.ok(dir && /tfjs-backend-wasm[\\/]dist[\\/]$/.test(dir), String(dir));
  });

  it('does not leave Emscripten process handlers behind', async () => {
    await initBackend('wasm');
    const emitter = process as unknown as NodeJS.EventEmitter;
    for (const event of ['uncaughtException', 'unhandledRejection']) {
      for (const listener of emitter.listeners(event)) assert.ok(!String(listener).includes('ExitStatus'), `${event} handler from Emscripten`);
    }
  });
});
