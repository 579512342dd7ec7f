/**
 * Host-side file access of the panels (no vscode): path containment (lexical and through
 * symbolic links), run listing, metrics.jsonl whole and tailed, the gallery's per_image.csv with
 * the evaluator's file naming, comparison.json discovery.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isInside, resolveInside, resolveInsideReal } from '../../src/webviews/host/pathGuard';
import { evaluatedSlugs, listComparisonFiles, listRuns, readGalleryDataset, readMetrics, readMetricsFrom, readRunRecord, runDirOf } from '../../src/webviews/host/runFiles';

let root: string;
let runs: string;
let outside: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'bus-webview-'));
  runs = join(root, 'runs');
  outside = join(root, 'outside');
  mkdirSync(runs);
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.json'), '{"x":1}');
});
after(() => rmSync(root, { recursive: true, force: true }));

function writeRun(id: string, extra: Record<string, unknown> = {}): string {
  const dir = join(runs, id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'run.json'),
    JSON.stringify({ formatVersion: 1, id, name: `name-${id}`, status: 'finished', config: { method: 'birads', epochs: 3 }, createdAt: extra.createdAt ?? '2026-01-01', evaluated: [], ...extra }),
  );
  return dir;
}

describe('path containment', () => {
  it('isInside / resolveInside', () => {
    assert.ok(isInside('/a/b', '/a/b'));
    assert.ok(isInside('/a/b', '/a/b/c/d'));
    assert.ok(isInside('/a/b', '/a/b/..c'), 'a name starting with .. is inside');
    assert.equal(isInside('/a/b', '/a/bc'), false);
    assert.equal(isInside('/a/b', '/a'), false);
    assert.equal(resolveInside('/a/b', 'c', 'd.png'), `${sep}a${sep}b${sep}c${sep}d.png`);
    assert.equal(resolveInside('/a/b', '..', 'b2'), undefined);
    assert.equal(resolveInside('/a/b', 'c/../../x'), undefined);
    assert.equal(resolveInside('/a/b', '/etc/passwd'), undefined);
    assert.equal(resolveInside('/a/b', 'x\0y'), undefined);
  });

  it('resolveInsideReal refuses a symbolic link that leaves the runs folder', async () => {
    writeRun('linked');
    symlinkSync(outside, join(runs, 'linked', 'escape'));
    assert.equal(resolveInside(runs, 'linked', 'escape', 'secret.json') !== undefined, true, 'lexically inside');
    assert.equal(await resolveInsideReal(runs, 'linked', 'escape', 'secret.json'), undefined);
    assert.equal(await resolveInsideReal(runs, 'linked', 'run.json'), join(runs, 'linked', 'run.json'));
    assert.equal(await resolveInsideReal(runs, 'linked', 'missing.json'), undefined);
  });

  it('the panels read nothing through a symbolic link that leaves the runs folder (run, eval, picture folders; run.json, metrics.jsonl)', async () => {
    // A complete run outside the runs folder, as a shared folder or a planted link would hold it.
    const elsewhere = join(outside, 'run-elsewhere');
    mkdirSync(join(elsewhere, 'eval', 'busi', 'masks'), { recursive: true });
    const runJson = JSON.stringify({ formatVersion: 1, id: 'run-elsewhere', name: 'elsewhere', status: 'finished', config: { method: 'mtl', epochs: 1 }, createdAt: '2026-01-01', evaluated: ['busi'] });
    writeFileSync(join(elsewhere, 'run.json'), runJson);
    writeFileSync(join(elsewhere, 'metrics.jsonl'), JSON.stringify({ type: 'epoch', epoch: 1, losses: { dice: 0.5 }, val: { dice: 0.7, iou: 0.6 }, learningRate: 0.001, imagesPerSecond: 1, seconds: 1, time: '' }) + '\n');
    writeFileSync(join(elsewhere, 'eval', 'busi', 'per_image.csv'), 'id,file,label,dice\nsecret,secret,benign,0.9\n');
    writeFileSync(join(elsewhere, 'eval', 'busi', 'summary.json'), '{"dataset":"BUSI"}');

    // 1. The whole run folder is a link.
    symlinkSync(elsewhere, join(runs, 'linked-run'));
    assert.equal(runDirOf(runs, 'linked-run'), undefined);
    assert.equal((await listRuns(runs)).some((r) => r.id === 'linked-run'), false, 'listed a linked run folder');

    // 2. A real run folder whose files and folders link out.
    const dir = writeRun('links-out', { evaluated: ['busi', 'inside'] });
    assert.equal(runDirOf(runs, 'links-out'), dir);
    symlinkSync(join(elsewhere, 'metrics.jsonl'), join(dir, 'metrics.jsonl'));
    assert.deepEqual((await readMetrics(dir)).epochs, [], 'read metrics.jsonl through a link');
    mkdirSync(join(dir, 'eval'), { recursive: true });
    symlinkSync(join(elsewhere, 'eval', 'busi'), join(dir, 'eval', 'busi'));
    assert.equal(await readGalleryDataset(dir, 'busi'), undefined, 'read an eval folder through a link');
    // An eval folder inside whose masks folder links out: the gallery is not offered those pictures.
    const inside = join(dir, 'eval', 'inside');
    mkdirSync(join(inside, 'images'), { recursive: true });
    writeFileSync(join(inside, 'per_image.csv'), 'id,file,label,dice\ncase,case,benign,0.5\n');
    symlinkSync(join(elsewhere, 'eval', 'busi', 'masks'), join(inside, 'masks'));
    assert.deepEqual((await readGalleryDataset(dir, 'inside'))?.has, { images: true, truth: false, masks: false, prob: false });
    assert.deepEqual(await evaluatedSlugs(dir, await readRunRecord(dir)), ['inside']);

    // 3. run.json itself is a link.
    const linkedRecord = join(runs, 'linked-record');
    mkdirSync(linkedRecord);
    symlinkSync(join(elsewhere, 'run.json'), join(linkedRecord, 'run.json'));
    assert.equal(await readRunRecord(linkedRecord), undefined, 'read run.json through a link');
    assert.equal((await listRuns(runs)).some((r) => r.id === 'linked-record'), false);
  });

  it('runDirOf accepts only single safe segments', () => {
    assert.equal(runDirOf(runs, 'r1'), join(runs, 'r1'));
    for (const bad of ['..', '../x', 'a/b', '', '.x']) assert.equal(runDirOf(runs, bad), undefined, bad);
  });
});

describe('runs and metrics', () => {
  it('lists runs newest first, skipping folders without run.json', async () => {
    writeRun('old', { createdAt: '2025-01-01' });
    writeRun('new', { createdAt: '2027-01-01' });
    mkdirSync(join(runs, 'not-a-run'));
    const list = await listRuns(runs);
    assert.equal(list[0].id, 'new');
    assert.ok(!list.some((r) => r.id === 'not-a-run'));
    assert.deepEqual(
      { name: list[0].name, method: list[0].method, status: list[0].status },
      { name: 'name-new', method: 'birads', status: 'finished' },
    );
    assert.deepEqual(await listRuns(join(root, 'nope')), []);
    assert.equal(await readRunRecord(join(runs, 'not-a-run')), undefined);
  });

  it('reads metrics.jsonl, then tails only complete new lines', async () => {
    const dir = writeRun('live', { status: 'running' });
    const step = (g: number) => JSON.stringify({ type: 'step', epoch: 1, step: g, globalStep: g, losses: { total: 1 / g }, learningRate: 0.001, imagesPerSecond: 10, time: 't' });
    writeFileSync(join(dir, 'metrics.jsonl'), `${step(1)}\n${step(2)}\n${step(3).slice(0, 20)}`);
    const first = await readMetrics(dir);
    assert.deepEqual(
      first.steps.map((s) => s.step),
      [1, 2],
    );
    appendFileSync(join(dir, 'metrics.jsonl'), `${step(3).slice(20)}\n${step(4)}\n`);
    const next = await readMetricsFrom(dir, first.offset);
    assert.deepEqual(
      next.steps.map((s) => s.step),
      [3, 4],
    );
    const none = await readMetricsFrom(dir, next.offset);
    assert.equal(none.steps.length, 0);
    assert.equal(none.offset, next.offset);
    // Replaced by a shorter file: starts over.
    writeFileSync(join(dir, 'metrics.jsonl'), `${step(1)}\n`);
    assert.equal((await readMetricsFrom(dir, next.offset)).steps.length, 1);
    assert.equal((await readMetrics(join(runs, 'old'))).steps.length, 0);
  });
});

describe('gallery data', () => {
  it("reads per_image.csv with the evaluator's <file>.png naming, features and overlay folders", async () => {
    const dir = writeRun('ev', { evaluated: ['busi'] });
    const ev = join(dir, 'eval', 'busi');
    for (const f of ['images', 'truth', 'masks']) mkdirSync(join(ev, f), { recursive: true });
    writeFileSync(join(ev, 'per_image.csv'), 'id,file,label,dice,pMalignant,true_shapeIrregularity,pred_shapeIrregularity\n"benign (1)",benign_1,benign,0.8,0.2,0.1,0.2\n');
    writeFileSync(join(ev, 'images', 'benign_1.png'), '');
    writeFileSync(join(ev, 'summary.json'), JSON.stringify({ dataset: 'BUSI' }));
    mkdirSync(join(dir, 'eval', 'extra'));
    const ds = await readGalleryDataset(dir, 'busi');
    assert.ok(ds);
    assert.equal(ds.name, 'BUSI');
    assert.equal(ds.items[0].png, 'benign_1.png');
    assert.deepEqual(ds.features, ['shapeIrregularity']);
    assert.deepEqual(ds.has, { images: true, truth: true, masks: true, prob: false });
    assert.equal(await readGalleryDataset(dir, '../ev'), undefined);
    assert.equal(await readGalleryDataset(dir, 'extra'), undefined, 'no per_image.csv');
    assert.deepEqual(await evaluatedSlugs(dir, await readRunRecord(dir)), ['busi', 'extra']);
  });

  it('names pictures by the file column only, even when <id>.png exists (no guessing)', async () => {
    const dir = writeRun('ev2', { evaluated: ['busi'] });
    const ev = join(dir, 'eval', 'busi');
    mkdirSync(join(ev, 'images'), { recursive: true });
    writeFileSync(join(ev, 'images', 'case 1.png'), '');
    writeFileSync(join(ev, 'per_image.csv'), 'id,file,label,dice\n"case 1",case_1,benign,0.5\n');
    assert.equal((await readGalleryDataset(dir, 'busi'))?.items[0].png, 'case_1.png');
  });

  it('finds comparison.json files under the runs folder, skipping model and image folders', async () => {
    mkdirSync(join(runs, 'ablation-1'), { recursive: true });
    writeFileSync(join(runs, 'ablation-1', 'comparison.json'), '{}');
    mkdirSync(join(runs, 'ev', 'model'), { recursive: true });
    writeFileSync(join(runs, 'ev', 'model', 'comparison.json'), '{}');
    assert.deepEqual(await listComparisonFiles(runs), ['ablation-1/comparison.json']);
  });
});

describe('content security policy', () => {
  it('is strict: nothing by default, scripts by nonce only, no unsafe-inline, no remote sources', async () => {
    const { contentSecurityPolicy, makeNonce } = await import('../../src/webviews/host/csp');
    const nonce = makeNonce();
    assert.match(nonce, /^[A-Za-z0-9]{20,}$/);
    assert.notEqual(makeNonce(), nonce);
    const csp = contentSecurityPolicy('https://*.vscode-cdn.net', nonce);
    const d = Object.fromEntries(csp.split(';').map((p) => p.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
    assert.deepEqual(d['default-src'], ["'none'"]);
    assert.deepEqual(d['script-src'], [`'nonce-${nonce}'`]);
    assert.deepEqual(d['style-src'], ['https://*.vscode-cdn.net', `'nonce-${nonce}'`]);
    assert.deepEqual(d['img-src'], ['https://*.vscode-cdn.net', 'data:']);
    assert.deepEqual(d['font-src'], ['https://*.vscode-cdn.net']);
    assert.ok(!csp.includes('unsafe'));
  });
});
