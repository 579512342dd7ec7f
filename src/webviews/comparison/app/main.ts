/**
 * Ablation Comparison (webview client): methods x external datasets tables of Dice and AUC with
 * 95% CIs, the engine's labelled differences to the baseline and Holm-adjusted p-values with
 * significance marks coloured by direction; a bar chart with CI whiskers; a per-image Dice strip
 * plot (hover names the image, click opens it in the Mask Gallery); CSV / Markdown export.
 * Choosing another baseline asks the host for the engine's comparison against it.
 */
import { adoptCss } from '../../common/adoptCss';
import '../../common/elements';
import css from '../../common/styles.css';
import { button, checkbox, select } from '../../common/elements';
import { announce, clear, h } from '../../common/dom';
import { showHostNotice } from '../../common/hostNotice';
import { createBridge } from '../../common/bridge';
import { provenanceText } from '../../../shared/runProvenance';
import { coloursFor } from '../../common/runColours';
import { applyChartDefaults, axes, Chart, chartCard, chartPngBase64, chartSvgText, exportName, zoomOptions, type ChartCard } from '../../common/charts';
import { chartTheme, onThemeChange, withAlpha } from '../../common/theme';
import type { Comparison, ComparisonState, ComparisonToHost, HostToComparison, RunOption, ComparisonSource } from '../../protocol';
import {
  barData,
  buildTable,
  comparisonToCsv,
  comparisonToMarkdown,
  differenceText,
  formatP,
  P_LABELS,
  stripData,
  stripPointLabel,
  type CompareMetric,
  type StripGroup,
  type StripPoint,
  type TableRow,
} from '../viewModel';
import { toCsv } from '../../common/csv';

adoptCss(css);

const bridge = createBridge<ComparisonToHost, HostToComparison, ComparisonState>();
const saved = bridge.getState();

let runs: RunOption[] = [];
let files: string[] = [];
let view: Comparison | null = null;
let source: ComparisonSource = { kind: 'none' };
/** The baseline the source was made with (labelled in the baseline picker). */
let sourceBaseline: string | null = null;
let isBusy = false;
let barMetric: CompareMetric = 'dice';
let stripDataset: string | undefined;
/** Runs picked for computing, in the order picked (the first is the baseline). */
let picked: string[] = saved.runIds ?? [];

// ------------------------------------------------------------------------------ layout

const app = document.getElementById('app')!;
clear(app);
app.removeAttribute('aria-busy');
const errorBox = h('div', { class: 'error-banner', role: 'alert', hidden: true, 'data-testid': 'error' });
const busy = h('span', { class: 'badge', 'data-testid': 'busy', hidden: true, role: 'status' }, 'Computing…');
const sourceBar = h('div', { class: 'toolbar' });
const sourceLine = h('p', { class: 'muted', 'data-testid': 'source' });
const tableBar = h('div', { class: 'toolbar' });
const tables = h('div', {});
const warnings = h('ul', { class: 'muted', 'data-testid': 'warnings' });
/** Each compared run's method, seed, size, lambda, phi settings and best epoch (shared/runProvenance.ts). */
const provenanceList = h('ul', { class: 'muted', 'data-testid': 'run-provenance' });
const chartsGrid = h('div', { class: 'grid-charts' });
const empty = h('p', { class: 'empty', 'data-testid': 'empty' }, 'Choose a comparison.json from the ablation runner, or pick runs and press “Compare selected runs”.');

app.append(
  h('h1', {}, 'Ablation Comparison'),
  sourceBar,
  errorBox,
  sourceLine,
  provenanceList,
  empty,
  tableBar,
  tables,
  warnings,
  chartsGrid,
  h('div', { id: 'announcer', class: 'visually-hidden', 'aria-live': 'polite' }),
);

function save(fileName: string, format: 'csv' | 'md' | 'png' | 'svg', data: string): void {
  bridge.post({ type: 'saveFile', fileName, format, data });
}

