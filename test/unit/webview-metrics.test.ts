/**
 * Training-dashboard view model: metrics.jsonl parsing (torn last line), merging live records
 * (duplicates, resumed runs), snapshot thinning, loss component order, debiased EMA smoothing as
 * TensorBoard computes it, chart CSV export; and the host's live-update throttle.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { MetricsRecord, TrainEvent } from '../../src/engine/types';
import {
  emaSmooth,
  formatDuration,
  keepLastScatter,
  lossComponents,
  mergeEpochs,
  mergeSteps,
  parseMetricsRecords,
  seriesToCsv,
  valDiceText,
  smoothPoints,
  thinSteps,
  xy,
  type EpochPoint,
  type StepPoint,
} from '../../src/webviews/dashboard/viewModel';
import { DeltaBuffer, Throttle, type Clock } from '../../src/webviews/dashboard/throttle';
import { readMetrics } from '../../src/webviews/host/runFiles';

/** Points of whole metrics.jsonl lines (the host reads the file through engine/runs). */
const parseMetricsJsonl = (text: string) => parseMetricsRecords(text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l)));

function stepRec(globalStep: number, losses: Record<string, number> = { segmentation: 1 / globalStep, total: 2 / globalStep }): Extract<MetricsRecord, { type: 'step' }> {
  return { type: 'step', epoch: Math.ceil(globalStep / 10), step: globalStep, globalStep, losses, learningRate: 1e-3, imagesPerSecond: 40, time: '2026-01-01T00:00:00Z' };
}
function epochRec(epoch: number, extra: Partial<Extract<MetricsRecord, { type: 'epoch' }>> = {}): Extract<MetricsRecord, { type: 'epoch' }> {
  return {
    type: 'epoch',
    epoch,
    losses: { segmentation: 0.5, classification: 0.3, consistency: 0.1, total: 0.9 },
    val: { dice: 0.5 + epoch / 100, iou: 0.4 },
    learningRate: 1e-3,
    imagesPerSecond: 40,
    etaSeconds: 100 - epoch,
    seconds: 10,
    time: '2026-01-01T00:00:00Z',
    ...extra,
  };
}
const sp = (step: number, v = step): StepPoint => ({ step, epoch: 1, losses: { total: v }, learningRate: 1, imagesPerSecond: 1 });

describe('metrics.jsonl parsing', () => {
  it('reads step and epoch records and counts bad lines (a torn last line is left for the next read)', async () => {
    const text = [JSON.stringify(stepRec(1)), JSON.stringify(stepRec(2)), JSON.stringify(epochRec(1)), '{"type":"unknown"}', 'not json', '', '{"type":"step","glob'].join('\n');
    const dir = mkdtempSync(join(tmpdir(), 'bus-lab-metrics-'));
    writeFileSync(join(dir, 'metrics.jsonl'), text);
    const m = await readMetrics(dir);
    assert.deepEqual(
      m.steps.map((s) => s.step),
      [1, 2],
    );
    assert.equal(m.epochs.length, 1);
    assert.equal(m.epochs[0].val.dice, 0.51);
    assert.equal(m.badLines, 2);
    assert.equal(m.offset, text.lastIndexOf('\n') + 1);
  });

  it('keeps plugin loss terms, drops non-numeric values, validates the phi scatter', () => {
    const rec = {
      ...epochRec(2),
      losses: { segmentation: 0.4, myPluginTerm: 0.05, bogus: 'x', total: 0.5 },
      phiScatter: [
        { phi: 0.2, pMalignant: 0.1, label: 'benign' },
        { phi: 'x', pMalignant: 0.1, label: 'benign' },
        { phi: 0.9, pMalignant: 0.8, label: 'alien' },
      ],
    };
    const m = parseMetricsJsonl(JSON.stringify(rec) + '\n');
    assert.deepEqual(m.epochs[0].losses, { segmentation: 0.4, myPluginTerm: 0.05, total: 0.5 });
    assert.deepEqual(m.epochs[0].phiScatter, [{ phi: 0.2, pMalignant: 0.1, label: 'benign' }]);
  });

  it('sorts out-of-order records and lets the newest record of a step win (resume)', () => {
    const lines = [stepRec(1), stepRec(3), stepRec(2), { ...stepRec(2), losses: { total: 99 } }].map((r) => JSON.stringify(r)).join('\n');
    const m = parseMetricsJsonl(lines);
    assert.deepEqual(
      m.steps.map((s) => [s.step, s.losses.total]),
      [
        [1, 2],
        [2, 99],
        [3, 2 / 3],
      ],
    );
  });
});

