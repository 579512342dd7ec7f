// The extension's engine path against the real bundled worker (dist/engine-worker.js, from
// `npm run build`): train a tiny synthetic run, train with the example plugin's Tversky loss as
// the method, and stop a run the way deactivation does. Skips visibly when the bundle is absent.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { RunRecord, TrainEvent } from '../../src/engine/types';
import { EngineClient } from '../../src/extension/workerClient/engineClient';
import { ProviderCatalog } from '../../src/extension/providers/providerCatalog';
import { listRuns } from '../../src/extension/runs/runSummaries';
import { DEFAULT_TRAIN_SETTINGS, completeTrainConfig } from '../../src/extension/train/trainConfigDefaults';
import { TrainingService } from '../../src/extension/train/trainingService';
import { providerIdsOf } from '../../src/extension/train/trainWizardModel';

const root = join(__dirname, '..', '..');
const workerPath = join(root, 'dist', 'engine-worker.js');
const skip = existsSync(workerPath) ? false : 'dist/engine-worker.js not built (npm run build)';
const tiny = { method: 'mtl', train: 'synthetic:site-a?count=16', external: ['synthetic:site-b?count=8'], epochs: 1, imageSize: 32, batchSize: 4 };

const made: string[] = [];
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function setup() {
  const runsDir = mkdtempSync(join(tmpdir(), 'bus-lab-ext-runs-'));
  made.push(runsDir);
  const lines: string[] = [];
  const engine = new EngineClient({ workerPath, workerData: () => ({ backend: 'auto' }), log: (l) => lines.push(l) });
  const service = new TrainingService(engine.createTrainJob);
  const events: TrainEvent[] = [];
  service.onTrainEvent((e) => events.push(e));
  return { runsDir, engine, service, events, lines };
}

describe('extension ↔ engine worker', { skip }, () => {
  it('trains a tiny synthetic run that the run listing shows finished with its external Dice', { timeout: 180_000 }, async () => {
    const { runsDir, service, events } = setup();
    const started = await service.start({ config: completeTrainConfig(tiny, DEFAULT_TRAIN_SETTINGS), runsDir });
    const record = await started.finished;
    assert.equal(record.status, 'finished');
    assert.ok(events.some((e) => e.type === 'epoch'));
    const { runs, problems } = await listRuns(runsDir);
    assert.deepEqual(problems, []);
    assert.equal(runs.length, 1);
    assert.equal(runs[0].id, started.runId);
    assert.equal(runs[0].status, 'finished');
    assert.equal(runs[0].external.length, 1);
    assert.equal(typeof runs[0].external[0].dice?.mean, 'number');

    // Evaluate Run on Dataset...: one more eval folder, listed with its Dice.
    const { engine } = setup();
    const evaluation = engine.evaluate(started.runDir, ['synthetic:site-c?count=8']);
    await evaluation.result;
    const after = (await listRuns(runsDir)).runs[0];
    assert.equal(after.external.length, 2);
    assert.ok(after.external.every((e) => typeof e.dice?.mean === 'number'));

    // Compare Runs (what the comparison panel gets through PanelDeps.compareRuns).
    const comparison = await engine.compare([started.runDir]).result;
    assert.equal(typeof comparison, 'object');
    assert.equal(engine.activeCount, 0, 'finished requests leave no worker behind');
  });

  it('checks a dataset and lists the providers, plugins included', { timeout: 120_000 }, async () => {
    const { engine } = setup();
    const report = await engine.checkDataset('synthetic:site-b?count=8').result;
    assert.equal(report.items, 8);
    assert.equal(typeof report.problems, 'number');
    const modulePath = join(root, 'examples', 'custom-loss-plugin', 'out', 'tversky.js');
    const providers = await engine.listProviders([{ modulePath, source: 'bus-lab-examples.custom-loss-plugin', kind: 'loss', id: 'bus-lab-examples.custom-loss-plugin/tversky', label: 'Tversky' } as never]);
    assert.ok(providers.losses.some((p) => p.id === 'segmentation' && p.source === 'builtin'));
    assert.ok(providers.losses.some((p) => p.id === 'bus-lab-examples.custom-loss-plugin/tversky' && p.source === 'bus-lab-examples.custom-loss-plugin'));
    assert.equal(providers.features.length, 4);
    await assert.rejects(engine.checkDataset('busi:/definitely/not/here').result, /not|exist|found/i);
  });

  it('trains with the example plugin loss as the method', { timeout: 180_000 }, async () => {
    const { runsDir, service } = setup();
    const modulePath = join(root, 'examples', 'custom-loss-plugin', 'out', 'tversky.js');
    const catalog = new ProviderCatalog({ isKnownExtension: (id) => id === 'bus-lab-examples.custom-loss-plugin' });
    catalog.register('loss', { id: 'bus-lab-examples.custom-loss-plugin/tversky', label: 'Tversky', modulePath, defaultOptions: { alpha: 0.3, beta: 0.7 } });
    const config = completeTrainConfig({ ...tiny, external: [], method: 'bus-lab-examples.custom-loss-plugin/tversky' }, DEFAULT_TRAIN_SETTINGS);
    config.plugins = catalog.pluginReferences(providerIdsOf(config).filter((id) => catalog.get(id)?.origin !== 'builtin'));
    assert.equal(config.plugins.length, 1);
    const started = await service.start({ config, runsDir });
    const record = await started.finished;
    assert.equal(record.status, 'finished');
    const saved = JSON.parse(readFileSync(join(started.runDir, 'run.json'), 'utf8')) as RunRecord;
    assert.ok(JSON.stringify(saved.providers ?? saved.config).includes('tversky'));
  });

  it('stops a run like deactivation does (cancel, bounded wait) and leaves it cancelled and resumable', { timeout: 180_000 }, async () => {
    const { runsDir, service, events } = setup();
    const started = await service.start({ config: completeTrainConfig({ ...tiny, external: [], epochs: 50 }, DEFAULT_TRAIN_SETTINGS), runsDir });
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (events.some((e) => e.type === 'step')) {
          clearInterval(check);
          resolve();
        }
      }, 50);
    });
    await service.stop(60_000);
    const record = await started.finished;
    assert.equal(record.status, 'cancelled');
    const { runs } = await listRuns(runsDir);
    assert.equal(runs[0].status, 'cancelled');
    assert.ok(existsSync(join(started.runDir, 'checkpoint')), 'a checkpoint to resume from');
    assert.equal(service.isRunning, false);
  });
});
