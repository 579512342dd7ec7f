import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkDatasetSpec, checkSettingPath } from '../../src/extension/config/settingPaths';
import { describeHealthReport } from '../../src/extension/datasets/healthReportText';
import { isRunFolderOf } from '../../src/engine/runs/deleteRun';
import type { DatasetCheckResult } from '../../src/engine/worker/protocol';

const ws = mkdtempSync(join(tmpdir(), 'bus-lab-ws-'));
mkdirSync(join(ws, 'data', 'BUSI'), { recursive: true });
writeFileSync(join(ws, 'data', 'labels.csv'), 'x');

describe('setting paths', () => {
  it('accepts absolute and workspace-relative paths, expands ~, and checks existence', () => {
    assert.deepEqual(checkSettingPath(join(ws, 'data'), { workspaceFolders: [], mustExist: 'directory', what: 'x' }), { ok: true, path: join(ws, 'data') });
    assert.deepEqual(checkSettingPath('data/BUSI', { workspaceFolders: [ws], mustExist: 'directory', what: 'x' }), { ok: true, path: join(ws, 'data', 'BUSI') });
    assert.deepEqual(checkSettingPath('~/tfjs', { workspaceFolders: [], mustExist: 'none', what: 'x' }), { ok: true, path: join(homedir(), 'tfjs') });
    const relative = checkSettingPath('data', { workspaceFolders: [], mustExist: 'none', what: 'busLab.runsDirectory' });
    assert.equal(relative.ok, false);
    assert.match((relative as { reason: string }).reason, /busLab.runsDirectory "data" is relative, but no workspace folder is open/);
    assert.match((checkSettingPath('nope', { workspaceFolders: [ws], mustExist: 'any', what: 'x' }) as { reason: string }).reason, /does not exist/);
    assert.match((checkSettingPath('data/labels.csv', { workspaceFolders: [ws], mustExist: 'directory', what: 'x' }) as { reason: string }).reason, /is not a directory/);
    assert.equal(checkSettingPath('  ', { workspaceFolders: [ws], mustExist: 'none', what: 'x' }).ok, false);
  });

  it('checks dataset specs with the engine\'s parser: what it accepts, the engine loads', () => {
    assert.deepEqual(checkDatasetSpec('synthetic:site-b?count=8', []), { ok: true, spec: 'synthetic:site-b?count=8' });
    assert.deepEqual(checkDatasetSpec('  synthetic:site-c ', []), { ok: true, spec: 'synthetic:site-c' });
    // Sites and options the engine does not know were accepted here and failed later in the worker.
    assert.match(reason(checkDatasetSpec('synthetic:site-z', [])), /unknown synthetic site 'site-z' \(valid: site-a, site-b, site-c\)/);
    assert.match(reason(checkDatasetSpec('synthetic:site-a?colour=red', [])), /unknown option 'colour'/);
    assert.equal(checkDatasetSpec('synthetic:../../etc', []).ok, false);
    assert.deepEqual(checkDatasetSpec('busi:data/BUSI', [ws]), { ok: true, spec: `busi:${join(ws, 'data', 'BUSI')}` });
    assert.deepEqual(checkDatasetSpec('busbra:data/labels.csv', [ws]), { ok: true, spec: `busbra:${join(ws, 'data', 'labels.csv')}` });
    // File kinds take no query: '?' is part of the path, as the engine reads it.
    assert.match(reason(checkDatasetSpec('busbra:data/labels.csv?limit=3', [ws])), /labels\.csv\?limit=3 does not exist/);
    assert.deepEqual(checkDatasetSpec('busi:~', [ws]), { ok: true, spec: `busi:${homedir()}` });
    assert.match(reason(checkDatasetSpec('busi:data/BUSI', [])), /the path 'data\/BUSI' is relative and there is no folder to resolve it against/);
    assert.match(reason(checkDatasetSpec('busi:/definitely/not/here', [ws])), /busi: path \/definitely\/not\/here does not exist/);
    assert.match(reason(checkDatasetSpec('/data/BUSI', [ws])), /has no kind/);
    assert.match(reason(checkDatasetSpec('', [ws])), /empty/);
  });
});

function reason(check: { ok: boolean; reason?: string }): string {
  assert.equal(check.ok, false, 'expected the check to fail');
  return check.reason ?? '';
}

describe('run folders', () => {
  it('only a direct sub-folder of the runs folder is a run folder (Delete Run guard)', () => {
    assert.ok(isRunFolderOf('/runs', '/runs/20260101-mtl'));
    assert.ok(!isRunFolderOf('/runs', '/runs'));
    assert.ok(!isRunFolderOf('/runs', '/'));
    assert.ok(!isRunFolderOf('/runs', '/runs/a/b'));
    assert.ok(!isRunFolderOf('/runs', '/runs/../home'));
    assert.ok(!isRunFolderOf('/runs', '/other/run'));
  });
});

describe('dataset health report text', () => {
  const base: DatasetCheckResult = {
    spec: 'busi:/data/BUSI',
    kind: 'busi',
    name: 'BUSI',
    path: '/data/BUSI',
    items: 780,
    counts: { benign: 437, malignant: 210, normal: 133 },
    unreadable: [],
    sizeMismatch: [],
    emptyMasks: [],
    masksOnNormal: [],
    nonBinaryMasks: [],
    imagesWithoutMasks: [],
    masksWithoutImages: [],
    unlabelled: [],
    duplicates: [],
    conflictingDuplicates: [],
    problems: 0,
    seconds: 1,
  };
  it('says a clean dataset is clean', () => {
    const t = describeHealthReport(base);
    assert.equal(t.ok, true);
    assert.equal(t.summary, 'BUSI: 780 images (437 benign, 210 malignant, 133 normal), no problems found.');
  });
  it('counts and lists problems by category', () => {
    const t = describeHealthReport({
      ...base,
      emptyMasks: [{ file: 'a.png', reason: 'empty' }],
      duplicates: [{ ids: ['a', 'b'], files: ['a.png', 'b.png'], labels: ['benign', 'benign'] }],
      problems: 2,
    });
    assert.equal(t.ok, false);
    assert.equal(t.summary, 'BUSI: 780 images (437 benign, 210 malignant, 133 normal), 2 problems: 1 lesion image with an empty mask, 1 duplicate group.');
    assert.ok(t.details.includes('    a.png: empty'));
    assert.ok(t.details.includes('    a.png, b.png (benign, benign)'));
    const two = describeHealthReport({ ...base, duplicates: [{ ids: ['a', 'b'], files: ['a.png', 'b.png'], labels: ['benign', 'benign'] }, { ids: ['c', 'd'], files: ['c.png', 'd.png'], labels: ['benign', 'benign'] }], problems: 2 });
    assert.match(two.summary, /2 problems: 2 duplicate groups\.$/);
  });
});
