/**
 * The webview message contract: every message a webview may send is validated on the host;
 * unknown types, malformed payloads, unsafe ids, file names and paths are dropped.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isRelativeRunsPath,
  isRunId,
  isSafeFileName,
  parseComparisonMessage,
  parseComparisonState,
  parseDashboardMessage,
  parseDashboardState,
  parseGalleryMessage,
  parseGalleryState,
} from '../../src/webviews/protocol';

describe('webview protocol: common messages', () => {
  it('accepts ready, log and saveFile', () => {
    assert.deepEqual(parseDashboardMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseGalleryMessage({ type: 'log', level: 'warn', message: 'x' }), { type: 'log', level: 'warn', message: 'x' });
    assert.deepEqual(parseComparisonMessage({ type: 'saveFile', fileName: 'table.csv', format: 'csv', data: 'a,b\n' }), {
      type: 'saveFile',
      fileName: 'table.csv',
      format: 'csv',
      data: 'a,b\n',
    });
  });

  it('drops extra fields (only validated fields are passed on)', () => {
    assert.deepEqual(parseDashboardMessage({ type: 'ready', evil: 1 }), { type: 'ready' });
  });

  it('drops unknown types and non-objects', () => {
    for (const raw of [null, undefined, 1, 'ready', [], {}, { type: 3 }, { type: 'nope' }, { type: 'selectCompareRun', runId: 'a' }]) {
      assert.equal(parseDashboardMessage(raw), undefined, JSON.stringify(raw));
    }
    assert.equal(parseGalleryMessage({ type: 'selectRuns', runIds: ['a'] }), undefined);
    assert.equal(parseComparisonMessage({ type: 'selectRuns', runIds: ['a'] }), undefined);
  });

  it('drops malformed saveFile: path separators, bad format, bad base64, oversize', () => {
    const ok = { type: 'saveFile', fileName: 'a.png', format: 'png', data: 'iVBORw0KGgo=' };
    assert.ok(parseDashboardMessage(ok));
    assert.equal(parseDashboardMessage({ ...ok, fileName: '../a.png' }), undefined);
    assert.equal(parseDashboardMessage({ ...ok, fileName: 'dir/a.png' }), undefined);
    assert.equal(parseDashboardMessage({ ...ok, fileName: 'C:\\a.png' }), undefined);
    assert.equal(parseDashboardMessage({ ...ok, fileName: '' }), undefined);
    assert.equal(parseDashboardMessage({ ...ok, format: 'exe' }), undefined);
    assert.equal(parseDashboardMessage({ ...ok, data: '<script>' }), undefined);
    assert.equal(parseDashboardMessage({ ...ok, data: 42 }), undefined);
    assert.equal(parseDashboardMessage({ ...ok, format: 'csv', data: 'x'.repeat(41 * 1024 * 1024) }), undefined);
  });

  it('drops log messages with unknown levels and truncates long ones', () => {
    assert.equal(parseDashboardMessage({ type: 'log', level: 'debug', message: 'x' }), undefined);
    const m = parseDashboardMessage({ type: 'log', level: 'info', message: 'y'.repeat(10000) });
    assert.ok(m && m.type === 'log' && m.message.length === 4000);
  });
});

describe('webview protocol: panel messages', () => {
  it('dashboard selectRuns: run ids only, optional boolean follow', () => {
    assert.deepEqual(parseDashboardMessage({ type: 'selectRuns', runIds: ['run-1', 'b_2.x'] }), { type: 'selectRuns', runIds: ['run-1', 'b_2.x'] });
    assert.deepEqual(parseDashboardMessage({ type: 'selectRuns', runIds: [], follow: false }), { type: 'selectRuns', runIds: [], follow: false });
    assert.equal(parseDashboardMessage({ type: 'selectRuns', runIds: ['../etc'] }), undefined);
    assert.equal(parseDashboardMessage({ type: 'selectRuns', runIds: 'run-1' }), undefined);
    assert.equal(parseDashboardMessage({ type: 'selectRuns', runIds: ['a'], follow: 'yes' }), undefined);
    assert.equal(parseDashboardMessage({ type: 'selectRuns', runIds: new Array(201).fill('a') }), undefined);
  });

  it('gallery selectCompareRun: a run id or null', () => {
    assert.deepEqual(parseGalleryMessage({ type: 'selectCompareRun', runId: null }), { type: 'selectCompareRun', runId: null });
    assert.deepEqual(parseGalleryMessage({ type: 'selectCompareRun', runId: 'r1' }), { type: 'selectCompareRun', runId: 'r1' });
    assert.equal(parseGalleryMessage({ type: 'selectCompareRun', runId: '/abs' }), undefined);
    assert.equal(parseGalleryMessage({ type: 'selectCompareRun' }), undefined);
  });

  it('comparison: compare, openComparisonFile, loadComparisonFile with a relative .json path', () => {
    assert.deepEqual(parseComparisonMessage({ type: 'compare', runIds: ['a', 'b'] }), { type: 'compare', runIds: ['a', 'b'] });
    assert.equal(parseComparisonMessage({ type: 'compare', runIds: [] }), undefined);
    assert.deepEqual(parseComparisonMessage({ type: 'openComparisonFile' }), { type: 'openComparisonFile' });
    assert.deepEqual(parseComparisonMessage({ type: 'loadComparisonFile', file: 'ablation-1/comparison.json' }), {
      type: 'loadComparisonFile',
      file: 'ablation-1/comparison.json',
    });
    for (const file of ['../x/comparison.json', '/etc/comparison.json', 'a/../../comparison.json', 'C:/x.json', 'a\\b.json', 'a/comparison.txt', 'a//b.json']) {
      assert.equal(parseComparisonMessage({ type: 'loadComparisonFile', file }), undefined, file);
    }
  });
});

describe('webview protocol: ids, names, paths, state', () => {
  it('isRunId', () => {
    for (const ok of ['a', 'run-2026-01-01T10-00-00', 'A.b_c-1']) assert.ok(isRunId(ok), ok);
    for (const bad of ['', '.', '..', 'a/b', 'a\\b', '../a', 'a..b', '.hidden', 'x'.repeat(201), 'a b', 3, null]) assert.equal(isRunId(bad), false, String(bad));
  });
  it('isSafeFileName', () => {
    assert.ok(isSafeFileName('loss-step-chart.png'));
    for (const bad of ['', '.', '..', 'a/b', 'a\\b', 'a:b', 'a\nb', 'a\u0000b', 'x'.repeat(201)]) assert.equal(isSafeFileName(bad), false, JSON.stringify(bad));
  });
  it('isRelativeRunsPath', () => {
    assert.ok(isRelativeRunsPath('exp/comparison.json'));
    for (const bad of ['', '/a', 'a/../b', './a', 'a\\b', 'C:x', 'a//b', 'a/\u0007']) assert.equal(isRelativeRunsPath(bad), false, JSON.stringify(bad));
  });
  it('restored state is validated like messages', () => {
    assert.deepEqual(parseDashboardState({ selected: ['a', '../b'], follow: 'x', smoothing: 5 }), { selected: [], follow: true, smoothing: 0.999 });
    assert.deepEqual(parseDashboardState({ selected: ['a'], follow: false, smoothing: 0.3 }), { selected: ['a'], follow: false, smoothing: 0.3 });
    assert.equal(parseDashboardState(null), undefined);
    assert.equal(parseGalleryState({ runId: '../x' }), undefined);
    assert.deepEqual(parseGalleryState({ runId: 'r', dataset: 'busi', compareRunId: null, page: 2, sort: 'dice-asc' }), {
      runId: 'r',
      dataset: 'busi',
      compareRunId: null,
      page: 2,
      sort: 'dice-asc',
    });
    assert.deepEqual(parseComparisonState({ runIds: ['a', 'b'], file: '/etc/passwd.json', baseline: 'a' }), { runIds: ['a', 'b'], baseline: 'a' });
  });
});