function renderSourceBar(): void {
  clear(sourceBar);
  const fileOptions = [{ value: '', label: files.length ? '(choose a comparison.json)' : '(none found in the runs folder)' }, ...files.map((f) => ({ value: f, label: f }))];
  const current = source.kind === 'file' && files.includes(source.label) ? source.label : '';
  sourceBar.append(
    select('comparison-file', 'Comparison from the ablation runner', fileOptions, current, (v) => {
      if (v) bridge.post({ type: 'loadComparisonFile', file: v });
    }).root,
    h('div', { class: 'field' }, h('span', { class: 'muted' }, ' '), button('open-file', 'Open comparison.json…', () => bridge.post({ type: 'openComparisonFile' }), { secondary: true })),
  );
  const list = h('div', { class: 'runs-list', role: 'group', 'aria-label': 'Runs to compare', 'data-testid': 'run-picker' });
  for (const r of runs) {
    list.append(
      checkbox(
        'run-option',
        `${r.name}${r.name !== r.id ? ` (${r.id})` : ''} · ${r.method || '?'} · ${r.status}`,
        picked.includes(r.id),
        (on) => {
          picked = on ? [...picked.filter((x) => x !== r.id), r.id] : picked.filter((x) => x !== r.id);
        },
        { 'data-run': r.id },
      ) as unknown as HTMLElement,
    );
  }
  if (runs.length === 0) list.append(h('span', { class: 'muted' }, 'No runs in the runs folder.'));
  sourceBar.append(
    h(
      'details',
      { class: 'runs-picker grow' },
      h('summary', {}, 'Compute for selected runs (the first picked is the baseline; another can be chosen after)'),
      list,
      h(
        'div',
        { class: 'row' },
        button('compare-runs', 'Compare selected runs', () => {
          const ordered = picked.filter((id) => runs.some((r) => r.id === id));
          if (ordered.length < 2) {
            announce('Pick at least two runs');
            errorBox.textContent = 'Pick at least two runs to compare.';
            errorBox.hidden = false;
            return;
          }
          bridge.post({ type: 'compare', runIds: ordered });
        }),
        busy,
      ),
    ),
  );
}

function pSpan(row: TableRow, c: TableRow['cells'][number], metric: CompareMetric): HTMLElement {
  const title = c.p === null ? 'No test for this cell (no paired images, or one class only)' : `${P_LABELS[metric]}; raw p ${formatP(c.pRaw)}`;
  return h(
    'span',
    { 'data-testid': 'p-value', 'data-p': c.p ?? '', 'data-p-source': c.p === null ? 'none' : 'engine', 'data-run': row.methodId, 'data-dataset': c.dataset, title },
    `p ${formatP(c.p)}`,
  );
}

const DIRECTION_TITLE = { better: 'better than the baseline', worse: 'worse than the baseline' } as const;

function renderTable(metric: CompareMetric): HTMLElement {
  const rows = buildTable(view!, metric);
  const caption =
    metric === 'dice'
      ? 'Dice, mean [95% CI]; median paired ΔDice and mean paired ΔDice to the baseline [95% CI]; p: Wilcoxon signed-rank on paired per-image Dice, Holm-adjusted'
      : 'AUC [95% CI]; ΔAUC to the baseline [95% CI]; p: DeLong, Holm-adjusted';
  const head = h('tr', {}, h('th', { scope: 'col' }, 'Method'), ...view!.datasets.map((d) => h('th', { scope: 'col', 'data-dataset': d.slug }, d.name)));
  const body = h('tbody', {});
  for (const row of rows) {
    const tr = h(
      'tr',
      { 'data-run': row.methodId, 'data-baseline': row.isBaseline ? 'true' : 'false', class: row.isBaseline ? 'baseline' : undefined },
      h(
        'th',
        { scope: 'row' },
        row.name,
        row.trainMethod !== row.name ? h('span', { class: 'ci' }, row.trainMethod) : null,
        row.runs > 1 ? h('span', { class: 'ci' }, `${row.runs} seeds`) : null,
        row.isBaseline ? h('span', { class: 'badge' }, 'baseline') : null,
      ),
    );
    for (const c of row.cells) {
      const td = h('td', { 'data-dataset': c.dataset });
      if (c.value === null) td.append('–');
      else {
        td.append(h('span', { 'data-testid': metric === 'dice' ? 'dice-mean' : 'auc-value', title: metric === 'dice' ? `mean Dice over ${c.n ?? '?'} lesion images` : `AUC over ${c.n ?? '?'} benign/malignant images` }, c.value.toFixed(3)));
        if (c.ci) td.append(h('span', { class: 'ci', 'data-testid': 'ci' }, `[${c.ci[0].toFixed(3)}, ${c.ci[1].toFixed(3)}]`));
        if (!row.isBaseline) {
          for (const d of c.diffs) {
            td.append(h('span', { class: 'diff', 'data-testid': 'diff', 'data-kind': d.label, 'data-value': d.value }, differenceText(d)));
          }
          const pLine = h('span', { class: 'diff' }, pSpan(row, c, metric));
          if (c.mark) {
            pLine.append(
              ' ',
              h(
                'span',
                {
                  class: `sig${c.direction ? ' ' + c.direction : ''}`,
                  'data-testid': 'significance',
                  'data-direction': c.direction ?? 'none',
                  title: `${c.direction ? DIRECTION_TITLE[c.direction] + '; ' : ''}p<0.05 *, p<0.01 **, p<0.001 ***`,
                },
                c.mark,
              ),
            );
          }
          td.append(pLine);
        }
      }
      tr.append(td);
    }
    body.append(tr);
  }
  const note =
    metric === 'dice'
      ? 'The means are over each method’s own images; the paired differences over the images both scored. The Wilcoxon test is on the ranks of the paired differences, so it can be significant while the median difference is near 0.'
      : 'ΔAUC and its DeLong test use the images both methods classified.';
  return h(
    'section',
    {},
    h('h2', {}, metric === 'dice' ? 'Dice' : 'AUC (malignancy)'),
    h(
      'table',
      { class: 'data', 'data-testid': metric === 'dice' ? 'comparison-table' : 'comparison-table-auc', 'data-metric': metric },
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', {}, head),
      body,
    ),
    h('p', { class: 'muted' }, `${caption}. Stars: * p<0.05, ** p<0.01, *** p<0.001, coloured green when better than the baseline, red when worse. ${note}`),
  );
}

