/**
 * The one evaluateRun (engine, CLI `evaluate`, and VS Code's Evaluate Run on Dataset... through
 * the real bundled worker): the validation threshold saved with the checkpoint is applied and
 * written into summary.json, with the checkpoint epoch, weights hash and data fingerprint; per_image.csv
 * carries phi; a cancelled evaluation is not recorded; an existing evaluation is refused, overwritten
 * or kept beside the new one; and nothing run.json names is loaded as code.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it, test } from 'node:test';
import { CliIO, EXIT, UsageError } from '../../src/cli/command';
import { evaluateCommand } from '../../src/cli/commands/evaluate';
import { exportCommand } from '../../src/cli/commands/export';
import { initBackend } from '../../src/engine/backend';
import { evaluateRun, EvaluationExistsError, existingEvaluations } from '../../src/engine/eval/evaluateRun';
import type { EvaluationSummary } from '../../src/engine/eval/evaluationTypes';
import { readPerImageRows } from '../../src/engine/runs/evaluationFolder';
import { readRunRecord } from '../../src/engine/runs/runFolder';
import { acquireRunLock, RunLockedError } from '../../src/engine/runs/runLock';
import type { RunRecord } from '../../src/engine/types';
import { EngineClient } from '../../src/extension/workerClient/engineClient';
import { EngineError } from '../../src/extension/workerClient/engineJob';
import { tempDir } from '../helpers/datasets';
import { TinyRun, trainTinyRun } from '../helpers/tinyRun';

const root = join(__dirname, '..', '..');
const workerPath = join(root, 'dist', 'engine-worker.js');
const noWorker = existsSync(workerPath) ? false : 'dist/engine-worker.js not built (npm run build)';
const SITE_B = 'synthetic:site-b?count=12';
const SLUG = 'synthetic-site-b-count12';
/** A threshold no training would choose by chance, written into the best checkpoint as if validation had. */
const SAVED_THRESHOLD = 0.2345;

function fakeIO(): CliIO & { lines: string[]; results: unknown[] } {
  const lines: string[] = [];
  const results: unknown[] = [];
  return { lines, results, json: false, isTTY: false, signal: new AbortController().signal, info: (l) => lines.push(l), warn: (l) => lines.push(l), result: (v) => results.push(v) };
}

function summaryOf(runDir: string, slug: string): EvaluationSummary {
  return JSON.parse(readFileSync(join(runDir, 'eval', slug, 'summary.json'), 'utf8'));
}

function manifestOf(runDir: string): { state: Record<string, unknown>; weightsManifest: { paths: string[] }[] } {
  return JSON.parse(readFileSync(join(runDir, 'model', 'model.json'), 'utf8'));
}

/** Gives the best checkpoint a distinctive validation threshold. */
function setSavedThreshold(runDir: string): void {
  const path = join(runDir, 'model', 'model.json');
  const manifest = JSON.parse(readFileSync(path, 'utf8'));
  manifest.state.classificationThreshold = SAVED_THRESHOLD;
  writeFileSync(path, JSON.stringify(manifest));
}

/**
 * Makes run.json name code: a plugin module, an accelerator "addon" and a native-modules folder,
 * each of which writes a marker file when loaded. Returns the marker paths.
 */
function plantHostilePaths(runDir: string, where: string): string[] {
  mkdirSync(where, { recursive: true });
  const marker = (name: string) => join(where, `${name}.loaded`);
  const script = (name: string) => `require('node:fs').writeFileSync(${JSON.stringify(marker(name))}, 'loaded');\nmodule.exports = {};\n`;
  writeFileSync(join(where, 'plugin.js'), script('plugin'));
  writeFileSync(join(where, 'accelerator.js'), script('accelerator'));
  for (const pkg of ['tfjs-node', 'tfjs-node-gpu']) {
    mkdirSync(join(where, 'native', 'node_modules', '@tensorflow', pkg), { recursive: true });
    writeFileSync(join(where, 'native', 'node_modules', '@tensorflow', pkg, 'index.js'), script('native'));
    writeFileSync(join(where, 'native', 'node_modules', '@tensorflow', pkg, 'package.json'), JSON.stringify({ name: `@tensorflow/${pkg}`, main: 'index.js' }));
  }
  const record: RunRecord = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'));
  record.config.plugins = [{ modulePath: join(where, 'plugin.js'), source: 'cli' }];
  record.config.accelerator = join(where, 'accelerator.js');
  record.config.nativeModulesPath = join(where, 'native');
  writeFileSync(join(runDir, 'run.json'), JSON.stringify(record, null, 2));
  return ['plugin', 'accelerator', 'native'].map(marker);
}

