/** The API: provider registration (namespacing, duplicates, dispose, change event) and the example plugin. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { busLabApi, EXTENSION_ID, nextEvent, PLUGIN_ID, TINY_CONFIG, TVERSKY_ID } from './context';
import { report, skip, type HostTest } from './harness';

function lossModule(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bus-lab-host-test-'));
  const file = join(dir, 'loss.js');
  writeFileSync(file, "module.exports = { createLoss: (tf) => (batch, outputs) => tf.mean(tf.abs(tf.sub(outputs.seg, batch.mask))) };\n");
  return file;
}

/** A feature provider: each image's mean predicted-mask value (its relative area). */
function featureModule(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bus-lab-host-test-'));
  const file = join(dir, 'feature.js');
  writeFileSync(file, 'module.exports = { createFeature: (tf) => (softMask) => tf.mean(softMask, [1, 2, 3]) };\n');
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
    name: 'registerFeatureProvider: a birads run computes the registered feature, and dispose removes it',
    timeoutMs: 300_000,
    async run() {
      const api = await busLabApi();
      const id = `${EXTENSION_ID}/host-test-mean-mask`;
      const modulePath = featureModule();
      const registered = nextEvent(api.onDidChangeProviders, 5000, 'onDidChangeProviders (register feature)');
      const registration = api.registerFeatureProvider({ id, label: 'Host test mean mask', modulePath });
      await registered;
      assert.throws(() => api.registerFeatureProvider({ id, label: 'again', modulePath }), /already registered/);
      const config = { ...TINY_CONFIG, method: 'birads', features: ['shapeIrregularity', id], external: [] };
      try {
        const { runId, finished } = await api.train(config);
        const summary = await finished;
        assert.equal(summary.status, 'finished', `${runId}: ${summary.status}`);
        const listed = (await api.getRuns()).find((r) => r.id === runId);
        assert.ok(listed, `getRuns() does not list ${runId}`);
        const record = JSON.parse(readFileSync(join(listed.dir, 'run.json'), 'utf8')) as {
          config: { features: string[]; plugins: { modulePath: string }[] };
          providers?: { features: string[] };
        };
        assert.deepEqual(record.config.features, ['shapeIrregularity', id]);
        assert.deepEqual(record.providers?.features, ['shapeIrregularity', id]);
        assert.ok(record.config.plugins.some((p) => p.modulePath === modulePath), 'the feature module was not passed to the engine');
        // phi has a weight for the feature: the consistency loss computed it in every epoch.
        const epochs = readFileSync(join(listed.dir, 'metrics.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"type":"epoch"')).map((l) => JSON.parse(l) as { featureWeights?: Record<string, number> });
        assert.equal(epochs.length, 1);
        assert.ok(Number.isFinite(epochs[0].featureWeights?.[id]), `featureWeights: ${JSON.stringify(epochs[0].featureWeights)}`);
        report(`[extension-host]       ${runId}: phi weight of ${id} ${epochs[0].featureWeights?.[id]?.toFixed(3)}`);
      } finally {
        const unregistered = nextEvent(api.onDidChangeProviders, 5000, 'onDidChangeProviders (dispose feature)');
        registration.dispose();
        await unregistered;
      }
      await assert.rejects(api.train(config), /Unknown method or provider: .*host-test-mean-mask/);
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