// ------------------------------------------------------------------------------ charts

let barsCard: ChartCard | undefined;
let stripCard: ChartCard | undefined;

/** One colour per method (its first run's, as in the dashboard: common/runColours.ts). */
function methodColours(): string[] {
  return view ? coloursFor(view.methods.map((m) => m.runs[0]?.id ?? m.id), runs, chartTheme().palette) : [];
}

function barsConfig() {
  const t = chartTheme();
  const bars = view ? barData(view, barMetric) : [];
  const colours = methodColours();
  return {
    type: 'bar' as const,
    data: {
      labels: view?.datasets.map((d) => d.name) ?? [],
      datasets: bars.map((b, i) => ({
        label: b.name,
        data: b.values.map((v) => (v === null ? NaN : v)),
        whiskers: b.ci,
        backgroundColor: withAlpha(colours[i] ?? t.palette[i % t.palette.length], 0.7),
        borderColor: colours[i] ?? t.palette[i % t.palette.length],
        borderWidth: t.highContrast ? 2 : 1,
      })),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false as const,
      scales: axes({ title: 'External dataset', type: 'category' }, { title: barMetric === 'dice' ? 'Dice (mean, 95% CI whiskers)' : 'AUC (95% CI whiskers)', min: 0, max: 1 }),
      plugins: { legend: { position: 'bottom' as const } },
    },
  };
}

function stripConfig() {
  const t = chartTheme();
  const groups = view && stripDataset ? stripData(view, stripDataset) : [];
  const colours = methodColours();
  const n = view?.methods.length ?? 0;
  const names = view?.methods.map((m) => m.name) ?? [];
  const datasets: object[] = [];
  groups.forEach((g) => {
    const color = colours[g.x] ?? t.palette[g.x % t.palette.length];
    datasets.push({ type: 'scatter', label: g.name, data: g.points, group: g, backgroundColor: withAlpha(color, 0.55), borderColor: color, pointRadius: 2.5, pointHoverRadius: 5 });
    datasets.push({
      type: 'line',
      label: `${g.name} median`,
      data: [
        { x: g.x - 0.38, y: g.median },
        { x: g.x + 0.38, y: g.median },
      ],
      borderColor: t.foreground,
      borderWidth: 2.5,
      pointRadius: 0,
      excludeFromCount: true,
      isMedian: true,
    });
  });
  type Item = { dataset: { isMedian?: boolean; group?: StripGroup }; raw: unknown };
  return {
    type: 'scatter' as const,
    data: { datasets },
    plugins: [{ id: 'firstPoint', afterDraw: (chart: Chart) => markFirstPoint(chart) }],
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false as const,
      onClick: (_e: unknown, elements: { datasetIndex: number; index: number }[], chart: Chart) => {
        const hit = elements.find((el) => !(chart.data.datasets[el.datasetIndex] as { isMedian?: boolean }).isMedian);
        if (!hit) return;
        const ds = chart.data.datasets[hit.datasetIndex] as unknown as { group: StripGroup; data: StripPoint[] };
        openImage(ds.group, ds.data[hit.index]);
      },
      onHover: (_e: unknown, elements: unknown[], chart: Chart) => {
        chart.canvas.classList.toggle('clickable', elements.length > 0);
      },
      scales: (() => {
        const a = axes({ title: 'Method', min: -0.5, max: Math.max(0.5, n - 0.5) }, { title: 'Dice per image (0–1)', min: 0, max: 1 });
        return {
          ...a,
          x: {
            ...a.x,
            // One tick per method, labelled with its name (a linear axis would start at -0.5).
            afterBuildTicks: (axis: { ticks: { value: number }[] }) => {
              axis.ticks = names.map((_, i) => ({ value: i }));
            },
            ticks: { ...a.x.ticks, autoSkip: false, callback: (v: string | number) => names[Number(v)] ?? '' },
          },
        };
      })(),
      plugins: {
        legend: { position: 'bottom' as const, labels: { filter: (item: { text: string }) => !item.text.endsWith(' median') } },
        tooltip: {
          filter: (item: Item) => !item.dataset.isMedian,
          callbacks: {
            title: () => '',
            label: (item: Item) => (item.dataset.group ? stripPointLabel(item.dataset.group, item.raw as StripPoint) : ''),
          },
        },
        zoom: zoomOptions('xy'),
      },
    },
  };
}

