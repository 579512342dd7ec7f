/**
 * Training Dashboard (webview client). Receives a full snapshot after `ready`, then throttled
 * `append` batches; keeps the per-run history, overlays several runs, smooths (debiased EMA),
 * zooms, and exports each chart as PNG and CSV through the host.
 */
import { adoptCss } from '../../common/adoptCss';
import '../../common/elements';
import css from '../../common/styles.css';
import { button, checkbox } from '../../common/elements';
import { clear, frameThrottle, h } from '../../common/dom';
import { showHostNotice } from '../../common/hostNotice';
import { createBridge } from '../../common/bridge';
import { applyChartDefaults, axes, chartCard, chartPngBase64, chartSvgText, exportName, zoomOptions, type ChartCard } from '../../common/charts';
import { chartTheme, onThemeChange, withAlpha } from '../../common/theme';
import { runColour } from '../../common/runColours';
import { provenanceText } from '../../../shared/runProvenance';
import type { DashboardState, DashboardToHost, HostToDashboard, RunOption } from '../../protocol';
import {
  formatDuration,
  valDiceText,
  lossComponents,
  mergeEpochs,
  mergeSteps,
  seriesToCsv,
  smoothPoints,
  xy,
  type ChartSeries,
  type EpochPoint,
  type StepPoint,
} from '../viewModel';
import type { ChartDataset } from 'chart.js';

adoptCss(css);

const bridge = createBridge<DashboardToHost, HostToDashboard, DashboardState>();

interface RunModel {
  run: RunOption;
  steps: StepPoint[];
  epochs: EpochPoint[];
  totalSteps?: number;
  totalEpochs?: number;
}

const saved = bridge.getState();
let runs: RunOption[] = [];
let selected: string[] = Array.isArray(saved.selected) ? saved.selected : [];
let follow = saved.follow ?? true;
let smoothing = typeof saved.smoothing === 'number' ? saved.smoothing : 0.6;
let lrLog = false;
const models = new Map<string, RunModel>();

interface StyledSeries extends ChartSeries {
  color: string;
  dash: number[];
  pointStyle?: string;
}

interface LineSpec {
  name: string;
  title: string;
  description: string;
  x: { title: string; integer?: boolean };
  y: { title: string; min?: number; max?: number; log?: () => boolean };
  smooth: boolean;
  scatter?: boolean;
  build(): StyledSeries[];
}

const DASHES = [[], [6, 3], [2, 2], [8, 3, 2, 3], [12, 4], [1, 3]];
const POINT_STYLES = ['circle', 'triangle', 'rect', 'rectRot', 'star', 'crossRot'];

function selectedModels(): RunModel[] {
  return selected.map((id) => models.get(id)).filter((m): m is RunModel => m !== undefined);
}

function runLabel(m: RunModel): string {
  return m.run.name === m.run.id ? m.run.id : `${m.run.name}`;
}

/** Colour per component for one run; per run (and dash per component) for several. */
function lossSeries(kind: 'step' | 'epoch'): StyledSeries[] {
  const ms = selectedModels();
  const comps = lossComponents(ms);
  const t = chartTheme();
  const out: StyledSeries[] = [];
  ms.forEach((m) => {
    comps.forEach((comp, ci) => {
      const points =
        kind === 'step'
          ? xy(m.steps, (s) => s.step, (s) => s.losses[comp])
          : xy(m.epochs, (e) => e.epoch, (e) => e.losses[comp]);
      if (points.length === 0) return;
      const multi = ms.length > 1;
      out.push({
        label: multi ? `${runLabel(m)} · ${comp}` : comp,
        runId: m.run.id,
        key: comp,
        points,
        color: multi ? runColour(m.run.id, runs, t.palette) : t.palette[ci % t.palette.length],
        dash: multi ? DASHES[ci % DASHES.length] : comp === 'total' ? [6, 3] : [],
      });
    });
    if (kind === 'epoch') {
      const vl = xy(m.epochs, (e) => e.epoch, (e) => e.val.loss);
      if (vl.length)
        out.push({
          label: ms.length > 1 ? `${runLabel(m)} · val loss` : 'val loss',
          runId: m.run.id,
          key: 'val loss',
          points: vl,
          color: ms.length > 1 ? runColour(m.run.id, runs, t.palette) : t.palette[comps.length % t.palette.length],
          dash: [2, 2],
        });
    }
  });
  return out;
}

