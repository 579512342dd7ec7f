/**
 * The accelerator's calling convention: the engine uses an addon only when its ABI version and
 * every parameter block size match its own, and says why not in one line (the backend reason
 * that run.json keeps); the addon itself refuses a block of any other size. The checks on the
 * built addon skip, visibly, where it was not built (no libdnnl-dev).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { abiMismatch, ACCELERATOR_ABI_VERSION, ACCELERATOR_PARAMS } from '../../src/engine/backend/accelerator/abi';
import { bundledOneDnn, ConvParam, loadAcceleratorAddon } from '../../src/engine/backend/accelerator/addon';
import { BackendUnavailableError, initBackend } from '../../src/engine/backend';

const current = () => ({ abi: { version: ACCELERATOR_ABI_VERSION, params: { ...ACCELERATOR_PARAMS } } });

describe('accelerator ABI check', () => {
  it('accepts an addon that speaks this engine\'s ABI', () => {
    assert.equal(abiMismatch(current()), undefined);
  });

  it('rejects an addon from before the ABI was exported', () => {
    assert.match(abiMismatch({ conv() {}, info() {} })!, new RegExp(`reports no ABI version, the engine needs ABI ${ACCELERATOR_ABI_VERSION} \\(another build; npm run build:native rebuilds it\\)`));
    assert.match(abiMismatch(null)!, /no ABI version/);
  });

  it('rejects another ABI version', () => {
    const other = current();
    other.abi.version = ACCELERATOR_ABI_VERSION + 1;
    assert.match(abiMismatch(other)!, new RegExp(`speaks ABI ${ACCELERATOR_ABI_VERSION + 1}, the engine ABI ${ACCELERATOR_ABI_VERSION}`));
  });

  it('rejects the same version with a parameter block of another size, naming the operation', () => {
    const other = current();
    (other.abi.params as Record<string, number>).maxPoolGrad = 14;
    assert.match(abiMismatch(other)!, /its maxPoolGrad takes 14 parameters, the engine passes 15/);
    const missing = current();
    delete (missing.abi.params as Partial<Record<string, number>>).adamUpdate;
    assert.match(abiMismatch(missing)!, /its adamUpdate takes no parameters, the engine passes 14/);
  });

  it('the convolution block the kernels fill is the size the ABI names', () => {
    assert.equal(ConvParam.Count, ACCELERATOR_PARAMS.conv);
  });

  it('tells a bundled oneDNN (beside the addon) from the system\'s', () => {
    assert.equal(bundledOneDnn('/ext/dist/native/bus-lab-accelerator.node', '/ext/dist/native/libdnnl.so.2'), true);
    assert.equal(bundledOneDnn('/ext/dist/native/bus-lab-accelerator.node', '/lib/x86_64-linux-gnu/libdnnl.so.2'), false);
    assert.equal(bundledOneDnn('/ext/dist/native/bus-lab-accelerator.node', ''), false);
  });

  describe('an addon file from another build', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bus-lab-abi-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    // A module with the addon's surface and an older ABI; loading it must not call anything.
    const file = join(dir, 'older-accelerator.js');
    writeFileSync(
      file,
      `const calls = []; exports.calls = calls;\n` +
        `exports.abi = { version: 0, params: {} };\n` +
        `for (const f of ['conv', 'implementation', 'copyColumns', 'maxPoolGrad', 'batchNormReluForward', 'batchNormReluBackward', 'adamUpdate', 'info', 'lowerThreadPriority', 'setThreads']) exports[f] = () => { calls.push(f); };\n`,
    );

    it('is not used, with a one-line reason, and none of its functions is called', () => {
      const load = loadAcceleratorAddon(file);
      assert.equal(load.ok, false);
      const why = load.ok ? '' : load.why;
      assert.equal(why.split('\n').length, 1);
      assert.match(why, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} not used: it speaks ABI 0, the engine ABI ${ACCELERATOR_ABI_VERSION}`));
      assert.deepEqual((require(file) as { calls: string[] }).calls, []);
    });

    it('named explicitly, fails backend selection with that reason instead of running on it', async () => {
      await assert.rejects(initBackend('wasm', { accelerator: file }), (err: Error) => {
        assert.ok(err instanceof BackendUnavailableError);
        assert.match(err.message, /^native accelerator: .* not used: it speaks ABI 0/);
        return true;
      });
    });
  });
});

const built = loadAcceleratorAddon();
describe('the built addon', { skip: built.ok ? false : `native accelerator unavailable: ${built.why}` }, () => {
  it('exports this engine\'s ABI', () => {
    if (!built.ok) return;
    assert.deepEqual(built.addon.abi, { version: ACCELERATOR_ABI_VERSION, params: { ...ACCELERATOR_PARAMS } });
  });

  it('refuses a parameter block one value shorter or longer than its size', () => {
    if (!built.ok) return;
    const heap = new ArrayBuffer(1 << 16);
    const addon = built.addon;
    const ops: [string, number, (p: Float64Array) => unknown][] = [
      ['copyColumns', ACCELERATOR_PARAMS.copyColumns, (p) => addon.copyColumns(heap, p)],
      ['maxPoolGrad', ACCELERATOR_PARAMS.maxPoolGrad, (p) => addon.maxPoolGrad(heap, p)],
      ['batchNormReluForward', ACCELERATOR_PARAMS.batchNormReluForward, (p) => addon.batchNormReluForward(heap, p)],
      ['batchNormReluBackward', ACCELERATOR_PARAMS.batchNormReluBackward, (p) => addon.batchNormReluBackward(heap, p)],
      ['adamUpdate', ACCELERATOR_PARAMS.adamUpdate, (p) => addon.adamUpdate(heap, p)],
      ['conv', ACCELERATOR_PARAMS.conv, (p) => addon.conv(0, heap, p)],
      ['implementation', ACCELERATOR_PARAMS.conv, (p) => addon.implementation(0, p)],
    ];
    for (const [name, count, call] of ops) {
      for (const size of [count - 1, count + 1]) {
        assert.throws(() => call(new Float64Array(size)), new RegExp(`params must be a Float64Array of ${count} values`), `${name} with ${size} values`);
      }
    }
  });

  it('says which oneDNN file it loaded', () => {
    if (!built.ok) return;
    assert.match(built.addon.info().library, /libdnnl\.so|libdnnl.*\.dylib/);
  });
});
