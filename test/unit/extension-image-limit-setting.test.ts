// busLab.data.maxImagePixels (#15): the extension passes the setting to the engine worker, which
// refuses larger images from their header and names the setting. Against the bundled worker.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DEFAULT_MAX_IMAGE_PIXELS } from '../../src/engine/data/image/decode';
import { EngineClient } from '../../src/extension/workerClient/engineClient';
import { FIX_H, FIX_W, makeBusiFixture, tempDir } from '../helpers/datasets';

const root = join(__dirname, '..', '..');
const workerPath = join(root, 'dist', 'engine-worker.js');
const skip = existsSync(workerPath) ? false : 'dist/engine-worker.js not built (npm run build)';
const data = tempDir('bus-lab-pixel-limit-');
after(() => data.cleanup());

describe('busLab.data.maxImagePixels', () => {
  it('is a setting whose default is the engine default', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, { type: string; default: unknown; minimum?: number }> } } };
    const setting = manifest.contributes.configuration.properties['busLab.data.maxImagePixels'];
    assert.ok(setting, 'busLab.data.maxImagePixels is not contributed');
    assert.equal(setting.type, 'integer');
    assert.equal(setting.default, DEFAULT_MAX_IMAGE_PIXELS);
    assert.equal(setting.minimum, 1);
  });

  it('reaches the engine worker: images over it are refused, naming the file and the setting', { skip, timeout: 60_000 }, async () => {
    makeBusiFixture(data.dir);
    const spec = `busi:${join(data.dir, 'Dataset_BUSI_with_GT')}`;
    const check = async (maxImagePixels?: number) => {
      const engine = new EngineClient({ workerPath, workerData: () => ({ backend: 'cpu', ...(maxImagePixels ? { maxImagePixels } : {}) }), log: () => undefined });
      return engine.checkDataset(spec).result;
    };
    const limited = await check(FIX_W * FIX_H - 1);
    const messages = limited.unreadable.map((p) => JSON.stringify(p));
    assert.ok(messages.length > 0, 'no image was refused');
    assert.ok(messages.every((m) => /over the 0\.0 MP limit \(raise it with the busLab\.data\.maxImagePixels setting\); not decoded/.test(m)), messages.join('\n'));
    assert.match(messages[0], /benign \(1\)\.png/);
    const unlimited = await check(FIX_W * FIX_H);
    assert.deepEqual(unlimited.unreadable, []);
  });
});