let run: TinyRun;
before(async () => {
  run = await trainTinyRun('birads', { epochs: 2 });
  setSavedThreshold(run.dir);
});

describe('evaluateRun', () => {
  it('applies the saved threshold and records checkpoint, weights hash, data and phi', { timeout: 120_000 }, async () => {
    const { tf } = await initBackend('wasm', { accelerator: 'off' });
    const result = await evaluateRun({ tf, runDir: run.dir, datasets: [SITE_B], writeImages: false, resamples: 50 });
    assert.equal(result.cancelled, false);
    const [ev] = result.evaluations;
    const summary = summaryOf(run.dir, ev.slug);
    assert.equal(summary.threshold, SAVED_THRESHOLD);
    if (summary.classification) assert.equal(summary.classification.atThreshold.threshold, SAVED_THRESHOLD);
    const manifest = manifestOf(run.dir);
    assert.equal(summary.checkpoint?.which, 'best');
    assert.equal(summary.checkpoint?.epoch, manifest.state.epoch);
    const weights = readFileSync(join(run.dir, 'model', manifest.weightsManifest[0].paths[0]));
    assert.equal(summary.checkpoint?.weightsSha256, createHash('sha256').update(weights).digest('hex'));
    assert.match(summary.data?.fingerprint ?? '', /^[0-9a-f]{64}$/);
    assert.equal(summary.data?.path, 'site-b');
    assert.ok(!Number.isNaN(Date.parse(summary.createdAt)));
    // phi of the predicted and of the true mask, from the run's learned weights.
    const rows = await readPerImageRows(run.dir, ev.slug);
    const header = readFileSync(join(run.dir, 'eval', ev.slug, 'per_image.csv'), 'utf8').split('\n')[0].split(',');
    for (const col of ['pMalignant', 'phi_pred', 'phi_true', 'true_shapeIrregularity', 'pred_shapeIrregularity']) assert.ok(header.includes(col), col);
    const lesions = rows.filter((r) => r.label !== 'normal');
    assert.ok(lesions.length > 0 && lesions.every((r) => r.phiTrue !== undefined && r.phiTrue > 0 && r.phiTrue < 1));
    assert.ok(rows.every((r) => r.pMalignant !== undefined));
    assert.deepEqual((await readRunRecord(run.dir)).evaluated, [ev.slug]);
  });

  it('refuses to overwrite unless told, keeps both on request, and overwrites on request', { timeout: 120_000 }, async () => {
    const { tf } = await initBackend('wasm', { accelerator: 'off' });
    assert.deepEqual(existingEvaluations(run.dir, [SITE_B]), [SLUG]);
    await assert.rejects(evaluateRun({ tf, runDir: run.dir, datasets: [SITE_B], writeImages: false, resamples: 20 }), (err: unknown) => {
      assert.ok(err instanceof EvaluationExistsError);
      assert.deepEqual(err.slugs, [SLUG]);
      return true;
    });
    const before = readFileSync(join(run.dir, 'eval', SLUG, 'summary.json'), 'utf8');
    const kept = await evaluateRun({ tf, runDir: run.dir, datasets: [SITE_B], writeImages: false, resamples: 20, existing: 'keepBoth' });
    const slug = kept.evaluations[0].slug;
    assert.match(slug, /^synthetic-site-b-count12@\d{8}-\d{6}$/);
    assert.equal(readFileSync(join(run.dir, 'eval', SLUG, 'summary.json'), 'utf8'), before, 'the earlier evaluation is untouched');
    assert.equal(summaryOf(run.dir, slug).slug, slug);
    assert.ok((await readRunRecord(run.dir)).evaluated.includes(slug));
    const over = await evaluateRun({ tf, runDir: run.dir, datasets: [SITE_B], writeImages: false, resamples: 20, existing: 'overwrite' });
    assert.equal(over.evaluations[0].slug, SLUG);
  });

  it('never reads the checkpoint of a run whose folder another process holds (training)', { timeout: 60_000 }, async () => {
    const { tf } = await initBackend('wasm', { accelerator: 'off' });
    const lock = acquireRunLock(run.dir, 'train');
    try {
      await assert.rejects(evaluateRun({ tf, runDir: run.dir, datasets: [SITE_B], existing: 'overwrite', writeImages: false }), RunLockedError);
    } finally {
      lock.release();
    }
  });

  it('does not record a cancelled evaluation', { timeout: 120_000 }, async () => {
    const { tf } = await initBackend('wasm', { accelerator: 'off' });
    const abort = new AbortController();
    const result = await evaluateRun({
      tf,
      runDir: run.dir,
      datasets: ['synthetic:site-c?count=24'],
      writeImages: false,
      signal: abort.signal,
      onProgress: (_slug, done) => {
        if (done > 0) abort.abort();
      },
    });
    assert.equal(result.cancelled, true);
    assert.deepEqual(result.evaluations, []);
    assert.ok(!(await readRunRecord(run.dir)).evaluated.includes('synthetic-site-c-count24'));
    assert.ok(!existsSync(join(run.dir, 'eval', 'synthetic-site-c-count24', 'summary.json')));
  });
});