function perRun(key: string, points: (m: RunModel) => { x: number; y: number }[], dash: number[] = []): StyledSeries[] {
  const t = chartTheme();
  return selectedModels()
    .map((m) => ({ label: selected.length > 1 ? `${runLabel(m)} · ${key}` : key, runId: m.run.id, key, points: points(m), color: runColour(m.run.id, runs, t.palette), dash }))
    .filter((s) => s.points.length > 0);
}

/**
 * One series per key of each epoch record (a feature weight, a feature and class...): one colour
 * per colour group for a single run, one colour per run (and a dash per key) for several.
 */
function perEpochKey(
  keysOf: (e: EpochPoint) => string[],
  valueOf: (e: EpochPoint, key: string) => number | undefined,
  dashOf: (key: string) => number[],
  colourGroup: (key: string) => string = (key) => key,
): StyledSeries[] {
  const t = chartTheme();
  const ms = selectedModels();
  const out: StyledSeries[] = [];
  ms.forEach((m) => {
    const keys = [...new Set(m.epochs.flatMap(keysOf))];
    const groups = [...new Set(keys.map(colourGroup))];
    keys.forEach((key, ki) => {
      const points = xy(m.epochs, (e) => e.epoch, (e) => valueOf(e, key));
      if (!points.length) return;
      const gi = groups.indexOf(colourGroup(key));
      out.push({
        label: ms.length > 1 ? `${runLabel(m)} · ${key}` : key,
        runId: m.run.id,
        key,
        points,
        color: ms.length > 1 ? runColour(m.run.id, runs, t.palette) : t.palette[gi % t.palette.length],
        dash: ms.length > 1 && dashOf(key).length === 0 ? DASHES[ki % DASHES.length] : dashOf(key),
      });
    });
  });
  return out;
}

