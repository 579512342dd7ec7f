/**
 * A development harness for the three webviews outside VS Code: serves each built panel
 * (dist/webview/<app>.js) in a page with the same strict CSP as the extension, a fake
 * `acquireVsCodeApi` that answers `ready` with a snapshot built by the host's own readers from a
 * generated fixture runs folder, and VS Code-like theme variables (dark, light, high contrast).
 * Images and scripts come from a second origin with Access-Control-Allow-Origin: *, as webview
 * resources do, so canvas pixel reads and CSP behave as in VS Code.
 *
 *   npm run build && node --import tsx test/webview-harness/serve.ts [--port 5301] [--runs <dir>]
 *   open http://127.0.0.1:5301/dashboard.html?theme=dark  (gallery.html, comparison.html; theme=light|hc)
 *
 * Messages the page sent are in `window.__sent`, CSP violations in `window.__cspViolations`.
 * Dashboard: `?live=1` appends training steps every 100 ms (throttled as the host does).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { PNG } from 'pngjs';
import { contentSecurityPolicy } from '../../src/webviews/host/csp';
import { listComparisonFiles, listRuns, readGalleryDataset, readMetrics, readRunRecord, runOptionOf, evaluatedSlugs } from '../../src/webviews/host/runFiles';
import { resolveInside } from '../../src/webviews/host/pathGuard';
import { featureInfoOf, phiWeightsOf } from '../../src/webviews/host/galleryData';
import { keepLastScatter, thinSteps } from '../../src/webviews/dashboard/viewModel';
import { compareEvaluations } from '../../src/engine/experiments/compare';
import { readComparisonFile } from '../../src/engine/experiments/comparisonFile';
import type { Comparison, GalleryRunData, HostToComparison, HostToDashboard, HostToGallery } from '../../src/webviews/protocol';

const args = process.argv.slice(2);
const arg = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const PAGE_PORT = Number(arg('--port') ?? 5301);
const RES_PORT = PAGE_PORT + 1;
const root = resolve(__dirname, '..', '..');
const RES = `http://127.0.0.1:${RES_PORT}`;

// ------------------------------------------------------------------------------ fixtures

function png(width: number, height: number, grey: (x: number, y: number) => number): Buffer {
  const p = new PNG({ width, height });
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const v = Math.max(0, Math.min(255, Math.round(grey(x, y))));
      const i = (y * width + x) * 4;
      p.data[i] = p.data[i + 1] = p.data[i + 2] = v;
      p.data[i + 3] = 255;
    }
  return PNG.sync.write(p);
}

function rand(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

export function makeFixtureRuns(dir: string, images = 60): void {
  const r = rand(7);
  const runs = [
    { id: 'run-birads', name: 'BI-RADS loss', method: 'birads', status: 'finished', created: '2026-01-03T10:00:00Z' },
    { id: 'run-single', name: 'U-Net', method: 'single', status: 'finished', created: '2026-01-02T10:00:00Z' },
    { id: 'run-live', name: 'live run', method: 'mtl', status: 'running', created: '2026-01-04T10:00:00Z' },
  ];
  for (const [k, run] of runs.entries()) {
    const rd = join(dir, run.id);
    const evaluated = run.status === 'finished' ? ['busi', 'udiat'] : [];
    mkdirSync(rd, { recursive: true });
    writeFileSync(
      join(rd, 'run.json'),
      JSON.stringify({
        formatVersion: 1,
        id: run.id,
        name: run.name,
        status: run.status,
        // The settings the panels' provenance lines show.
        config: { method: run.method, epochs: 8, seed: 1 + k, imageSize: 128, lambda: 0.1, phiInit: 'calibrated', phiSupervision: 0.5, maskGradient: true },
        ...(run.status === 'finished' ? { bestEpoch: 5, bestValDice: run.method === 'birads' ? 0.75 : 0.73 } : {}),
        versions: {},
        createdAt: run.created,
        updatedAt: run.created,
        epochsCompleted: 5,
        evaluated,
      }),
    );
    const lines: string[] = [];
    let g = 0;
    for (let e = 1; e <= 5; e++) {
      for (let s = 1; s <= 20; s++) {
        g++;
        const decay = Math.exp(-g / (40 + 10 * k));
        const losses: Record<string, number> = { segmentation: 0.6 * decay + 0.05 * r(), classification: 0.4 * decay + 0.05 * r() };
        if (run.method === 'birads') {
          losses.consistency = 0.2 * decay + 0.02 * r();
          losses.myPluginTerm = 0.05 * r();
        }
        losses.total = Object.values(losses).reduce((a, b) => a + b, 0);
        lines.push(JSON.stringify({ type: 'step', epoch: e, step: s, globalStep: g, losses, learningRate: 1e-3 * Math.pow(0.9, e), imagesPerSecond: 30 + 5 * r(), time: 't' }));
      }
      const phiScatter = Array.from({ length: 30 }, (_, i) => {
        const label = (['benign', 'malignant', 'normal'] as const)[i % 3];
        const phi = label === 'malignant' ? 0.5 + 0.5 * r() : 0.5 * r();
        return { phi, pMalignant: Math.min(1, Math.max(0, phi + 0.2 * (r() - 0.5))), label };
      });
      lines.push(
        JSON.stringify({
          type: 'epoch',
          epoch: e,
          losses: { segmentation: 0.3 / e, classification: 0.2 / e, total: 0.5 / e },
          val: { dice: 0.5 + 0.05 * e - 0.02 * k, iou: 0.4 + 0.05 * e - 0.02 * k, loss: 0.6 / e },
          learningRate: 1e-3 * Math.pow(0.9, e),
          imagesPerSecond: 32,
          etaSeconds: (8 - e) * 60,
          seconds: 60,
          time: 't',
          phiScatter,
          featureWeights: { shapeIrregularity: 0.5 - 0.02 * e, marginIrregularity: 1.5 + 0.01 * e, bias: -0.4 },
          instruments: {
            ...(run.method === 'birads' ? { phiAucPredicted: 0.6 + 0.04 * e, phiAucTrue: 0.84, maskGradientRatio: 1 / e } : {}),
            featureBias: {
              benign: { shapeIrregularity: 0.3 / e, marginIrregularity: 0.2 / e },
              malignant: { shapeIrregularity: -0.2 / e, marginIrregularity: -0.1 / e },
            },
          },
        }),
      );
    }
    writeFileSync(join(rd, 'metrics.jsonl'), lines.join('\n') + '\n');
    for (const slug of evaluated) {
      const ev = join(rd, 'eval', slug);
      for (const f of ['images', 'truth', 'masks', 'prob']) mkdirSync(join(ev, f), { recursive: true });
      const n = slug === 'busi' ? images : Math.ceil(images / 3);
      const rows = ['id,file,label,patientId,width,height,dice,iou,hd95,precision,recall,truthArea,falsePositiveArea,pMalignant,phi_pred,phi_true,true_shapeIrregularity,pred_shapeIrregularity,true_orientation,pred_orientation,true_marginIrregularity,pred_marginIrregularity,true_ellipseDeviation,pred_ellipseDeviation'];
      const rr = rand(100 + k);
      for (let i = 0; i < n; i++) {
        const label = (['benign', 'malignant', 'normal'] as const)[i % 3];
        const id = `${label} (${i})`;
        const file = `${label}_${i}`;
        const w = 160;
        const h = 120;
        const cx = 60 + 40 * rr();
        const cy = 50 + 20 * rr();
        const ax = 20 + 15 * rr();
        const ay = 12 + 10 * rr();
        const shift = 2 + 10 * rr() * (k + 1);
        const inside = (x: number, y: number, dx = 0) => ((x - cx - dx) / ax) ** 2 + ((y - cy) / ay) ** 2 <= 1;
        const hasLesion = label !== 'normal';
        writeFileSync(join(ev, 'images', `${file}.png`), png(w, h, (x, y) => 90 + 60 * Math.sin(x / 7) * Math.cos(y / 5) + (hasLesion && inside(x, y) ? -60 : 0) + 20 * rr()));
        writeFileSync(join(ev, 'truth', `${file}.png`), png(w, h, (x, y) => (hasLesion && inside(x, y) ? 255 : 0)));
        writeFileSync(join(ev, 'masks', `${file}.png`), png(w, h, (x, y) => (hasLesion && inside(x, y, shift) ? 255 : 0)));
        writeFileSync(join(ev, 'prob', `${file}.png`), png(w, h, (x, y) => 255 * Math.exp(-(((x - cx - shift) / (ax * 1.3)) ** 2 + ((y - cy) / (ay * 1.3)) ** 2))));
        const dice = hasLesion ? Math.max(0, 1 - shift / (2 * ax)) : '';
        const f = () => rr().toFixed(3);
        rows.push(
          // Normal images: every other one with a false-positive blob.
          [JSON.stringify(id), file, label, `p${i}`, w, h, dice, dice === '' ? '' : (dice as number) * 0.8, hasLesion ? (shift * 1.5).toFixed(2) : '', 0.8, 0.7, hasLesion ? Math.round(Math.PI * ax * ay) : 0, hasLesion || i % 2 ? 0 : 40 + i, (label === 'malignant' ? 0.6 + 0.4 * rr() : 0.4 * rr()).toFixed(3), f(), f(), f(), f(), f(), f(), f(), f(), f(), f()].join(','),
        );
      }
      writeFileSync(join(ev, 'per_image.csv'), rows.join('\n') + '\n');
      writeFileSync(join(ev, 'summary.json'), JSON.stringify({ dataset: slug.toUpperCase(), slug }));
    }
  }
  // A comparison.json as the engine writes it: its own compareEvaluations on synthetic per-image rows.
  mkdirSync(join(dir, 'ablation-1'), { recursive: true });
  writeFileSync(join(dir, 'ablation-1', 'comparison.json'), JSON.stringify(fixtureComparison('single'), null, 1));
}

/** Three methods x three datasets of 20 lesion images (benign/malignant), seeded; compared by the engine. */
function fixtureEvaluations() {
  const r = rand(7);
  const ids = Array.from({ length: 20 }, (_, i) => `img${i}`);
  const baseDice = ids.map(() => 0.5 + 0.3 * r());
  const methods = [
    { id: 'single', name: 'U-Net' },
    { id: 'mtl', name: 'Multi-task' },
    { id: 'birads', name: 'BI-RADS loss' },
  ];
  const datasets = [
    { slug: 'busi', name: 'BUSI' },
    { slug: 'udiat', name: 'UDIAT' },
    { slug: 'busbra', name: 'BUS-BRA' },
  ];
  return methods.map((m, mi) => ({
    dir: `/fixture/${m.id}`,
    record: { id: m.id, name: m.name, status: 'finished', config: { name: m.name, method: m.id, seed: 1 } },
    datasets: new Map(
      datasets.map((d) => [
        d.slug,
        {
          slug: d.slug,
          name: d.name,
          rows: ids.map((id, i) => {
            const malignant = i % 2 === 1;
            const dice = Math.min(1, baseDice[i] + 0.03 * mi + 0.04 * (r() - 0.5));
            return { id, file: id, label: malignant ? 'malignant' : 'benign', patientId: id, width: 160, height: 120, dice, iou: dice * 0.8, hd95: 5 * r(), truthArea: 400, predictedArea: 400, falsePositiveArea: 0, pMalignant: Math.min(1, Math.max(0, (malignant ? 0.6 : 0.4) + (0.1 + 0.05 * mi) * (r() - 0.5) * 4)), features: {} };
          }),
        },
      ]),
    ),
  }));
}