/** Asks the host to open the image in its run's Mask Gallery; `data-last-open` is the e2e hook. */
function openImage(g: StripGroup, p: StripPoint): void {
  if (!stripDataset) return;
  stripCard?.canvas.setAttribute('data-last-open', JSON.stringify({ runId: g.galleryRunId, dataset: stripDataset, imageId: p.imageId }));
  bridge.post({ type: 'openImage', runId: g.galleryRunId, dataset: stripDataset, imageId: p.imageId });
  announce(`Opening ${p.imageId} in the Mask Gallery of ${g.galleryRunId}`);
}

/** The canvas position of one image's point in the first strip (the e2e hook `data-first-point`), after every draw. */
function markFirstPoint(chart: Chart): void {
  const first = chart.data.datasets.findIndex((d) => !(d as { isMedian?: boolean }).isMedian && (d.data as unknown[]).length > 0);
  const meta = first >= 0 ? chart.getDatasetMeta(first) : undefined;
  const el = meta?.data[0] as { x: number; y: number } | undefined;
  const point = first >= 0 ? (chart.data.datasets[first].data[0] as unknown as StripPoint) : undefined;
  if (el && point) chart.canvas.setAttribute('data-first-point', JSON.stringify({ x: Math.round(el.x), y: Math.round(el.y), imageId: point.imageId }));
  else chart.canvas.removeAttribute('data-first-point');
}

function renderCharts(): void {
  if (!view) {
    chartsGrid.hidden = true;
    return;
  }
  chartsGrid.hidden = false;
  applyChartDefaults();
  if (!barsCard) {
    const metricSel = select(
      'bars-metric',
      'Metric',
      [
        { value: 'dice', label: 'Dice' },
        { value: 'auc', label: 'AUC' },
      ],
      barMetric,
      (v) => {
        barMetric = v === 'auc' ? 'auc' : 'dice';
        updateCharts();
      },
    ).root;
    barsCard = chartCard('bars', 'Mean with 95% CI per dataset', 'Bars: mean per run and external dataset; whiskers: 95% confidence interval.', barsConfig() as never, { onPng, onCsv, onSvg }, { zoom: false, extra: [metricSel] });
    chartsGrid.append(barsCard.root);
  }
  if (!stripCard) {
    stripCard = chartCard('strip', 'Per-image Dice', 'Strip plot: each point one image of the chosen dataset, jittered horizontally; bar: median.', stripConfig() as never, { onPng, onCsv, onSvg }, { extra: [h('div', { class: 'strip-select' })] });
    stripCard.root.querySelector('.chart-box')?.classList.add('tall');
    chartsGrid.append(stripCard.root);
  }
  const slot = stripCard.root.querySelector('.strip-select')!;
  clear(slot);
  slot.append(
    select(
      'strip-dataset',
      'Dataset',
      view.datasets.map((d) => ({ value: d.slug, label: d.name })),
      stripDataset ?? '',
      (v) => {
        stripDataset = v;
        updateCharts();
      },
    ).root,
  );
  updateCharts();
}

function updateCharts(): void {
  for (const [card, cfg] of [
    [barsCard, barsConfig],
    [stripCard, stripConfig],
  ] as const) {
    if (!card) continue;
    const c = cfg();
    card.chart.data = c.data as never;
    card.chart.options = c.options as never;
    card.chart.update('none');
  }
}

function onPng(card: ChartCard): void {
  save(exportName('comparison', card.name) + '.png', 'png', chartPngBase64(card.chart as Chart));
}

function onSvg(card: ChartCard): void {
  save(exportName('comparison', card.name) + '.svg', 'svg', chartSvgText(card.chart as Chart));
}