const SPECS: LineSpec[] = [
  {
    name: 'loss-step',
    title: 'Loss per step',
    description: 'Each loss component and the total per training step.',
    x: { title: 'Global step', integer: true },
    y: { title: 'Loss (dimensionless)' },
    smooth: true,
    build: () => lossSeries('step'),
  },
  {
    name: 'loss-epoch',
    title: 'Loss per epoch',
    description: 'Mean of each loss component per epoch, and the validation loss.',
    x: { title: 'Epoch', integer: true },
    y: { title: 'Loss (dimensionless)' },
    smooth: true,
    build: () => lossSeries('epoch'),
  },
  {
    name: 'val',
    title: 'Validation Dice and IoU',
    description: 'Validation Dice (solid) and IoU (dashed) per epoch.',
    x: { title: 'Epoch', integer: true },
    y: { title: 'Score (0–1)', min: 0, max: 1 },
    smooth: false,
    build: () => [
      ...perRun('val Dice', (m) => xy(m.epochs, (e) => e.epoch, (e) => e.val.dice)),
      ...perRun('val IoU', (m) => xy(m.epochs, (e) => e.epoch, (e) => e.val.iou), [6, 3]),
    ],
  },
  {
    name: 'lr',
    title: 'Learning rate',
    description: 'Learning rate per step.',
    x: { title: 'Global step', integer: true },
    y: { title: 'Learning rate (per step)', log: () => lrLog },
    smooth: false,
    build: () =>
      perRun('learning rate', (m) =>
        m.steps.length ? xy(m.steps, (s) => s.step, (s) => s.learningRate) : xy(m.epochs, (e) => e.epoch, (e) => e.learningRate),
      ),
  },
  {
    name: 'throughput',
    title: 'Throughput',
    description: 'Training images per second, per step.',
    x: { title: 'Global step', integer: true },
    y: { title: 'Throughput (images/s)', min: 0 },
    smooth: true,
    build: () => perRun('images/s', (m) => xy(m.steps, (s) => s.step, (s) => s.imagesPerSecond)),
  },
  {
    name: 'eta',
    title: 'Estimated time remaining',
    description: 'Estimated time to the end of training, in minutes, at the end of each epoch.',
    x: { title: 'Epoch', integer: true },
    y: { title: 'ETA (minutes)', min: 0 },
    smooth: false,
    build: () => perRun('ETA', (m) => xy(m.epochs, (e) => e.epoch, (e) => e.etaSeconds / 60)),
  },
  {
    name: 'phi-weights',
    title: 'φ weights and bias',
    description: 'The BI-RADS prior φ = sigmoid(Σ w·(f − μ)/σ + b): each feature weight w (solid) and the bias b (dashed), per epoch.',
    x: { title: 'Epoch', integer: true },
    y: { title: 'Weight (per feature SD)' },
    smooth: false,
    build: () =>
      perEpochKey(
        (e) => Object.keys(e.featureWeights ?? {}),
        (e, k) => e.featureWeights?.[k],
        (k) => (k === 'bias' ? [6, 3] : []),
      ),
  },
  {
    name: 'phi-auc',
    title: 'φ as a malignancy predictor (validation)',
    description: 'AUC of φ for benign vs malignant on the validation split, from the features of the predicted masks (solid) and of the true masks (dashed).',
    x: { title: 'Epoch', integer: true },
    y: { title: 'AUC (0–1)', min: 0, max: 1 },
    smooth: false,
    build: () => [
      ...perRun('φ AUC, predicted masks', (m) => xy(m.epochs, (e) => e.epoch, (e) => e.instruments?.phiAucPredicted)),
      ...perRun('φ AUC, true masks', (m) => xy(m.epochs, (e) => e.epoch, (e) => e.instruments?.phiAucTrue), [6, 3]),
    ],
  },
  {
    name: 'mask-gradient',
    title: 'Pull of the consistency term on the mask',
    description: 'Gradient norm at the predicted mask of λ·L_cons over that of L_seg, on the validation lesions (0 with --mask-gradient off).',
    x: { title: 'Epoch', integer: true },
    y: { title: 'Gradient-norm ratio', min: 0 },
    smooth: false,
    build: () => perRun('gradient ratio', (m) => xy(m.epochs, (e) => e.epoch, (e) => e.instruments?.maskGradientRatio)),
  },
  {
    name: 'feature-drift',
    title: 'Feature drift of the predicted masks',
    description: 'Mean of (feature of the predicted mask − feature of the true mask) on the validation lesions: benign (solid) and malignant (dashed), one colour per feature.',
    x: { title: 'Epoch', integer: true },
    y: { title: 'Predicted − true' },
    smooth: false,
    build: () =>
      perEpochKey(
        (e) => Object.entries(e.instruments?.featureBias ?? {}).flatMap(([cls, byFeature]) => Object.keys(byFeature ?? {}).map((f) => `${f} · ${cls}`)),
        (e, k) => {
          const [f, cls] = k.split(' · ');
          return e.instruments?.featureBias?.[cls as 'benign' | 'malignant']?.[f];
        },
        (k) => (k.endsWith('malignant') ? [6, 3] : []),
        (k) => k.split(' · ')[0],
      ),
  },
  {
    name: 'phi',
    title: 'φ (BI-RADS prior) vs predicted malignancy',
    description: 'Last validation epoch: the BI-RADS prior φ against the predicted probability of malignancy, coloured by the true label.',
    x: { title: 'φ, BI-RADS prior (0–1)' },
    y: { title: 'Predicted P(malignant) (0–1)', min: 0, max: 1 },
    smooth: false,
    scatter: true,
    build: () => {
      const t = chartTheme();
      const out: StyledSeries[] = [];
      selectedModels().forEach((m, ri) => {
        const last = [...m.epochs].reverse().find((e) => e.phiScatter && e.phiScatter.length);
        if (!last?.phiScatter) return;
        for (const label of ['benign', 'malignant', 'normal'] as const) {
          const pts = last.phiScatter.filter((p) => p.label === label).map((p) => ({ x: p.phi, y: p.pMalignant }));
          if (!pts.length) continue;
          out.push({
            label: `${selected.length > 1 ? runLabel(m) + ' · ' : ''}${label} (epoch ${last.epoch})`,
            runId: m.run.id,
            key: label,
            points: pts,
            color: t.label[label],
            dash: [],
            pointStyle: POINT_STYLES[ri % POINT_STYLES.length],
          });
        }
      });
      return out;
    },
  },
];