test('bus-lab evaluate refuses an existing evaluation (exit 2 with the flags to use) and applies the saved threshold', { timeout: 120_000 }, async () => {
  await assert.rejects(evaluateCommand.run(['--run', run.dir, '--dataset', SITE_B, '--no-images', '--no-cache', '--backend', 'wasm'], fakeIO()), (err: unknown) => {
    assert.ok(err instanceof UsageError);
    assert.match(err.message, /eval\/synthetic-site-b-count12.*--overwrite.*--keep-both/);
    return true;
  });
  const { dir } = tempDir('bus-lab-eval-hostile-');
  const markers = plantHostilePaths(run.dir, dir);
  const io = fakeIO();
  assert.equal(await evaluateCommand.run(['--run', run.dir, '--dataset', SITE_B, '--no-images', '--no-cache', '--backend', 'wasm', '--overwrite'], io), EXIT.ok);
  assert.equal(summaryOf(run.dir, SLUG).threshold, SAVED_THRESHOLD);
  assert.match(io.lines.join('\n'), /checkpoint: best \(epoch \d+\), weights sha256 [0-9a-f]{16}/);
  for (const m of markers) assert.ok(!existsSync(m), `evaluate loaded ${m.replace(/\.loaded$/, '')} named in run.json`);
  // The other commands that load a trained run take backend paths from the command line only, too.
  assert.equal(await exportCommand.run(['--run', run.dir, '--out', join(dir, 'model.onnx'), '--backend', 'wasm'], fakeIO()), EXIT.ok);
  for (const m of markers) assert.ok(!existsSync(m), `export loaded ${m.replace(/\.loaded$/, '')} named in run.json`);
});

describe("VS Code's Evaluate Run on Dataset... (the engine worker request the extension sends)", { skip: noWorker }, () => {
  it('writes the validation threshold into summary.json and loads nothing run.json names', { timeout: 120_000 }, async () => {
    const { dir } = tempDir('bus-lab-eval-worker-');
    const markers = plantHostilePaths(run.dir, dir);
    // The extension's workerData with busLab.engine.accelerator and nativeModulesPath unset.
    const engine = new EngineClient({ workerPath, workerData: () => ({ backend: 'wasm' }), log: () => undefined });
    // What a host needs to ask the user: a typed error naming the existing evaluations.
    await assert.rejects(engine.evaluate(run.dir, [SITE_B]).result, (err: unknown) => {
      assert.ok(err instanceof EngineError);
      assert.equal(err.code, 'evaluationExists');
      assert.deepEqual(err.slugs, [SLUG]);
      assert.match(err.message, /already evaluated on eval\/synthetic-site-b-count12/);
      return true;
    });
    const value = await engine.evaluate(run.dir, [SITE_B], undefined, undefined, 'overwrite').result;
    assert.equal(value.threshold, SAVED_THRESHOLD);
    assert.equal(value.cancelled, false);
    assert.equal(value.summaries[SLUG].threshold, SAVED_THRESHOLD);
    assert.equal(summaryOf(run.dir, SLUG).threshold, SAVED_THRESHOLD);
    assert.equal(summaryOf(run.dir, SLUG).checkpoint?.epoch, manifestOf(run.dir).state.epoch);
    for (const m of markers) assert.ok(!existsSync(m), `the worker loaded ${m.replace(/\.loaded$/, '')} named in run.json`);
  });
});