describe('merging live points', () => {
  it('appends newer points, replaces duplicates, inserts older ones in order', () => {
    const a = [sp(1), sp(2), sp(5)];
    mergeSteps(a, [sp(6), sp(2, 20), sp(3)]);
    assert.deepEqual(
      a.map((p) => [p.step, p.losses.total]),
      [
        [1, 1],
        [2, 20],
        [3, 3],
        [5, 5],
        [6, 6],
      ],
    );
    const e: EpochPoint[] = [];
    mergeEpochs(e, parseMetricsJsonl([epochRec(2), epochRec(1)].map((r) => JSON.stringify(r)).join('\n')).epochs);
    assert.deepEqual(
      e.map((p) => p.epoch),
      [1, 2],
    );
  });

  it('thins a long history to at most max points, keeping first and last', () => {
    const steps = Array.from({ length: 10001 }, (_, i) => sp(i + 1));
    const t = thinSteps(steps, 1000);
    assert.ok(t.length <= 1000, String(t.length));
    assert.equal(t[0].step, 1);
    assert.equal(t[t.length - 1].step, 10001);
    assert.equal(thinSteps(steps.slice(0, 10), 1000).length, 10);
  });

  it('keeps the phi scatter of the last epoch that has one', () => {
    const scatter = [{ phi: 0.1, pMalignant: 0.2, label: 'benign' as const }];
    const e = parseMetricsJsonl([epochRec(1, { phiScatter: scatter }), epochRec(2, { phiScatter: scatter }), epochRec(3)].map((r) => JSON.stringify(r)).join('\n')).epochs;
    const k = keepLastScatter(e);
    assert.equal(k[0].phiScatter, undefined);
    assert.deepEqual(k[1].phiScatter, scatter);
    assert.equal(k[2].phiScatter, undefined);
  });
});

describe('loss components and series', () => {
  it('orders built-in terms first, plugin terms alphabetically, total last', () => {
    const runs = [
      { steps: [{ ...sp(1), losses: { total: 1, zeta: 1, segmentation: 1 } }], epochs: [] },
      { steps: [], epochs: parseMetricsJsonl(JSON.stringify({ ...epochRec(1), losses: { alpha: 1, consistency: 1, classification: 1 } })).epochs },
    ];
    assert.deepEqual(lossComponents(runs), ['segmentation', 'classification', 'consistency', 'alpha', 'zeta', 'total']);
  });

  it('xy skips non-finite values', () => {
    assert.deepEqual(
      xy([1, 2, 3], (v) => v, (v) => (v === 2 ? NaN : v * 10)),
      [
        { x: 1, y: 10 },
        { x: 3, y: 30 },
      ],
    );
  });
});

describe('EMA smoothing (TensorBoard, debiased)', () => {
  it('weight 0 returns the values', () => {
    assert.deepEqual(emaSmooth([1, 2, 3], 0), [1, 2, 3]);
  });

  it('debiasing: the first value is returned unchanged, a constant series stays constant', () => {
    const s = emaSmooth([5, 5, 5, 5], 0.9);
    for (const v of s) assert.ok(Math.abs(v - 5) < 1e-12);
    assert.equal(emaSmooth([7, 0], 0.6)[0], 7);
  });

  it('matches the recurrence by hand', () => {
    // w = 0.5: last = 0.5*0 + 0.5*2 = 1 -> 1/(1-0.5) = 2; last = 0.5*1 + 0.5*4 = 2.5 -> 2.5/0.75
    const s = emaSmooth([2, 4], 0.5);
    assert.equal(s[0], 2);
    assert.ok(Math.abs(s[1] - 2.5 / 0.75) < 1e-12);
  });

  it('non-finite values stay NaN and do not disturb the average', () => {
    const s = emaSmooth([2, NaN, 4], 0.5);
    assert.ok(Number.isNaN(s[1]));
    assert.ok(Math.abs(s[2] - 2.5 / 0.75) < 1e-12);
  });

  it('smoothPoints keeps x', () => {
    const p = smoothPoints(
      [
        { x: 10, y: 1 },
        { x: 20, y: 3 },
      ],
      0.5,
    );
    assert.deepEqual(
      p.map((q) => q.x),
      [10, 20],
    );
  });
});

