import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RegisteredProvider } from '../../src/extension/providers/providerCatalog';
import { DEFAULT_TRAIN_SETTINGS, completeTrainConfig, validateTrainConfig } from '../../src/extension/train/trainConfigDefaults';
import {
  SYNTHETIC_DATASETS,
  WizardContext,
  answersToConfig,
  availableDatasets,
  externalDatasetItems,
  methodItems,
  nextStep,
  previousStep,
  providerIdsOf,
  stepTitle,
  trainDatasetItems,
  validateEpochs,
} from '../../src/extension/train/trainWizardModel';

const builtinLoss: RegisteredProvider = { kind: 'loss', id: 'segmentation', label: 'Segmentation', source: 'builtin', origin: 'builtin' };
const tversky: RegisteredProvider = {
  kind: 'loss',
  id: 'bus-lab-examples.custom-loss-plugin/tversky',
  label: 'Tversky',
  modulePath: '/ext/tversky.js',
  defaultOptions: { alpha: 0.3, beta: 0.7 },
  source: 'bus-lab-examples.custom-loss-plugin',
  origin: 'api',
};
const ctx = (over: Partial<WizardContext> = {}): WizardContext => ({ defaults: { method: 'mtl', epochs: 30 }, datasets: [], lossProviders: [builtinLoss], ...over });
const configured = [
  { name: 'BUSI', spec: 'busi:/data/BUSI' },
  { name: 'BUS-BRA', spec: 'busbra:/data/BUSBRA' },
  { name: 'UDIAT', spec: 'udiat:/data/UDIAT' },
];

describe('train wizard model', () => {
  it('walks four steps', () => {
    assert.equal(stepTitle('method'), 'Train BUS model (1/4)');
    assert.equal(stepTitle('epochs'), 'Train BUS model (4/4)');
    assert.equal(nextStep('method'), 'train');
    assert.equal(nextStep('epochs'), undefined);
    assert.equal(previousStep('external'), 'train');
    assert.equal(previousStep('method'), undefined);
  });

  it('offers the built-in methods and plugin losses, preselecting the setting', () => {
    const items = methodItems(ctx({ lossProviders: [builtinLoss, tversky] }));
    assert.deepEqual(items.map((i) => i.description), ['single', 'mtl', 'birads', tversky.id]);
    assert.deepEqual(items.filter((i) => i.picked).map((i) => i.description), ['mtl']);
    assert.match(items[3].detail!, /plugin loss from bus-lab-examples.custom-loss-plugin/);
    const pluginDefault = methodItems(ctx({ defaults: { method: tversky.id, epochs: 3 }, lossProviders: [tversky] }));
    assert.deepEqual(pluginDefault.filter((i) => i.picked).map((i) => i.description), [tversky.id]);
    const unknownDefault = methodItems(ctx({ defaults: { method: 'gone', epochs: 3 } }));
    assert.deepEqual(unknownDefault.filter((i) => i.picked).map((i) => i.description), ['birads']);
  });

  it('falls back to the synthetic sites when no dataset is configured', () => {
    assert.deepEqual(availableDatasets(ctx()), { datasets: [...SYNTHETIC_DATASETS], synthetic: true, ignored: 0 });
    assert.deepEqual(availableDatasets(ctx({ datasets: [{ name: 'x' }, 'junk'] })).synthetic, true);
    const items = trainDatasetItems(ctx());
    assert.deepEqual(items.map((i) => i.value), ['synthetic:site-a', 'synthetic:site-b', 'synthetic:site-c']);
    assert.deepEqual(items.map((i) => i.picked), [true, false, false]);
  });

  it('uses configured datasets, ignoring malformed entries', () => {
    const a = availableDatasets(ctx({ datasets: [...configured, { name: '', spec: 'x' }] }));
    assert.equal(a.synthetic, false);
    assert.equal(a.ignored, 1);
    assert.deepEqual(a.datasets, configured);
  });

  it('preselects every other dataset as external, keeps earlier choices on Back', () => {
    const c = ctx({ datasets: configured });
    const ext = externalDatasetItems(c, 'busi:/data/BUSI');
    assert.deepEqual(ext.map((i) => [i.value, i.picked]), [
      ['busbra:/data/BUSBRA', true],
      ['udiat:/data/UDIAT', true],
    ]);
    const again = externalDatasetItems(c, 'busi:/data/BUSI', ['udiat:/data/UDIAT']);
    assert.deepEqual(again.map((i) => i.picked), [false, true]);
    assert.deepEqual(trainDatasetItems(c, 'udiat:/data/UDIAT').map((i) => i.picked), [false, false, true]);
  });

  it('checks the epoch count', () => {
    assert.equal(validateEpochs('30'), undefined);
    assert.equal(validateEpochs(' 1 '), undefined);
    assert.match(validateEpochs('0')!, /At least 1/);
    assert.match(validateEpochs('2.5')!, /whole number/);
    assert.match(validateEpochs('abc')!, /whole number/);
    assert.match(validateEpochs('100000')!, /At most/);
  });

  it('turns answers into a config; a plugin loss becomes the method id', () => {
    assert.deepEqual(answersToConfig({ method: { kind: 'builtin', method: 'birads' }, train: 'synthetic:site-a', external: ['synthetic:site-b'], epochs: 5 }), {
      method: 'birads',
      train: 'synthetic:site-a',
      external: ['synthetic:site-b'],
      epochs: 5,
    });
    const plugin = answersToConfig({ method: { kind: 'pluginLoss', providerId: tversky.id, label: 'Tversky' }, train: 't', external: [], epochs: 1 });
    assert.equal(plugin.method, tversky.id);
  });

  it('names the provider ids a config uses', () => {
    assert.deepEqual(providerIdsOf({ method: 'mtl', extraLosses: [], features: [] }), []);
    assert.deepEqual(providerIdsOf({ method: tversky.id, extraLosses: [{ id: 'a.b/x', weight: 1 }], features: ['orientation'] }), [tversky.id, 'a.b/x', 'orientation']);
  });
});

describe('train config defaults', () => {
  it('fills gaps from settings and validates', () => {
    const c = completeTrainConfig({ train: 'synthetic:site-a', epochs: 2 }, { ...DEFAULT_TRAIN_SETTINGS, imageSize: 64, nativeModulesPath: '/opt/tf' });
    assert.equal(c.method, 'birads');
    assert.equal(c.baseWidth, 16, 'engine default');
    assert.equal(c.imageSize, 64);
    assert.equal(c.epochs, 2);
    assert.equal(c.nativeModulesPath, '/opt/tf');
    assert.deepEqual(c.external, []);
    assert.deepEqual(validateTrainConfig(c), []);
    assert.match(validateTrainConfig({ ...c, imageSize: 30 })[0], /imageSize/);
    assert.match(validateTrainConfig({ ...c, train: '' })[0], /train/);
  });

  it('carries the accelerator setting into the run config, and checks it', () => {
    const c = completeTrainConfig({ train: 'synthetic:site-a' }, { ...DEFAULT_TRAIN_SETTINGS, accelerator: 'off' });
    assert.equal(c.accelerator, 'off');
    assert.equal(completeTrainConfig({ train: 'synthetic:site-a' }, DEFAULT_TRAIN_SETTINGS).accelerator, undefined, "unset means 'auto'");
    assert.deepEqual(validateTrainConfig(c), []);
    assert.match(validateTrainConfig({ ...c, accelerator: ' ' })[0], /accelerator/);
  });
});