/** The engine's comparison of the fixture methods against `baseline` (what the host's compareRuns answers). */
function fixtureComparison(baseline: string): Comparison {
  return compareEvaluations(fixtureEvaluations() as never, { baseline, seed: 1, resamples: 1000 });
}

// ------------------------------------------------------------------------------ snapshots (as the host builds them)

async function galleryRun(runsDir: string, runId: string): Promise<GalleryRunData | null> {
  const dir = join(runsDir, runId);
  const rec = await readRunRecord(dir);
  if (!rec) return null;
  const datasets = [];
  for (const slug of await evaluatedSlugs(dir, rec)) {
    const ds = await readGalleryDataset(dir, slug);
    if (ds) datasets.push({ ...ds, baseUri: `${RES}/runs/${encodeURIComponent(runId)}/eval/${encodeURIComponent(slug)}` });
  }
  const phi = phiWeightsOf((await readMetrics(dir)).epochs, rec.bestEpoch);
  return { run: runOptionOf(runId, rec), datasets, ...(phi ? { phi } : {}) };
}

async function snapshots(runsDir: string) {
  const runs = await listRuns(runsDir);
  const data = [];
  for (const id of ['run-birads', 'run-single']) {
    const rec = await readRunRecord(join(runsDir, id));
    const m = await readMetrics(join(runsDir, id));
    data.push({ run: runOptionOf(id, rec), steps: thinSteps(m.steps, 5000), epochs: keepLastScatter(m.epochs), totalEpochs: 8, totalSteps: 160 });
  }
  const dashboard: HostToDashboard = { type: 'snapshot', runs, selected: data.map((d) => d.run.id), data, follow: true };
  const primary = await galleryRun(runsDir, 'run-birads');
  const compareRun = await galleryRun(runsDir, 'run-single');
  const features = featureInfoOf(primary!.datasets[0]?.features ?? []);
  const gallery: HostToGallery = { type: 'snapshot', runs, primary: primary!, compare: null, features };
  const galleryCompare: HostToGallery = { type: 'snapshot', runs, primary: primary!, compare: compareRun, features };
  const files = await listComparisonFiles(runsDir);
  const fromFile = await readComparisonFile(join(runsDir, 'ablation-1', 'comparison.json'));
  const snap = (comparison: Comparison): HostToComparison => ({ type: 'snapshot', runs, files, source: { kind: 'file', label: files[0] }, comparison, sourceBaseline: fromFile.baseline, busy: false });
  const comparison = snap(fromFile);
  // What the host answers to `rebase`: the engine's comparison against each method.
  const rebased = Object.fromEntries(fromFile.methods.map((m) => [m.id, snap(m.id === fromFile.baseline ? fromFile : fixtureComparison(m.id))]));
  return { dashboard, gallery, galleryCompare, comparison, rebased };
}

