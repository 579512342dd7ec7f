/** The API: provider registration (namespacing, duplicates, dispose, change event) and the example plugin. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { busLabApi, EXTENSION_ID, nextEvent, PLUGIN_ID, TVERSKY_ID } from './context';
import { skip, type HostTest } from './harness';

function lossModule(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bus-lab-host-test-'));
  const file = join(dir, 'loss.js');
  writeFileSync(file, "module.exports = { createLoss: (tf) => (batch, outputs) => tf.mean(tf.abs(tf.sub(outputs.seg, batch.mask))) };\n");
  return file;
}

export const apiTests: HostTest[] = [
  {
    name: 'registerLossProvider registers, fires onDidChangeProviders, and dispose unregisters',
    async run() {
      const api = await busLabApi();
      const descriptor = { id: `${EXTENSION_ID}/host-test-l1`, label: 'Host test L1', modulePath: lossModule() };
      const registered = nextEvent(api.onDidChangeProviders, 5000, 'onDidChangeProviders (register)');
      const registration = api.registerLossProvider(descriptor);
      await registered;
      assert.throws(() => api.registerLossProvider(descriptor), /already registered/);
      const unregistered = nextEvent(api.onDidChangeProviders, 5000, 'onDidChangeProviders (dispose)');
      registration.dispose();
      await unregistered;
      // Gone: the same id registers again.
      api.registerLossProvider(descriptor).dispose();
    },
  },
  {
    name: 'registerFeatureProvider works the same way',
    async run() {
      const api = await busLabApi();
      const registration = api.registerFeatureProvider({ id: `${EXTENSION_ID}/host-test-feature`, label: 'Host test feature', modulePath: lossModule() });
      registration.dispose();
    },
  },
  {
    name: 'malformed descriptors and foreign namespaces throw',
    async run() {
      const api = await busLabApi();
      const modulePath = lossModule();
      assert.throws(() => api.registerLossProvider({ id: 'no-namespace', label: 'x', modulePath }), /namespaced/);
      assert.throws(() => api.registerLossProvider({ id: 'nobody.not-installed/x', label: 'x', modulePath }), /not an installed extension/);
      assert.throws(() => api.registerLossProvider({ id: `${EXTENSION_ID}/x`, label: '', modulePath }), /label/);
      assert.throws(() => api.registerLossProvider({ id: `${EXTENSION_ID}/x`, label: 'x', modulePath: 'relative.js' }), /absolute/);
      assert.throws(() => api.registerLossProvider({ id: `${EXTENSION_ID}/x`, label: 'x', modulePath: join(tmpdir(), 'missing-' + Date.now() + '.js') }), /not found/);
    },
  },
  {
    name: 'the example plugin registers its Tversky loss',
    timeoutMs: 60_000,
    async run() {
      const plugin = vscode.extensions.getExtension(PLUGIN_ID);
      if (!plugin) skip('the example plugin is not installed');
      await plugin.activate();
      const api = await busLabApi();
      // Registered by the plugin: registering the same id again is refused as a duplicate.
      assert.throws(() => api.registerLossProvider({ id: TVERSKY_ID, label: 'again', modulePath: lossModule() }), /already (registered|declared)/);
    },
  },
];