describe('chart CSV and formatting', () => {
  it('seriesToCsv writes long-format rows with escaped labels', () => {
    const csv = seriesToCsv(
      [
        { label: 'x', runId: 'run,1', key: 'total', points: [{ x: 1, y: 0.5 }] },
        { label: 'x (raw)', runId: 'r2', key: 'total', points: [{ x: 1, y: 0.7 }], raw: true },
      ],
      'Global step',
      'Loss',
    );
    assert.equal(csv, 'run,series,kind,Global step,Loss\n"run,1",total,shown,1,0.5\nr2,total,raw,1,0.7\n');
  });

  it('formatDuration', () => {
    assert.equal(formatDuration(5), '5 s');
    assert.equal(formatDuration(65), '1 min 05 s');
    assert.equal(formatDuration(3720), '1 h 02 min');
    assert.equal(formatDuration(NaN), '–');
  });
});

describe('host live-update throttle', () => {
  function fakeClock() {
    let now = 0;
    const timers: { at: number; fn: () => void; id: number }[] = [];
    let id = 0;
    const clock: Clock = {
      now: () => now,
      setTimeout: (fn, ms) => {
        timers.push({ at: now + ms, fn, id: ++id });
        return id;
      },
      clearTimeout: (h) => {
        const i = timers.findIndex((t) => t.id === h);
        if (i >= 0) timers.splice(i, 1);
      },
    };
    const advance = (ms: number) => {
      const end = now + ms;
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const t = timers[0];
        if (!t || t.at > end) break;
        timers.shift();
        now = t.at;
        t.fn();
      }
      now = end;
    };
    return { clock, advance };
  }

  it('flushes at most once per interval however many events arrive', () => {
    const { clock, advance } = fakeClock();
    let flushes = 0;
    const t = new Throttle(() => flushes++, 250, clock);
    for (let ms = 0; ms < 1000; ms += 1) {
      t.schedule();
      advance(1);
    }
    assert.ok(flushes >= 3 && flushes <= 5, String(flushes));
    t.dispose();
  });

  it('DeltaBuffer batches step/epoch records per run and status changes', () => {
    const b = new DeltaBuffer();
    const run = { formatVersion: 1, id: 'r1' } as unknown as Extract<TrainEvent, { type: 'finished' }>['record'];
    for (let i = 1; i <= 100; i++) b.add({ type: 'step', runId: 'r1', record: stepRec(i), totalSteps: 1000 });
    b.add({ type: 'epoch', runId: 'r1', record: epochRec(1), totalEpochs: 10 });
    b.add({ type: 'step', runId: 'r2', record: stepRec(1), totalSteps: 10 });
    b.add({ type: 'finished', runId: 'r2', record: run });
    assert.equal(b.add({ type: 'log', level: 'info', message: 'x' }), undefined);
    const out = b.take((id) => id === 'r1');
    assert.equal(out.length, 1);
    assert.equal(out[0].steps.length, 100);
    assert.equal(out[0].epochs.length, 1);
    assert.equal(out[0].totalSteps, 1000);
    assert.equal(out[0].totalEpochs, 10);
    assert.equal(b.size, 0);
    b.add({ type: 'finished', runId: 'r2', record: run });
    assert.equal(b.take()[0].status, 'finished');
  });
});

describe('dashboard val Dice (#18: the tree shows the best, the dashboard showed the last)', () => {
  const ep = (epoch: number, dice: number) => ({ epoch, losses: {}, val: { dice, iou: dice }, learningRate: 0, imagesPerSecond: 0, etaSeconds: 0, seconds: 0 });
  it('labels the best epoch and the last one', () => {
    assert.equal(valDiceText([ep(1, 0.5), ep(2, 0.81), ep(3, 0.81), ep(4, 0.7)]), 'best val Dice 0.810 (epoch 2) · last 0.700 (epoch 4)');
  });
  it('one phrase when the last epoch is the best; nothing before validation', () => {
    assert.equal(valDiceText([ep(1, 0.5), ep(2, 0.6)]), 'best val Dice 0.600 (epoch 2)');
    assert.equal(valDiceText([ep(1, Number.NaN)]), '');
    assert.equal(valDiceText([]), '');
  });
});
