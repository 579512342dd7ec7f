/**
 * The panel controllers against a fake `vscode` module: serializers registered, the strict HTML
 * shell, nothing posted before `ready`, a full snapshot on every `ready` (also after hide/show),
 * throttled live appends, invalid messages dropped and logged, path refusals, exports through the
 * save dialog, comparison computed through PanelDeps.compareRuns, and restoring from saved state.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TrainEvent } from '../../src/engine/types';
import { compareEvaluations } from '../../src/engine/experiments/compare';
import type { Comparison } from '../../src/engine/experiments/comparisonTypes';

// ------------------------------------------------------------------------------ fake vscode

type Listener<T> = (e: T) => unknown;
class EventEmitter<T> {
  private listeners: Listener<T>[] = [];
  event = (l: Listener<T>) => {
    this.listeners.push(l);
    return { dispose: () => (this.listeners = this.listeners.filter((x) => x !== l)) };
  };
  fire(e: T) {
    for (const l of [...this.listeners]) l(e);
  }
  dispose() {
    this.listeners = [];
  }
}
class Uri {
  constructor(
    readonly scheme: string,
    readonly fsPath: string,
  ) {}
  static file(p: string) {
    return new Uri('file', p);
  }
  static joinPath(u: Uri, ...parts: string[]) {
    return new Uri(u.scheme, join(u.fsPath, ...parts));
  }
  toString() {
    return this.scheme === 'file' ? `file://${this.fsPath}` : `${this.scheme}://resource${this.fsPath}`;
  }
}

class FakePanel {
  visible = true;
  disposed = false;
  readonly posted: { type: string; [k: string]: unknown }[] = [];
  readonly receive = new EventEmitter<unknown>();
  readonly viewState = new EventEmitter<void>();
  readonly disposeEvents = new EventEmitter<void>();
  webview = {
    options: {} as { enableScripts?: boolean; localResourceRoots?: Uri[] },
    html: '',
    cspSource: 'https://fake.vscode-cdn.net',
    asWebviewUri: (u: Uri) => new Uri('https', u.fsPath),
    postMessage: async (m: { type: string }) => {
      this.posted.push(m);
      return true;
    },
    onDidReceiveMessage: this.receive.event,
  };
  onDidChangeViewState = this.viewState.event;
  onDidDispose = this.disposeEvents.event;
  constructor(
    readonly viewType: string,
    public title: string,
  ) {}
  reveal() {}
  dispose() {
    if (this.disposed) return;
    this.disposed = true;
    this.disposeEvents.fire();
  }
  /** The webview sends a message. */
  send(m: unknown) {
    this.receive.fire(m);
  }
  take(type?: string) {
    const out = this.posted.filter((m) => !type || m.type === type);
    this.posted.length = 0;
    return out;
  }
}

const created: FakePanel[] = [];
const serializers = new Map<string, { deserializeWebviewPanel(p: unknown, s: unknown): Promise<void> }>();
let saveTarget: Uri | undefined;
const written: { path: string; bytes: Uint8Array }[] = [];
const fakeVscode = {
  Uri,
  EventEmitter,
  Disposable: class {
    constructor(private readonly f: () => void) {}
    dispose() {
      this.f();
    }
  },
  ViewColumn: { One: 1 },
  window: {
    activeTextEditor: undefined,
    createWebviewPanel: (viewType: string, title: string) => {
      const p = new FakePanel(viewType, title);
      created.push(p);
      return p;
    },
    registerWebviewPanelSerializer: (viewType: string, s: { deserializeWebviewPanel(p: unknown, s: unknown): Promise<void> }) => {
      serializers.set(viewType, s);
      return { dispose() {} };
    },
    showSaveDialog: async () => saveTarget,
    showOpenDialog: async () => undefined,
  },
  workspace: {
    workspaceFolders: undefined,
    fs: {
      writeFile: async (u: Uri, bytes: Uint8Array) => {
        written.push({ path: u.fsPath, bytes });
      },
    },
  },
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const Module = require('node:module') as any;
const originalLoad = Module._load;
Module._load = function (request: string, ...rest: unknown[]) {
  if (request === 'vscode') return fakeVscode;
  return originalLoad.call(this, request, ...rest);
};
const { registerPanels } = require('../../src/webviews/host/registerPanels') as typeof import('../../src/webviews/host/registerPanels');

// ------------------------------------------------------------------------------ fixtures

let root: string;
let runs: string;
const logs: string[] = [];
const events = new EventEmitter<TrainEvent>();
const compareCalls: { dirs: string[]; options?: { baseline?: string; seed?: number; resamples?: number } }[] = [];

/** In-memory evaluations of the comparison's runs (run-a better than run-b on 12 images), for the engine's compareEvaluations. */
function evaluationsOf(dirs: string[]) {
  return dirs.map((dir, k) => {
    const id = dir.split(/[\\/]/).pop()!;
    const rows = Array.from({ length: 12 }, (_, i) => ({ id: `img (${i})`, file: `img_${i}`, label: i % 2 ? 'benign' : 'malignant', patientId: `p${i}`, width: 8, height: 8, dice: 0.5 + 0.02 * i - 0.05 * k + 0.001 * ((i * 7) % 5), truthArea: 4, predictedArea: 4, falsePositiveArea: 0, pMalignant: i % 2 ? 0.3 + 0.02 * i * (k + 1) / 2 : 0.6 + 0.01 * i, features: {} }));
    return { dir, record: { id, name: id, status: 'finished', config: { method: 'birads', name: id, seed: k } }, datasets: new Map([['busi', { slug: 'busi', name: 'BUSI', rows }]]) };
  });
}
let commands: ReturnType<typeof registerPanels>;
const subscriptions: { dispose(): void }[] = [];

function writeRun(id: string, status = 'finished', evaluated: string[] = []): void {
  const dir = join(runs, id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ formatVersion: 1, id, name: id, status, config: { method: 'birads', epochs: 4 }, createdAt: '2026-01-01', evaluated }));
  const step = (g: number) => JSON.stringify({ type: 'step', epoch: 1, step: g, globalStep: g, losses: { total: 1 }, learningRate: 0.001, imagesPerSecond: 10, time: 't' });
  writeFileSync(join(dir, 'metrics.jsonl'), [1, 2, 3].map(step).join('\n') + '\n');
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await wait(5);
  }
}
const stepEvent = (runId: string, g: number): TrainEvent => ({
  type: 'step',
  runId,
  totalSteps: 1000,
  record: { type: 'step', epoch: 1, step: g, globalStep: g, losses: { total: 1 / g }, learningRate: 0.001, imagesPerSecond: 10, time: 't' },
});