const cards = new Map<string, ChartCard>();
const lastSeries = new Map<string, ChartSeries[]>();

function datasetsFor(spec: LineSpec, series: StyledSeries[]): { datasets: ChartDataset<'line' | 'scatter', { x: number; y: number }[]>[]; shown: ChartSeries[] } {
  const datasets: ChartDataset<'line' | 'scatter', { x: number; y: number }[]>[] = [];
  const shown: ChartSeries[] = [];
  for (const s of series) {
    if (spec.scatter) {
      datasets.push({ type: 'scatter', label: s.label, data: s.points, backgroundColor: withAlpha(s.color, 0.75), borderColor: s.color, pointStyle: s.pointStyle as 'circle', pointRadius: 3.5 });
      shown.push(s);
      continue;
    }
    const doSmooth = spec.smooth && smoothing > 0;
    if (doSmooth) {
      datasets.push({
        type: 'line',
        label: `${s.label} (raw)`,
        data: s.points,
        borderColor: withAlpha(s.color, 0.25),
        borderDash: s.dash,
        borderWidth: 1,
        pointRadius: 0,
        excludeFromCount: true,
        isRaw: true,
      } as ChartDataset<'line', { x: number; y: number }[]>);
      shown.push({ ...s, raw: true });
    }
    const pts = doSmooth ? smoothPoints(s.points, smoothing) : s.points;
    datasets.push({
      type: 'line',
      label: s.label,
      data: pts,
      borderColor: s.color,
      backgroundColor: s.color,
      borderDash: s.dash,
      borderWidth: 1.6,
      pointRadius: pts.length < 60 ? 2 : 0,
      pointHoverRadius: 4,
      // The axes end at the data: a few pixels of room so the first and last points are whole.
      clip: 4,
    });
    shown.push({ ...s, points: pts });
  }
  return { datasets, shown };
}

function chartOptions(spec: LineSpec) {
  // Steps and epochs: the x-axis ends at the data, not at the next round tick.
  const a = axes({ title: spec.x.title, integer: spec.x.integer, ...(spec.scatter ? {} : { bounds: 'data' as const }) }, { title: spec.y.title, type: spec.y.log?.() ? 'logarithmic' : 'linear', min: spec.y.min, max: spec.y.max });
  return {
    parsing: false as const,
    normalized: true,
    animation: false as const,
    responsive: true,
    maintainAspectRatio: false,
    interaction: { mode: 'nearest' as const, intersect: false },
    scales: a,
    plugins: {
      legend: {
        position: 'bottom' as const,
        labels: { filter: (item: { text: string }) => !item.text.endsWith(' (raw)'), boxWidth: 18 },
      },
      tooltip: { filter: (item: { dataset: { isRaw?: boolean } }) => !item.dataset.isRaw },
      decimation: { enabled: !spec.scatter, algorithm: 'lttb' as const, samples: 600, threshold: 1200 },
      zoom: zoomOptions(spec.scatter ? 'xy' : 'x'),
    },
  };
}

function exportPng(card: ChartCard): void {
  bridge.post({ type: 'saveFile', fileName: exportName(card.name, 'chart') + '.png', format: 'png', data: chartPngBase64(card.chart) });
}

function exportSvg(card: ChartCard): void {
  const spec = SPECS.find((s) => s.name === card.name);
  bridge.post({ type: 'saveFile', fileName: exportName(card.name, 'chart') + '.svg', format: 'svg', data: chartSvgText(card.chart, spec?.title) });
}

function exportCsv(card: ChartCard): void {
  const spec = SPECS.find((s) => s.name === card.name)!;
  const data = seriesToCsv(lastSeries.get(card.name) ?? [], spec.x.title, spec.y.title);
  bridge.post({ type: 'saveFile', fileName: exportName(card.name, 'data') + '.csv', format: 'csv', data });
}