// ------------------------------------------------------------------------------ pages

const THEMES: Record<string, { cls: string; vars: Record<string, string> }> = {
  dark: {
    cls: 'vscode-dark',
    vars: {
      '--vscode-foreground': '#cccccc',
      '--vscode-descriptionForeground': '#9d9d9d',
      '--vscode-editor-background': '#1f1f1f',
      '--vscode-editorWidget-background': '#202020',
      '--vscode-editorWidget-border': '#454545',
      '--vscode-focusBorder': '#0078d4',
      '--vscode-button-background': '#0078d4',
      '--vscode-button-foreground': '#ffffff',
      '--vscode-badge-background': '#616161',
      '--vscode-badge-foreground': '#f8f8f8',
      '--vscode-charts-blue': '#3794ff',
      '--vscode-charts-red': '#f14c4c',
      '--vscode-charts-green': '#89d185',
      '--vscode-charts-yellow': '#cca700',
      '--vscode-charts-orange': '#d18616',
      '--vscode-charts-purple': '#b180d7',
      '--vscode-font-family': 'system-ui, sans-serif',
      '--vscode-font-size': '13px',
    },
  },
  light: {
    cls: 'vscode-light',
    vars: {
      '--vscode-foreground': '#3b3b3b',
      '--vscode-descriptionForeground': '#717171',
      '--vscode-editor-background': '#ffffff',
      '--vscode-editorWidget-background': '#f8f8f8',
      '--vscode-editorWidget-border': '#c8c8c8',
      '--vscode-focusBorder': '#005fb8',
      '--vscode-button-background': '#005fb8',
      '--vscode-button-foreground': '#ffffff',
      '--vscode-badge-background': '#cccccc',
      '--vscode-badge-foreground': '#3b3b3b',
      '--vscode-charts-blue': '#1a85ff',
      '--vscode-charts-red': '#e51400',
      '--vscode-charts-green': '#388a34',
      '--vscode-charts-yellow': '#bf8803',
      '--vscode-charts-orange': '#d18616',
      '--vscode-charts-purple': '#652d90',
      '--vscode-button-secondaryBackground': '#e5e5e5',
      '--vscode-button-secondaryForeground': '#3b3b3b',
      '--vscode-button-hoverBackground': '#0258a8',
      '--vscode-button-secondaryHoverBackground': '#cccccc',
      '--vscode-settings-dropdownBackground': '#ffffff',
      '--vscode-settings-dropdownForeground': '#3b3b3b',
      '--vscode-settings-dropdownBorder': '#cecece',
      '--vscode-settings-dropdownListBorder': '#c8c8c8',
      '--vscode-settings-textInputBackground': '#ffffff',
      '--vscode-settings-textInputForeground': '#3b3b3b',
      '--vscode-settings-textInputBorder': '#cecece',
      '--vscode-settings-checkboxBackground': '#ffffff',
      '--vscode-settings-checkboxForeground': '#3b3b3b',
      '--vscode-settings-checkboxBorder': '#cecece',
      '--vscode-checkbox-background': '#ffffff',
      '--vscode-checkbox-foreground': '#3b3b3b',
      '--vscode-checkbox-border': '#cecece',
      '--vscode-list-activeSelectionBackground': '#e8e8e8',
      '--vscode-list-activeSelectionForeground': '#000000',
      '--vscode-list-hoverBackground': '#f2f2f2',
      '--vscode-panel-background': '#f8f8f8',
      '--vscode-panelTitle-activeBorder': '#005fb8',
      '--vscode-panelTitle-activeForeground': '#3b3b3b',
      '--vscode-panelTitle-inactiveForeground': '#3b3b3b',
      '--vscode-input-placeholderForeground': '#767676',
      '--vscode-font-family': 'system-ui, sans-serif',
      '--vscode-font-size': '13px',
    },
  },
  hc: {
    cls: 'vscode-high-contrast',
    vars: {
      '--vscode-foreground': '#ffffff',
      '--vscode-descriptionForeground': '#ffffff',
      '--vscode-editor-background': '#000000',
      '--vscode-editorWidget-background': '#0c141f',
      '--vscode-contrastBorder': '#6fc3df',
      '--vscode-focusBorder': '#f38518',
      '--vscode-button-background': '#000000',
      '--vscode-button-foreground': '#ffffff',
      '--vscode-badge-background': '#000000',
      '--vscode-badge-foreground': '#ffffff',
      '--vscode-charts-blue': '#3794ff',
      '--vscode-charts-red': '#f14c4c',
      '--vscode-charts-green': '#89d185',
      '--vscode-charts-yellow': '#ffd700',
      '--vscode-charts-orange': '#d18616',
      '--vscode-charts-purple': '#b180d7',
      '--vscode-button-border': '#6fc3df',
      '--vscode-button-secondaryBackground': '#000000',
      '--vscode-button-secondaryForeground': '#ffffff',
      '--vscode-settings-dropdownBackground': '#000000',
      '--vscode-settings-dropdownForeground': '#ffffff',
      '--vscode-settings-dropdownBorder': '#6fc3df',
      '--vscode-settings-textInputBackground': '#000000',
      '--vscode-settings-textInputForeground': '#ffffff',
      '--vscode-settings-textInputBorder': '#6fc3df',
      '--vscode-settings-checkboxBackground': '#000000',
      '--vscode-settings-checkboxBorder': '#6fc3df',
      '--vscode-checkbox-background': '#000000',
      '--vscode-checkbox-border': '#6fc3df',
      '--vscode-panelTitle-activeBorder': '#6fc3df',
      '--vscode-panelTitle-activeForeground': '#ffffff',
      '--vscode-panelTitle-inactiveForeground': '#ffffff',
      '--vscode-font-family': 'system-ui, sans-serif',
      '--vscode-font-size': '13px',
    },
  },
};

