/**
 * Mask Gallery state and loading (issue 18): the click sequences of the two state bugs against the
 * view state, the viewport-ordered thumbnail queue, paired Dice(A) − Dice(B) sort and filter, and
 * images without a tumour as their own group.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ThumbQueue, type ThumbState } from '../../src/webviews/gallery/thumbQueue';
import { activeView, applySnapshot, restoreViewState, selectDataset, showImage, updateView, openDetail, type GalleryViewState } from '../../src/webviews/gallery/viewState';
import { falsePositiveText, filterItems, indexForCompare, labelCounts, pairedDiceOf, sortItems, type GalleryItem } from '../../src/webviews/gallery/viewModel';

const BUSI = { slug: 'busi', ids: new Set(['b1', 'b2', 'n1']) };
const BUSBRA = { slug: 'busbra', ids: new Set(['r1', 'r2']) };

function item(id: string, label: GalleryItem['label'], dice: number | null, extra: Partial<Record<string, number>> = {}): GalleryItem {
  return { id, file: `${id}.png`, png: `${id}.png`, label, dice, iou: null, hd95: null, precision: null, recall: null, pMalignant: null, features: {}, extra: { truthArea: label === 'normal' ? 0 : 100, falsePositiveArea: 0, ...extra } };
}

describe('gallery view state: issue 18 state bugs', () => {
  it('bug 1: picking a compare run (a new snapshot) keeps the tab the user switched to, and its open detail', () => {
    // Opened from the run's BUS-BRA row: the first snapshot asks for busbra.
    let s: GalleryViewState = restoreViewState({});
    s = applySnapshot(s, [BUSI, BUSBRA], 'busbra');
    assert.equal(s.active, 'busbra');
    // Switch to BUSI, open an image's detail.
    s = selectDataset(s, 'busi');
    s = openDetail(s, 'b2');
    // "Compare with run": the host answers with a snapshot that asks for no tab.
    s = applySnapshot(s, [BUSI, BUSBRA]);
    assert.equal(s.active, 'busi', 'the BUSI tab stays active');
    assert.equal(s.detailId, 'b2', 'the BUSI detail stays open (now with the second run beside it)');
    // "Back to grid" shows BUSI.
    s = openDetail(s, null);
    assert.equal(s.active, 'busi');
  });

  it('a snapshot that asks for a tab (opened again on a dataset) switches to it and closes a detail of another tab', () => {
    let s = applySnapshot(restoreViewState({}), [BUSI, BUSBRA]);
    s = openDetail(selectDataset(s, 'busi'), 'b1');
    s = applySnapshot(s, [BUSI, BUSBRA], 'busbra');
    assert.equal(s.active, 'busbra');
    assert.equal(s.detailId, null);
    // A tab that went away falls back to the first; a detail whose image went away closes.
    s = applySnapshot(openDetail(s, 'r1'), [{ slug: 'busbra', ids: new Set(['r2']) }]);
    assert.equal(s.detailId, null);
    assert.equal(applySnapshot(s, [BUSI]).active, 'busi');
  });

  it('bug 2: a label filter set in BUSI does not leak into BUS-BRA, and comes back in BUSI', () => {
    let s = applySnapshot(restoreViewState({}), [BUSI, BUSBRA], 'busi');
    s = updateView(s, { label: 'normal', page: 0 });
    assert.equal(activeView(s).label, 'normal');
    s = selectDataset(s, 'busbra');
    assert.equal(activeView(s).label, 'all', 'BUS-BRA shows all its images');
    assert.equal(activeView(s).search, '');
    s = updateView(s, { search: 'case 1' });
    s = selectDataset(s, 'busi');
    assert.deepEqual(activeView(s), { label: 'normal', search: '', page: 0, delta: 'all' });
  });

  it('restores per-tab views from saved state, and an older saved filter onto its own tab only', () => {
    const s = restoreViewState({ dataset: 'busi', sort: 'dice-desc', views: { busbra: { label: 'benign', search: 'x', page: 2, delta: 'b-better' }, bad: 5 } });
    assert.equal(s.sort, 'dice-desc');
    assert.deepEqual(s.views.busbra, { label: 'benign', search: 'x', page: 2, delta: 'b-better' });
    assert.equal(s.views.bad, undefined);
    const legacy = restoreViewState({ dataset: 'busi', label: 'normal', search: '', page: 1 });
    assert.equal(activeView(legacy).label, 'normal');
    assert.equal(activeView(selectDataset(legacy, 'busbra')).label, 'all');
  });

  it('showImage (a strip-plot or scatter click) switches tab and opens the detail', () => {
    const s = showImage(applySnapshot(restoreViewState({}), [BUSI, BUSBRA], 'busi'), 'busbra', 'r2');
    assert.equal(s.active, 'busbra');
    assert.equal(s.detailId, 'r2');
  });
});

describe('thumbnail queue: viewport order, cancel when scrolled away', () => {
  function harness(concurrency = 2) {
    const started: string[] = [];
    const aborted: string[] = [];
    const pending = new Map<string, { resolve: () => void; reject: (e: unknown) => void }>();
    const states: [string, ThumbState][] = [];
    const q = new ThumbQueue<string>({
      concurrency,
      load: (key, signal) =>
        new Promise<void>((resolve, reject) => {
          started.push(key);
          pending.set(key, { resolve, reject });
          signal.addEventListener('abort', () => {
            aborted.push(key);
            reject(new Error('aborted'));
          });
        }),
      onState: (k, st) => states.push([k, st]),
    });
    const settle = () => new Promise((r) => setImmediate(r));
    return { q, started, aborted, pending, states, settle };
  }

  it('loads only visible thumbnails, in grid order, never more than the concurrency', async () => {
    const { q, started, pending, settle } = harness(2);
    for (let i = 0; i < 10; i++) q.add(`t${i}`, i);
    // The viewport reports in arbitrary order (IntersectionObserver batches are unordered).
    for (const k of ['t5', 't3', 't4', 't6']) q.setVisible(k, true);
    // The first two visible in the batch started; the rest wait in grid order.
    assert.equal(q.loading().length, 2);
    assert.deepEqual(q.pending(), ['t4', 't6'].filter((k) => !started.includes(k)).sort());
    assert.ok(!started.includes('t0'), 'an off-screen thumbnail never loads');
    pending.get(started[0])!.resolve();
    await settle();
    assert.equal(q.loading().length, 2);
    assert.equal(started.length, 3);
  });

  it('starts queued thumbnails lowest grid position first', async () => {
    const { q, started, pending, settle } = harness(1);
    for (let i = 0; i < 6; i++) q.add(`t${i}`, i);
    q.setVisible('t4', true); // starts at once (free slot)
    for (const k of ['t5', 't2', 't3']) q.setVisible(k, true);
    assert.deepEqual(q.pending(), ['t2', 't3', 't5']);
    pending.get('t4')!.resolve();
    await settle();
    assert.deepEqual(started, ['t4', 't2']);
  });

  it('a thumbnail scrolled away is dequeued, or its load aborted, and the slot goes to a visible one', async () => {
    const { q, started, aborted, states, settle } = harness(2);
    for (let i = 0; i < 200; i++) q.add(`t${i}`, i);
    for (let i = 0; i < 8; i++) q.setVisible(`t${i}`, true); // top of the page
    assert.deepEqual(started, ['t0', 't1']);
    // Scroll to the bottom: the top leaves the viewport, the bottom enters.
    for (let i = 0; i < 8; i++) q.setVisible(`t${i}`, false);
    for (let i = 192; i < 200; i++) q.setVisible(`t${i}`, true);
    await settle();
    assert.deepEqual(aborted, ['t0', 't1']);
    assert.deepEqual(started.slice(2), ['t192', 't193']);
    assert.equal(q.stateOf('t0'), 'cancelled');
    assert.equal(q.stateOf('t5'), 'cancelled');
    assert.ok(states.some(([k, s]) => k === 't5' && s === 'cancelled'));
    // Back to the top: the cancelled thumbnails queue again.
    q.setVisible('t0', true);
    assert.ok(q.pending().includes('t0'));
  });

  it('a finished thumbnail does not load again; a failed one reports error; close aborts all', async () => {
    const { q, started, pending, aborted, settle } = harness(2);
    q.add('a', 0);
    q.add('b', 1);
    q.add('c', 2);
    q.setVisible('a', true);
    q.setVisible('b', true);
    pending.get('a')!.resolve();
    pending.get('b')!.reject(new Error('404'));
    await settle();
    assert.equal(q.stateOf('a'), 'done');
    assert.equal(q.stateOf('b'), 'error');
    q.setVisible('a', false);
    q.setVisible('a', true);
    assert.deepEqual(started, ['a', 'b']);
    q.setVisible('c', true);
    q.close();
    await settle();
    assert.deepEqual(aborted, ['c']);
    assert.equal(q.stateOf('c'), 'cancelled');
  });
});

describe('paired Dice and images without a tumour', () => {
  const a = [item('x', 'benign', 0.9), item('y', 'malignant', 0.2), item('z', 'benign', 0.5), item('n1', 'normal', 0, { falsePositiveArea: 64 }), item('n2', 'normal', null)];
  const b = [item('x', 'benign', 0.5), item('y', 'malignant', 0.6), item('z', 'benign', 0.52), item('n1', 'normal', 0), item('n2', 'normal', null)];
  const paired = pairedDiceOf(indexForCompare(b))!;

  it('Dice(A) − Dice(B) per image; none for a normal image', () => {
    assert.ok(Math.abs(paired(a[0])! - 0.4) < 1e-12);
    assert.ok(Math.abs(paired(a[1])! + 0.4) < 1e-12);
    assert.equal(paired(a[3]), null);
  });

  it('sorts by the paired difference, images without a tumour last', () => {
    assert.deepEqual(sortItems(a, 'delta-desc', paired).map((i) => i.id), ['x', 'z', 'y', 'n1', 'n2']);
    assert.deepEqual(sortItems(a, 'delta-asc', paired).map((i) => i.id), ['y', 'z', 'x', 'n1', 'n2']);
  });

  it('filters by the paired difference (at least 0.05)', () => {
    assert.deepEqual(filterItems(a, { delta: 'a-better', paired }).map((i) => i.id), ['x']);
    assert.deepEqual(filterItems(a, { delta: 'b-better', paired }).map((i) => i.id), ['y']);
    assert.deepEqual(filterItems(a, { delta: 'differ', paired }).map((i) => i.id), ['x', 'y']);
    assert.equal(filterItems(a, { delta: 'differ' }).length, a.length, 'without a second run the filter is off');
  });

  it('a normal image with Dice 0 sorts after every real miss, largest false-positive area first, and reads "FP area N px" or "no FP"', () => {
    const miss = item('miss', 'malignant', 0);
    const list = [a[3], miss, a[0], a[4]];
    assert.deepEqual(sortItems(list, 'dice-asc').map((i) => i.id), ['miss', 'x', 'n1', 'n2']);
    assert.deepEqual(sortItems(list, 'dice-desc').map((i) => i.id), ['x', 'miss', 'n1', 'n2']);
    assert.equal(falsePositiveText(a[3]), 'FP area 64 px');
    assert.equal(falsePositiveText(a[4]), 'no FP');
    assert.equal(labelCounts(list).normal, 2);
  });
});