before(() => {
  root = mkdtempSync(join(tmpdir(), 'bus-panels-'));
  runs = join(root, 'runs');
  mkdirSync(runs);
  writeRun('run-a', 'running');
  writeRun('run-b', 'finished', ['busi']);
  const ev = join(runs, 'run-b', 'eval', 'busi');
  mkdirSync(join(ev, 'images'), { recursive: true });
  writeFileSync(join(ev, 'per_image.csv'), 'id,file,label,dice\n"a (1)",a_1,benign,0.5\n');
  writeFileSync(join(ev, 'images', 'a_1.png'), '');
  mkdirSync(join(root, 'outside'));
  writeFileSync(join(root, 'outside', 'comparison.json'), '{}');
  symlinkSync(join(root, 'outside'), join(runs, 'escape'));
  const context = { extensionUri: Uri.file('/ext'), subscriptions };
  commands = registerPanels(context as never, {
    runsDirectory: () => runs,
    onTrainEvent: events.event as never,
    log: (l) => logs.push(l),
    compareRuns: async (dirs, options) => {
      compareCalls.push({ dirs, options });
      return compareEvaluations(evaluationsOf(dirs) as never, { resamples: 200, ...options });
    },
  });
});
after(() => {
  for (const s of subscriptions) s.dispose();
  rmSync(root, { recursive: true, force: true });
  Module._load = originalLoad;
});