function page(app: string, snapshot: unknown, theme: string, live: boolean, rebased: unknown = {}): string {
  const nonce = randomBytes(16).toString('base64').replace(/[+/=]/g, '');
  const t = THEMES[theme] ?? THEMES.dark;
  const fake = `
window.__sent = []; window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
const SNAPSHOT = ${JSON.stringify(snapshot).replace(/</g, '\\u003c')};
const REBASED = ${JSON.stringify(rebased).replace(/</g, '\\u003c')};
let state = undefined;
window.acquireVsCodeApi = () => ({
  getState: () => state,
  setState: (s) => { state = s; window.__state = s; },
  postMessage: (m) => {
    window.__sent.push(m);
    const reply = (r) => setTimeout(() => window.postMessage(r, '*'), 0);
    if (m.type === 'ready' || m.type === 'selectRuns' || m.type === 'selectCompareRun' || m.type === 'compare' || m.type === 'loadComparisonFile') reply(SNAPSHOT);
    if (m.type === 'saveFile') reply({ type: 'saved', fileName: m.fileName });
    if (m.type === 'rebase' && REBASED[m.baseline]) reply(REBASED[m.baseline]);
    if (m.type === 'ready' && ${live} && '${app}' === 'dashboard') {
      let g = 100;
      setInterval(() => {
        g += 1;
        window.postMessage({ type: 'append', runId: 'run-birads', steps: [{ step: g, epoch: 6, losses: { segmentation: 0.05, classification: 0.03, total: 0.1 }, learningRate: 5e-4, imagesPerSecond: 33 }], epochs: [], totalSteps: 160 }, '*');
      }, 100);
    }
  },
});`;
  const csp = contentSecurityPolicy(RES, nonce);
  return `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<link rel="stylesheet" href="${RES}/theme/${theme}.css">
<title>${app}</title></head>
<body class="${t.cls}" data-panel="${app}">
<main id="app" data-testid="${app}-root" aria-busy="true"><p class="loading">Loading…</p></main>
<script nonce="${nonce}">${fake}</script>
<script nonce="${nonce}" src="${RES}/dist/webview/${app}.js"></script>
</body></html>`;
}