function onCsv(card: ChartCard): void {
  if (!view) return;
  const c = view;
  if (card.name === 'bars') {
    const rows: unknown[][] = [];
    for (const b of barData(c, barMetric)) c.datasets.forEach((d, i) => rows.push([b.methodId, b.name, d.slug, barMetric, b.values[i] ?? '', b.ci[i]?.[0] ?? '', b.ci[i]?.[1] ?? '']));
    save(exportName('comparison', 'bars', barMetric) + '.csv', 'csv', toCsv(['method', 'name', 'dataset', 'metric', 'value', 'ci_low', 'ci_high'], rows));
  } else {
    const rows: unknown[][] = [];
    const ds = stripDataset ?? '';
    for (const g of stripData(c, ds)) for (const p of g.points) rows.push([g.methodId, g.name, ds, p.imageId, p.y]);
    save(exportName('comparison', 'per-image', ds) + '.csv', 'csv', toCsv(['method', 'name', 'dataset', 'image', 'dice'], rows));
  }
}

// ------------------------------------------------------------------------------ render

function render(): void {
  clear(tableBar);
  clear(tables);
  clear(warnings);
  if (source.kind === 'file') sourceLine.textContent = `Source: ${source.label}`;
  else if (source.kind === 'computed') sourceLine.textContent = `Computed for ${source.runIds.length} runs: ${source.runIds.join(', ')}`;
  else sourceLine.textContent = '';
  empty.hidden = view !== null;
  clear(provenanceList);
  if (!view) {
    renderCharts();
    return;
  }
  const c = view;
  for (const m of c.methods)
    for (const r of m.runs) {
      const p = runs.find((o) => o.id === r.id)?.provenance;
      if (!p) continue;
      // The line starts with the method; name the row only when its name says something else.
      const who = `${m.name !== p.method ? m.name : ''}${m.runs.length > 1 ? ` (${r.id})` : ''}`.trim();
      provenanceList.append(h('li', { 'data-run': r.id }, `${who ? `${who}: ` : ''}${provenanceText(p)}`));
    }
  if (!stripDataset || !c.datasets.some((d) => d.slug === stripDataset)) stripDataset = c.datasets[0]?.slug;
  const baseSelect = select(
    'baseline',
    'Baseline (the engine compares again)',
    c.methods.map((m) => ({ value: m.id, label: `${m.name}${m.runs.length > 1 ? ` (${m.runs.length} seeds)` : ''}${m.id === sourceBaseline ? (source.kind === 'file' ? ' (runner’s baseline)' : ' (chosen in Compare Runs)') : ''}` })),
    c.baseline,
    (v) => {
      if (!v || v === view?.baseline) return;
      bridge.setState({ baseline: v });
      busy.hidden = false;
      bridge.post({ type: 'rebase', baseline: v });
    },
  ).root;
  if (isBusy) baseSelect.setAttribute('data-busy', 'true');
  tableBar.append(
    baseSelect,
    h(
      'div',
      { class: 'field' },
      h('span', { class: 'muted' }, 'Export table'),
      h(
        'div',
        { class: 'row' },
        button('export-csv', 'CSV', () => save(exportName('comparison') + '.csv', 'csv', comparisonToCsv(c)), { secondary: true, title: 'Save both tables as CSV' }),
        button('export-md', 'Markdown', () => save(exportName('comparison') + '.md', 'md', comparisonToMarkdown(c)), { secondary: true, title: 'Save both tables as Markdown' }),
      ),
    ),
  );
  tables.append(renderTable('dice'), renderTable('auc'));
  for (const w of c.notes) warnings.append(h('li', {}, w));
  renderCharts();
}

onThemeChange(() => {
  applyChartDefaults();
  updateCharts();
});

bridge.start((msg) => {
  switch (msg.type) {
    case 'snapshot':
      runs = msg.runs;
      files = msg.files;
      view = msg.comparison;
      source = msg.source;
      sourceBaseline = msg.sourceBaseline;
      isBusy = msg.busy;
      busy.hidden = !msg.busy;
      errorBox.hidden = true;
      if (source.kind === 'computed') {
        picked = [...source.runIds];
        bridge.setState({ runIds: source.runIds, file: undefined });
      } else if (source.kind === 'file') {
        bridge.setState({ file: files.includes(source.label) ? source.label : undefined, runIds: undefined });
      }
      if (view) bridge.setState({ baseline: view.baseline });
      renderSourceBar();
      render();
      document.body.setAttribute('data-ready', 'true');
      break;
    case 'busy':
      isBusy = msg.busy;
      busy.hidden = !msg.busy;
      break;
    case 'saved':
    case 'error':
      showHostNotice(msg, errorBox);
      break;
  }
});