describe('panel controllers', () => {
  it('registers a serializer per view type', () => {
    assert.deepEqual([...serializers.keys()].sort(), ['busLab.comparison', 'busLab.dashboard', 'busLab.gallery']);
  });

  it('dashboard: strict HTML, nothing before ready, a snapshot on ready, throttled appends', async () => {
    commands.openTrainingDashboard('run-a');
    const p = created.at(-1)!;
    assert.equal(p.viewType, 'busLab.dashboard');
    assert.match(p.webview.html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-([A-Za-z0-9]+)'/);
    const nonce = /'nonce-([A-Za-z0-9]+)'/.exec(p.webview.html)![1];
    assert.match(p.webview.html, new RegExp(`<script nonce="${nonce}" src="https://resource/ext/dist/webview/dashboard.js"></script>`));
    assert.ok(!p.webview.html.includes('unsafe-inline'));
    assert.deepEqual(
      p.webview.options.localResourceRoots?.map((u) => u.fsPath),
      ['/ext/dist/webview', runs],
    );
    assert.equal(p.webview.options.enableScripts, true);

    events.fire(stepEvent('run-a', 4));
    await wait(300);
    assert.equal(p.posted.length, 0, 'nothing is posted before ready');

    p.send({ type: 'ready' });
    await until(() => p.posted.some((m) => m.type === 'snapshot'));
    const snap = p.take('snapshot')[0] as unknown as { selected: string[]; data: { run: { id: string }; steps: unknown[] }[]; runs: unknown[] };
    assert.deepEqual(snap.selected, ['run-a']);
    assert.equal(snap.data[0].steps.length, 3);
    assert.equal(snap.runs.length, 2);

    for (let g = 5; g < 205; g++) events.fire(stepEvent('run-a', g));
    events.fire(stepEvent('run-other', 1));
    await wait(50);
    await until(() => p.posted.some((m) => m.type === 'append'));
    await wait(400);
    const appends = p.take('append') as unknown as { runId: string; steps: unknown[] }[];
    assert.ok(appends.length >= 1 && appends.length <= 3, `throttled: ${appends.length} messages`);
    assert.ok(appends.every((a) => a.runId === 'run-a'), 'only selected runs');
    assert.equal(
      appends.reduce((n, a) => n + a.steps.length, 0),
      200,
    );

    // Hidden: nothing posted; shown again: the new page says ready and gets a snapshot.
    p.visible = false;
    p.viewState.fire();
    events.fire(stepEvent('run-a', 300));
    await wait(300);
    assert.equal(p.take().length, 0);
    p.visible = true;
    p.viewState.fire();
    p.send({ type: 'ready' });
    await until(() => p.posted.some((m) => m.type === 'snapshot'));
    p.take();
  });

  it('drops and logs invalid messages; selectRuns with a bad id is ignored', async () => {
    const p = created.find((x) => x.viewType === 'busLab.dashboard')!;
    const before = logs.length;
    p.send({ type: 'selectRuns', runIds: ['../../etc'] });
    p.send({ type: 'hack' });
    p.send('ready');
    await wait(20);
    assert.equal(logs.length - before, 3);
    assert.ok(logs.at(-1)!.includes('dropped an invalid message'));
    assert.equal(p.take().length, 0);
    p.send({ type: 'selectRuns', runIds: ['run-b'] });
    await until(() => p.posted.some((m) => m.type === 'snapshot'));
    assert.deepEqual((p.take('snapshot')[0] as unknown as { selected: string[] }).selected, ['run-b']);
  });

  it('exports go through the save dialog and are written as bytes', async () => {
    const p = created.find((x) => x.viewType === 'busLab.dashboard')!;
    saveTarget = Uri.file(join(root, 'chart.png'));
    p.send({ type: 'saveFile', fileName: 'chart.png', format: 'png', data: Buffer.from('PNGDATA').toString('base64') });
    await until(() => p.posted.some((m) => m.type === 'saved'));
    assert.equal(Buffer.from(written.at(-1)!.bytes).toString(), 'PNGDATA');
    assert.deepEqual(p.take('saved')[0], { type: 'saved', fileName: 'chart.png' });
    saveTarget = undefined;
    p.send({ type: 'saveFile', fileName: 'x.csv', format: 'csv', data: 'a' });
    await wait(20);
    assert.equal(written.length, 1, 'a cancelled dialog writes nothing');
  });

  it('gallery: items with webview URIs for the eval folder; compare run id validated', async () => {
    commands.openMaskGallery('run-b');
    const p = created.at(-1)!;
    assert.equal(p.viewType, 'busLab.gallery');
    p.send({ type: 'ready' });
    await until(() => p.posted.some((m) => m.type === 'snapshot'));
    const snap = p.take('snapshot')[0] as unknown as { primary: { datasets: { slug: string; baseUri: string; items: { png: string }[] }[] } };
    const ds = snap.primary.datasets[0];
    assert.equal(ds.slug, 'busi');
    assert.equal(ds.baseUri, `https://resource${join(runs, 'run-b', 'eval', 'busi')}`);
    assert.equal(ds.items[0].png, 'a_1.png');
    p.send({ type: 'selectCompareRun', runId: '../run-a' });
    await wait(20);
    assert.equal(p.take().length, 0);
    commands.openMaskGallery('../etc');
    assert.equal(created.at(-1), p, 'an invalid run id opens nothing');
  });

  it('comparison: computes through compareRuns with run folders; refuses files outside the runs folder', async () => {
    commands.openAblationComparison(['run-a', 'run-b', '../x']);
    const p = created.at(-1)!;
    assert.equal(p.viewType, 'busLab.comparison');
    await until(() => compareCalls.length === 1);
    assert.deepEqual(compareCalls[0].dirs, [join(runs, 'run-a'), join(runs, 'run-b')]);
    p.send({ type: 'ready' });
    await until(() => p.posted.some((m) => m.type === 'snapshot' && m.comparison));
    const snap = p.take('snapshot').at(-1) as unknown as { comparison: Comparison; source: { kind: string }; sourceBaseline: string };
    assert.equal(snap.comparison.baseline, 'run-a');
    assert.equal(snap.sourceBaseline, 'run-a');
    assert.equal(typeof snap.comparison.cells.find((c) => c.method === 'run-b')?.dicePHolm, 'number');
    assert.equal(snap.source.kind, 'computed');

    // Rebase round trip: the host asks the engine again with that baseline and the same bootstrap
    // seed and resamples; the snapshot carries the engine's comparison, DeLong p included.
    p.send({ type: 'rebase', baseline: 'run-b' });
    await until(() => compareCalls.length === 2);
    assert.deepEqual(compareCalls[1], { dirs: [join(runs, 'run-a'), join(runs, 'run-b')], options: { baseline: 'run-b', seed: 0, resamples: 200 } });
    await until(() => p.posted.some((m) => m.type === 'snapshot' && (m.comparison as Comparison | null)?.baseline === 'run-b'));
    const rebased = p.take('snapshot').at(-1) as unknown as { comparison: Comparison; sourceBaseline: string };
    const a = rebased.comparison.cells.find((c) => c.method === 'run-a')!;
    assert.ok(a.aucPHolm !== undefined && a.aucPHolm >= 0 && a.aucPHolm <= 1, 'DeLong p against the new baseline');
    assert.ok(a.diceDiff && a.dicePHolm !== undefined, 'Dice difference and Wilcoxon p against the new baseline');
    assert.equal(rebased.sourceBaseline, 'run-a', 'the source keeps its own baseline');
    // Back to the first baseline: answered from the comparisons already made, not computed again.
    p.send({ type: 'rebase', baseline: 'run-a' });
    await until(() => p.posted.some((m) => m.type === 'snapshot' && (m.comparison as Comparison | null)?.baseline === 'run-a'));
    assert.equal(compareCalls.length, 2);
    // A baseline that is not a method of the comparison is ignored.
    p.send({ type: 'rebase', baseline: 'run-zzz' });
    await wait(20);
    assert.equal(compareCalls.length, 2);
    assert.match(logs.at(-1)!, /unknown baseline "run-zzz"/);

    // A strip-point click: the gallery of that run opens (a new panel: the earlier one is closed
    // first), and the image's detail is asked for only after the page's snapshot.
    for (const x of created.filter((c) => c.viewType === 'busLab.gallery')) x.dispose();
    p.send({ type: 'openImage', runId: 'run-b', dataset: 'busi', imageId: 'a (1)' });
    await until(() => created.at(-1)!.viewType === 'busLab.gallery');
    const g = created.at(-1)!;
    await wait(20);
    assert.equal(g.posted.length, 0, 'nothing before ready');
    g.send({ type: 'ready' });
    await until(() => g.posted.some((m) => m.type === 'showImage'));
    assert.deepEqual(
      g.posted.map((m) => m.type),
      ['snapshot', 'showImage'],
    );
    assert.deepEqual(g.take('showImage')[0], { type: 'showImage', dataset: 'busi', imageId: 'a (1)' });
    g.dispose();
    p.send({ type: 'openImage', runId: 'run-q', dataset: 'busi', imageId: 'a (1)' });
    await wait(20);
    assert.match(logs.at(-1)!, /ignored openImage for run "run-q"/);

    p.send({ type: 'loadComparisonFile', file: 'escape/comparison.json' });
    await until(() => p.posted.some((m) => m.type === 'error'));
    assert.match(String(p.take('error')[0].message), /Not a file inside the runs folder/);
    p.send({ type: 'loadComparisonFile', file: '../outside/comparison.json' });
    await wait(20);
    assert.ok(logs.at(-1)!.includes('dropped an invalid message'));
  });

  it('restores panels from saved state; a gallery without a valid run id is closed', async () => {
    const bad = new FakePanel('busLab.gallery', 'x');
    await serializers.get('busLab.gallery')!.deserializeWebviewPanel(bad, { runId: '../../x' });
    assert.equal(bad.disposed, true);
    const good = new FakePanel('busLab.gallery', 'x');
    await serializers.get('busLab.gallery')!.deserializeWebviewPanel(good, { runId: 'run-b', dataset: 'busi' });
    assert.match(good.webview.html, /gallery\.js/);
    good.send({ type: 'ready' });
    await until(() => good.posted.some((m) => m.type === 'snapshot'));
    assert.equal((good.take('snapshot')[0] as unknown as { activeDataset: string }).activeDataset, 'busi');
    const dash = new FakePanel('busLab.dashboard', 'x');
    await serializers.get('busLab.dashboard')!.deserializeWebviewPanel(dash, { selected: ['run-b'], follow: false, smoothing: 0.5 });
    dash.send({ type: 'ready' });
    await until(() => dash.posted.some((m) => m.type === 'snapshot'));
    assert.deepEqual((dash.take('snapshot')[0] as unknown as { selected: string[]; follow: boolean }).selected, ['run-b']);
    dash.dispose();
  });
});