// ------------------------------------------------------------------------------ layout

const app = document.getElementById('app')!;
clear(app);
app.removeAttribute('aria-busy');
const errorBox = h('div', { class: 'error-banner', role: 'alert', hidden: true, 'data-testid': 'error' });
const runsList = h('div', { class: 'runs-list', role: 'group', 'aria-label': 'Runs to overlay', 'data-testid': 'run-picker' });
const runsSummary = h('summary', {}, 'Runs');
const smoothingValue = h('span', { 'data-testid': 'smoothing-value' }, smoothing.toFixed(2));
const smoothingInput = h('input', {
  type: 'range',
  id: 'smoothing',
  min: 0,
  max: 0.99,
  step: 0.01,
  value: smoothing,
  'data-testid': 'smoothing',
  'aria-describedby': 'smoothing-help',
});
const statusLine = h('div', { class: 'status-line', 'aria-live': 'polite', 'data-testid': 'status-line' });
const chartsGrid = h('div', { class: 'grid-charts' });
const empty = h('p', { class: 'empty', 'data-testid': 'empty', hidden: true }, 'No run selected. Pick runs above, or start a training run.');

app.append(
  h('h1', {}, 'Training Dashboard'),
  h(
    'div',
    { class: 'toolbar' },
    h('details', { class: 'runs-picker grow', open: true }, runsSummary, runsList),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'smoothing' }, 'Smoothing ', smoothingValue),
      smoothingInput,
      h('span', { id: 'smoothing-help', class: 'visually-hidden' }, 'Exponential moving average weight with debiasing, as in TensorBoard; 0 shows raw values.'),
    ),
    h(
      'div',
      { class: 'field' },
      checkbox('follow', 'Add new runs as they start', follow, (v) => {
        follow = v;
        bridge.setState({ follow });
        bridge.post({ type: 'selectRuns', runIds: selected, follow });
      }),
      checkbox('lr-log', 'Learning rate on a log scale', lrLog, (v) => {
        lrLog = v;
        const card = cards.get('lr');
        if (card) {
          card.chart.options = chartOptions(SPECS.find((s) => s.name === 'lr')!) as typeof card.chart.options;
          render();
        }
      }),
    ),
    button('refresh', 'Refresh', () => bridge.post({ type: 'selectRuns', runIds: selected }), { secondary: true, title: 'Re-read the run folders' }),
  ),
  errorBox,
  statusLine,
  empty,
  chartsGrid,
  h('div', { id: 'announcer', class: 'visually-hidden', 'aria-live': 'polite' }),
);

applyChartDefaults();
for (const spec of SPECS) {
  const card = chartCard(
    spec.name,
    spec.title,
    spec.description,
    { type: spec.scatter ? 'scatter' : 'line', data: { datasets: [] }, options: chartOptions(spec) as never },
    { onPng: exportPng, onCsv: exportCsv, onSvg: exportSvg },
  );
  if (spec.scatter) card.root.querySelector('.chart-box')?.classList.add('tall');
  cards.set(spec.name, card);
  chartsGrid.append(card.root);
}

smoothingInput.addEventListener('input', () => {
  smoothing = Number(smoothingInput.value);
  smoothingValue.textContent = smoothing.toFixed(2);
  bridge.setState({ smoothing });
  scheduleRender();
});

onThemeChange(() => {
  applyChartDefaults();
  for (const spec of SPECS) {
    const card = cards.get(spec.name);
    if (card) card.chart.options = chartOptions(spec) as typeof card.chart.options;
  }
  render();
});

/** Local `YYYY-MM-DD HH:MM`, as the Runs tree shows it; '' when not a date. */
function startTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