const MIME: Record<string, string> = { '.js': 'text/javascript', '.png': 'image/png', '.css': 'text/css', '.map': 'application/json', '.json': 'application/json' };

export async function startHarness(runsDir: string): Promise<{ close(): void; pageUrl: string }> {
  const snaps = await snapshots(runsDir);
  const pages = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${PAGE_PORT}`);
    const app = url.pathname.replace(/^\/|\.html$/g, '');
    const theme = url.searchParams.get('theme') ?? 'dark';
    const live = url.searchParams.get('live') === '1';
    const snap = app === 'dashboard' ? snaps.dashboard : app === 'gallery' ? (url.searchParams.get('compare') ? snaps.galleryCompare : snaps.gallery) : app === 'comparison' ? snaps.comparison : undefined;
    if (!snap) {
      res.writeHead(404).end('dashboard.html, gallery.html, comparison.html');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page(app, snap, theme, live, app === 'comparison' ? snaps.rebased : {}));
  });
  const resources = createServer((req, res) => {
    const url = new URL(req.url ?? '/', RES);
    const path = decodeURIComponent(url.pathname);
    const headers = { 'Access-Control-Allow-Origin': '*' };
    if (path.startsWith('/theme/')) {
      const t = THEMES[path.slice(7).replace(/\.css$/, '')] ?? THEMES.dark;
      res.writeHead(200, { ...headers, 'Content-Type': 'text/css' }).end(`html { ${Object.entries(t.vars).map(([k, v]) => `${k}: ${v};`).join(' ')} }`);
      return;
    }
    const file = path.startsWith('/dist/webview/') ? resolveInside(join(root, 'dist', 'webview'), path.slice(14)) : path.startsWith('/runs/') ? resolveInside(runsDir, path.slice(6)) : undefined;
    if (!file || !existsSync(file)) {
      res.writeHead(404, headers).end();
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await Promise.all([new Promise<void>((r) => pages.listen(PAGE_PORT, '127.0.0.1', r)), new Promise<void>((r) => resources.listen(RES_PORT, '127.0.0.1', r))]);
  return {
    pageUrl: `http://127.0.0.1:${PAGE_PORT}`,
    close() {
      pages.close();
      resources.close();
    },
  };
}

if (require.main === module) {
  const runsDir = arg('--runs') ?? mkdtempSync(join(tmpdir(), 'bus-lab-harness-'));
  if (!arg('--runs')) makeFixtureRuns(runsDir, Number(arg('--images') ?? 60));
  void startHarness(runsDir).then((h) => {
    console.log(`fixture runs: ${runsDir}`);
    console.log(`${h.pageUrl}/dashboard.html?theme=dark  ${h.pageUrl}/gallery.html  ${h.pageUrl}/gallery.html?compare=1  ${h.pageUrl}/comparison.html`);
  });
}
