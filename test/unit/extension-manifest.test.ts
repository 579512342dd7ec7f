// package.json's contributions agree with the code: every command is registered, every menu entry
// names a contributed command, setting defaults are the engine's, the icons exist.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_TRAIN_SETTINGS } from '../../src/extension/train/trainConfigDefaults';

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [readFileSync(p, 'utf8')] : [];
  });
}

describe('package.json contributions', () => {
  const commands: { command: string; title: string; category: string }[] = pkg.contributes.commands;
  const ids = new Set(commands.map((c) => c.command));

  it('registers every contributed command in src/extension, all in category BUS', () => {
    const code = sources(join(root, 'src', 'extension')).join('\n');
    for (const c of commands) {
      assert.equal(c.category, 'BUS', c.command);
      assert.ok(code.includes(`registerCommand('${c.command}'`), `${c.command} is contributed but not registered`);
    }
    for (const required of ['busLab.train', 'busLab.stopTraining', 'busLab.openTrainingDashboard', 'busLab.openMaskGallery', 'busLab.compareRuns', 'busLab.evaluateRun', 'busLab.checkDataset', 'busLab.revealRun', 'busLab.deleteRun']) {
      assert.ok(ids.has(required), required);
    }
    assert.equal(commands.find((c) => c.command === 'busLab.train')?.title, 'Train BUS model');
  });

  it('menus name contributed commands only', () => {
    for (const [menu, entries] of Object.entries(pkg.contributes.menus as Record<string, { command: string }[]>)) {
      for (const e of entries) assert.ok(ids.has(e.command), `${menu}: ${e.command}`);
    }
  });

  it('has the views, welcome content and icons', () => {
    assert.equal(pkg.contributes.viewsContainers.activitybar[0].title, 'BUS Lab');
    assert.ok(existsSync(join(root, pkg.contributes.viewsContainers.activitybar[0].icon)));
    assert.ok(existsSync(join(root, pkg.icon)));
    assert.deepEqual(pkg.contributes.views.busLab.map((v: { id: string }) => v.id), ['busLab.runs', 'busLab.providers']);
    assert.ok(pkg.contributes.viewsWelcome.some((w: { contents: string }) => w.contents.includes('command:busLab.train')));
  });

  it('setting defaults are the engine defaults', () => {
    const props = pkg.contributes.configuration.properties;
    for (const key of ['method', 'epochs', 'imageSize', 'batchSize', 'lambda', 'phiInit', 'phiLearningRate', 'phiSupervision', 'maskGradient', 'seed'] as const) {
      assert.equal(props[`busLab.train.${key}`].default, DEFAULT_TRAIN_SETTINGS[key], key);
    }
    assert.deepEqual(props['busLab.engine.backend'].enum, ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
    for (const key of ['busLab.datasets', 'busLab.engine.nativeModulesPath', 'busLab.engine.accelerator', 'busLab.runsDirectory', 'busLab.plugins']) assert.ok(props[key], key);
  });

  it('declares workspace extension kind and limited untrusted support', () => {
    assert.deepEqual(pkg.extensionKind, ['workspace']);
    assert.equal(pkg.engines.vscode, '^1.100.0');
    const trust = pkg.capabilities.untrustedWorkspaces;
    assert.equal(trust.supported, 'limited');
    assert.deepEqual(trust.restrictedConfigurations.sort(), ['busLab.engine.accelerator', 'busLab.engine.nativeModulesPath', 'busLab.plugins', 'busLab.runsDirectory']);
  });
});