function renderRunsPicker(): void {
  clear(runsList);
  runsSummary.textContent = `Runs (${selected.length} of ${runs.length} shown)`;
  if (runs.length === 0) runsList.append(h('span', { class: 'muted' }, 'No runs in the runs folder yet.'));
  for (const r of runs) {
    // The id is <time>-<name>: the name, the method when the name does not say it, the start time.
    const label = [r.name, r.method && r.method !== r.name ? r.method : '', startTime(r.createdAt), r.status].filter(Boolean).join(' · ');
    runsList.append(
      checkbox(
        'run-option',
        label,
        selected.includes(r.id),
        (on) => {
          selected = on ? [...selected.filter((x) => x !== r.id), r.id] : selected.filter((x) => x !== r.id);
          bridge.setState({ selected });
          bridge.post({ type: 'selectRuns', runIds: selected });
        },
        { 'data-run': r.id },
      ) as unknown as HTMLElement,
    );
  }
}

function renderStatus(): void {
  clear(statusLine);
  for (const m of selectedModels()) {
    const lastStep = m.steps[m.steps.length - 1];
    const lastEpoch = m.epochs[m.epochs.length - 1];
    const ips = lastStep?.imagesPerSecond ?? lastEpoch?.imagesPerSecond;
    const parts = [
      `epoch ${lastEpoch?.epoch ?? 0}${m.totalEpochs ? ` / ${m.totalEpochs}` : ''}`,
      lastStep ? `step ${lastStep.step}${m.totalSteps ? ` / ${m.totalSteps}` : ''}` : '',
      ips !== undefined && Number.isFinite(ips) ? `${ips.toFixed(1)} images/s` : '',
      m.run.status === 'running' && lastEpoch ? `ETA ${formatDuration(lastEpoch.etaSeconds)}` : '',
      valDiceText(m.epochs),
    ].filter(Boolean);
    statusLine.append(
      h(
        'span',
        { class: 'run-status', 'data-testid': 'run-status', 'data-run': m.run.id, 'data-status': m.run.status },
        h('strong', {}, runLabel(m)),
        ' ',
        h('span', { class: 'badge' }, m.run.status),
        ' ',
        parts.join(' · '),
        m.run.provenance ? h('span', { class: 'muted run-provenance', 'data-testid': 'run-provenance', 'data-run': m.run.id }, provenanceText(m.run.provenance)) : null,
      ),
    );
  }
}


function render(): void {
  for (const spec of SPECS) {
    const card = cards.get(spec.name);
    if (!card) continue;
    const { datasets, shown } = datasetsFor(spec, spec.build());
    lastSeries.set(spec.name, shown);
    card.chart.data.datasets = datasets as never;
    card.chart.update('none');
    card.canvas.setAttribute('data-source-points', String(shown.filter((s) => !s.raw).reduce((n, s) => n + s.points.length, 0)));
  }
  renderStatus();
  empty.hidden = selectedModels().length > 0;
}

const scheduleRender = frameThrottle(render, 200);

bridge.start((msg) => {
  switch (msg.type) {
    case 'snapshot': {
      runs = msg.runs;
      selected = msg.selected;
      follow = msg.follow;
      models.clear();
      for (const d of msg.data) models.set(d.run.id, { run: d.run, steps: d.steps, epochs: d.epochs, totalSteps: d.totalSteps, totalEpochs: d.totalEpochs });
      bridge.setState({ selected, follow, smoothing });
      errorBox.hidden = true;
      renderRunsPicker();
      render();
      document.body.setAttribute('data-ready', 'true');
      break;
    }
    case 'append': {
      const m = models.get(msg.runId);
      if (!m) return;
      mergeSteps(m.steps, msg.steps);
      mergeEpochs(m.epochs, msg.epochs);
      if (msg.status) m.run = { ...m.run, status: msg.status };
      if (msg.totalSteps !== undefined) m.totalSteps = msg.totalSteps;
      if (msg.totalEpochs !== undefined) m.totalEpochs = msg.totalEpochs;
      scheduleRender();
      break;
    }
    case 'runs':
      runs = msg.runs;
      for (const r of runs) {
        const m = models.get(r.id);
        if (m) m.run = r;
      }
      renderRunsPicker();
      scheduleRender();
      break;
    case 'saved':
    case 'error':
      showHostNotice(msg, errorBox);
      break;
  }
});
