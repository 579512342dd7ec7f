import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { datasetSlug, DatasetSpecError, parseDatasetSpec } from '../../src/engine/data';
import { tempDir } from '../helpers/datasets';

test('file kinds resolve to an absolute path; slugs are file-system safe', () => {
  const { dir, cleanup } = tempDir();
  try {
    const s = parseDatasetSpec(`busi:${dir}`);
    assert.equal(s.kind, 'busi');
    assert.equal(s.path, dir);
    assert.equal(datasetSlug(s), 'busi');
    assert.match(datasetSlug(parseDatasetSpec(`folder:${dir}`)), /^folder-bus-lab-data-[a-z0-9-]+$/);
  } finally {
    cleanup();
  }
});

test('synthetic specs take a site and query options, with defaults', () => {
  const d = parseDatasetSpec('synthetic:site-b');
  assert.deepEqual(d.synthetic, { site: 'site-b', count: 96, malignant: 0.4, normal: 0, seed: 1 });
  assert.equal(datasetSlug(d), 'synthetic-site-b');
  const q = parseDatasetSpec('synthetic:site-c?count=40&malignant=0.25&seed=7&normal=3');
  assert.deepEqual(q.synthetic, { site: 'site-c', count: 40, malignant: 0.25, normal: 3, seed: 7 });
  assert.equal(datasetSlug(q), 'synthetic-site-c-count40-malignant0.25-normal3-seed7');
  assert.equal(parseDatasetSpec('synthetic:').synthetic?.site, 'site-a');
});

test('an unknown kind names the kind and lists the valid ones', () => {
  assert.throws(() => parseDatasetSpec('mnist:/data'), (err: Error) => {
    assert.ok(err instanceof DatasetSpecError);
    assert.match(err.message, /unknown dataset kind 'mnist'/);
    assert.match(err.message, /breast, busi, busbra, udiat, busuclm, folder, synthetic/);
    assert.doesNotMatch(err.message, /\n/);
    return true;
  });
  assert.throws(() => parseDatasetSpec('/just/a/path'), /has no kind.*one of breast/);
});

test('a missing or nonexistent path is an error naming it', () => {
  assert.throws(() => parseDatasetSpec('busi:'), /names no path/);
  assert.throws(() => parseDatasetSpec('busi:/no/such/folder/anywhere'), /busi: path \/no\/such\/folder\/anywhere does not exist/);
  assert.equal(parseDatasetSpec('busi:/no/such/folder', { checkPath: false }).path, '/no/such/folder');
});

test('bad synthetic options name the option', () => {
  assert.throws(() => parseDatasetSpec('synthetic:site-z'), /unknown synthetic site 'site-z' \(valid: site-a, site-b, site-c\)/);
  assert.throws(() => parseDatasetSpec('synthetic:site-a?count=0'), /count must be an integer >= 1/);
  assert.throws(() => parseDatasetSpec('synthetic:site-a?malignant=1.5'), /malignant must be a share between 0 and 1/);
  assert.throws(() => parseDatasetSpec('synthetic:site-a?colour=red'), /unknown option 'colour'/);
  assert.throws(() => parseDatasetSpec('synthetic:site-a?count=4&normal=5'), /normal \(5\) exceeds count \(4\)/);
});

test('~ names the home folder; a relative path resolves against baseDir, the current folder, or is refused', () => {
  assert.equal(parseDatasetSpec('busi:~', { checkPath: false }).path, homedir());
  assert.equal(parseDatasetSpec('busi:~/data/BUSI', { checkPath: false }).path, join(homedir(), 'data', 'BUSI'));
  assert.equal(parseDatasetSpec('busi:~other/x', { checkPath: false }).path, resolve('~other/x'));
  assert.equal(parseDatasetSpec('busi:data/BUSI', { checkPath: false, baseDir: '/ws' }).path, '/ws/data/BUSI');
  assert.equal(parseDatasetSpec('busi:/abs/BUSI', { checkPath: false, baseDir: null }).path, '/abs/BUSI');
  assert.equal(parseDatasetSpec('busi:data/BUSI', { checkPath: false }).path, resolve('data/BUSI'));
  assert.throws(() => parseDatasetSpec('busi:data/BUSI', { checkPath: false, baseDir: null }), /the path 'data\/BUSI' is relative and there is no folder/);
  // No query for file kinds: '?' belongs to the path.
  assert.equal(parseDatasetSpec('folder:/data/a?b=1', { checkPath: false }).path, '/data/a?b=1');
});
