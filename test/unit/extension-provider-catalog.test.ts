import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ProviderRegistrationError, ProviderCatalog, providerNamespace, validateDescriptor } from '../../src/extension/providers/providerCatalog';
import { readContributedProviders, readSettingsProviders } from '../../src/extension/providers/providerSources';

const dir = mkdtempSync(join(tmpdir(), 'bus-lab-providers-'));
const lossModule = join(dir, 'tversky.js');
writeFileSync(lossModule, 'module.exports = { createLoss() {} };');
const installed = new Set(['bus-lab-examples.custom-loss-plugin', 'me.other']);
const options = { isKnownExtension: (id: string) => installed.has(id.toLowerCase()), moduleExists: (p: string) => p === lossModule };
const tversky = { id: 'bus-lab-examples.custom-loss-plugin/tversky', label: 'Tversky', modulePath: lossModule, defaultOptions: { alpha: 0.3, beta: 0.7 } };

describe('ProviderCatalog', () => {
  it('lists the built-ins with source builtin', () => {
    const r = new ProviderCatalog(options);
    assert.deepEqual(r.list('loss').map((p) => p.id), ['segmentation', 'classification', 'biradsConsistency']);
    assert.deepEqual(r.list('feature').map((p) => p.id), ['shapeIrregularity', 'orientation', 'marginIrregularity', 'ellipseDeviation']);
    assert.ok(r.list().every((p) => p.source === 'builtin'));
  });

  it('registers a namespaced provider, fires the change event, and unregisters on dispose', () => {
    const r = new ProviderCatalog(options);
    let changes = 0;
    r.onDidChange(() => changes++);
    const registration = r.register('loss', tversky);
    assert.equal(changes, 1);
    const p = r.get('bus-lab-examples.custom-loss-plugin/tversky')!;
    assert.equal(p.source, 'bus-lab-examples.custom-loss-plugin');
    assert.equal(p.origin, 'api');
    assert.deepEqual(p.defaultOptions, { alpha: 0.3, beta: 0.7 });
    assert.equal(r.list('feature').length, 4, 'a loss is not a feature');
    registration.dispose();
    assert.equal(changes, 2);
    assert.equal(r.get(tversky.id), undefined);
    registration.dispose();
    assert.equal(changes, 2, 'a second dispose does nothing');
  });

  it('throws on duplicates (case-insensitive) and allows re-registration after dispose', () => {
    const r = new ProviderCatalog(options);
    const first = r.register('loss', tversky);
    assert.throws(() => r.register('loss', tversky), /already registered/);
    assert.throws(() => r.register('loss', { ...tversky, id: tversky.id.toUpperCase() }), ProviderRegistrationError);
    first.dispose();
    r.register('loss', tversky);
  });

  it('throws on malformed descriptors', () => {
    const r = new ProviderCatalog(options);
    const bad: [unknown, RegExp][] = [
      [undefined, /must be an object/],
      [{ ...tversky, id: 'tversky' }, /namespaced/],
      [{ ...tversky, id: 'segmentation' }, /namespaced/],
      [{ ...tversky, id: 'unknown.ext/tversky' }, /not an installed extension/],
      [{ ...tversky, id: 'bus-lab-examples.custom-loss-plugin/' }, /namespaced/],
      [{ ...tversky, label: '  ' }, /label/],
      [{ ...tversky, modulePath: 'relative/loss.js' }, /absolute/],
      [{ ...tversky, modulePath: join(dir, 'missing.js') }, /module not found/],
      [{ ...tversky, description: 3 }, /description/],
      [{ ...tversky, defaultOptions: 'x' }, /defaultOptions/],
    ];
    for (const [descriptor, message] of bad) assert.throws(() => r.register('loss', descriptor), message, JSON.stringify(descriptor));
    assert.equal(r.list('loss').length, 3);
  });

  it('lets a run-time registration take over its own declaration, and falls back on dispose', () => {
    const r = new ProviderCatalog(options);
    const declared = validateDescriptor('loss', { ...tversky, label: 'Tversky (declared)' }, 'contribution', options);
    r.setContributed([declared]);
    assert.equal(r.get(tversky.id)?.origin, 'contribution');
    const registration = r.register('loss', tversky);
    assert.equal(r.get(tversky.id)?.origin, 'api');
    assert.equal(r.list('loss').filter((p) => p.id === tversky.id).length, 1);
    registration.dispose();
    assert.equal(r.get(tversky.id)?.label, 'Tversky (declared)');
    assert.throws(() => r.register('feature', tversky), /declared as a loss provider/);
  });

  it('makes plugin references for the engine, none for built-ins', () => {
    const r = new ProviderCatalog(options);
    r.register('loss', tversky);
    const refs = r.pluginReferences(['segmentation', tversky.id, tversky.id]);
    assert.deepEqual(refs, [{ kind: 'loss', id: tversky.id, label: 'Tversky', modulePath: lossModule, source: 'bus-lab-examples.custom-loss-plugin', defaultOptions: { alpha: 0.3, beta: 0.7 } }]);
    assert.throws(() => r.pluginReferences(['nope']), /Unknown provider/);
  });

  it('parses namespaces', () => {
    assert.equal(providerNamespace('a.b/c'), 'a.b');
    assert.equal(providerNamespace('c'), undefined);
  });
});

describe('provider sources', () => {
  it('reads contributes.busLab from extension manifests and reports malformed entries', () => {
    const { providers, problems } = readContributedProviders(
      [
        {
          id: 'bus-lab-examples.custom-loss-plugin',
          extensionPath: dir,
          packageJSON: { contributes: { busLab: { lossProviders: [{ id: 'tversky', label: 'Tversky', module: './tversky.js' }, { id: 'broken' }] } } },
        },
        { id: 'me.other', extensionPath: dir, packageJSON: { contributes: { busLab: { featureProviders: [{ id: 'bus-lab-examples.custom-loss-plugin/x', label: 'X', module: 'tversky.js' }] } } } },
        { id: 'me.unrelated', extensionPath: dir, packageJSON: { contributes: {} } },
      ],
      options,
    );
    assert.deepEqual(providers.map((p) => [p.kind, p.id, p.modulePath, p.origin]), [['loss', 'bus-lab-examples.custom-loss-plugin/tversky', lossModule, 'contribution']]);
    assert.equal(problems.length, 2);
    assert.match(problems[0], /need "id" and "module"/);
    assert.match(problems[1], /own id me.other/);
  });

  it('reads busLab.plugins with workspace-relative modules', () => {
    const { providers, problems } = readSettingsProviders(
      [
        { kind: 'loss', name: 'focal', module: 'tversky.js' },
        { kind: 'feature', name: 'x', module: 'missing.js' },
        { kind: 'metric', name: 'y', module: 'tversky.js' },
      ],
      [dir],
    );
    assert.deepEqual(providers.map((p) => [p.id, p.source, p.modulePath]), [['settings/focal', 'settings', lossModule]]);
    assert.equal(problems.length, 2);
    assert.match(problems[0], /does not exist/);
    assert.match(problems[1], /kind/);
    assert.deepEqual(readSettingsProviders('nope', []).problems, ['busLab.plugins must be an array']);
  });
});
