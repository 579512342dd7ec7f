/**
 * Ablation Comparison (webview client): runs x external datasets tables of Dice and AUC with 95%
 * CIs, difference to a selectable baseline and Holm-adjusted p-values with significance marks;
 * a bar chart with CI whiskers; a per-image Dice strip plot with medians; CSV / Markdown export.
 */
import { adoptCss } from '../../common/adoptCss';
import '../../common/elements';
import css from '../../common/styles.css';
import { button, checkbox, select } from '../../common/elements';
import { announce, clear, h } from '../../common/dom';
import { createBridge } from '../../common/bridge';
import { applyChartDefaults, axes, Chart, chartCard, chartPngBase64, exportName, zoomOptions, type ChartCard } from '../../common/charts';
import { chartTheme, onThemeChange, withAlpha } from '../../common/theme';
import type { ComparisonState, ComparisonToHost, HostToComparison, RunOption, ComparisonSource } from '../../protocol';
import {
  barData,
  buildTable,
  comparisonToCsv,
  comparisonToMarkdown,
  stripData,
  type CompareMetric,
  type ComparisonView,
  type TableRow,
} from '../viewModel';
import { toCsv } from '../../common/csv';
import { formatP } from '../stats';

adoptCss(css);

const bridge = createBridge<ComparisonToHost, HostToComparison, ComparisonState>();
const saved = bridge.getState();

let runs: RunOption[] = [];
let files: string[] = [];
let view: ComparisonView | null = null;
let source: ComparisonSource = { kind: 'none' };
let baseline: string | null = typeof saved.baseline === 'string' ? saved.baseline : null;
let barMetric: CompareMetric = 'dice';
let stripDataset: string | undefined;
/** Runs picked for computing, in the order picked (the first is the runner's baseline). */
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
const chartsGrid = h('div', { class: 'grid-charts' });
const empty = h('p', { class: 'empty', 'data-testid': 'empty' }, 'Choose a comparison.json from the ablation runner, or pick runs and press “Compare selected runs”.');

app.append(
  h('h1', {}, 'Ablation Comparison'),
  sourceBar,
  errorBox,
  sourceLine,
  empty,
  tableBar,
  tables,
  warnings,
  chartsGrid,
  h('div', { id: 'announcer', class: 'visually-hidden', 'aria-live': 'polite' }),
);

function save(fileName: string, format: 'csv' | 'md' | 'png', data: string): void {
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
      h('summary', {}, 'Compute for selected runs (the first picked is the runner’s baseline)'),
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

function pSpan(row: TableRow, c: TableRow['cells'][number]): HTMLElement {
  const title =
    c.pSource === 'runner'
      ? 'Holm-adjusted p-value from the ablation runner'
      : c.pSource === 'computed'
        ? 'Holm-adjusted Wilcoxon signed-rank p-value computed here for this baseline from per-image Dice'
        : 'No p-value for this baseline (recompute with this run first to get the runner’s test)';
  return h(
    'span',
    { 'data-testid': 'p-value', 'data-p': c.p ?? '', 'data-p-source': c.pSource, 'data-run': row.runId, 'data-dataset': c.dataset, title },
    `p ${formatP(c.p)}`,
  );
}

function renderTable(metric: CompareMetric): HTMLElement {
  const rows = buildTable(view!, baseline, metric);
  const caption = metric === 'dice' ? 'Dice, mean [95% CI]; Δ to the baseline; Holm-adjusted Wilcoxon signed-rank p' : 'AUC [95% CI]; Δ to the baseline; Holm-adjusted DeLong p';
  const head = h('tr', {}, h('th', { scope: 'col' }, 'Run'), ...view!.datasets.map((d) => h('th', { scope: 'col', 'data-dataset': d.slug }, d.name)));
  const body = h('tbody', {});
  for (const row of rows) {
    const tr = h(
      'tr',
      { 'data-run': row.runId, 'data-baseline': row.isBaseline ? 'true' : 'false', class: row.isBaseline ? 'baseline' : undefined },
      h('th', { scope: 'row' }, row.name, row.method && row.method !== row.name ? h('span', { class: 'ci' }, row.method) : null, row.isBaseline ? h('span', { class: 'badge' }, 'baseline') : null),
    );
    for (const c of row.cells) {
      const td = h('td', { 'data-dataset': c.dataset });
      if (c.value === null) td.append('–');
      else {
        td.append(h('span', { 'data-testid': metric === 'dice' ? 'dice-mean' : 'auc-value' }, c.value.toFixed(3)));
        if (c.ci) td.append(h('span', { class: 'ci', 'data-testid': 'ci' }, `[${c.ci[0].toFixed(3)}, ${c.ci[1].toFixed(3)}]`));
        if (!row.isBaseline) {
          if (c.diff !== null) {
            td.append(
              h(
                'span',
                { class: `diff ${c.diff > 0 ? 'pos' : c.diff < 0 ? 'neg' : ''}`, 'data-testid': 'diff' },
                `Δ ${c.diff >= 0 ? '+' : ''}${c.diff.toFixed(3)}${c.diffCi ? ` [${c.diffCi[0].toFixed(3)}, ${c.diffCi[1].toFixed(3)}]` : ''}`,
              ),
            );
          }
          const pLine = h('span', { class: 'diff' }, pSpan(row, c));
          if (c.mark) pLine.append(' ', h('span', { class: 'sig', 'data-testid': 'significance', title: 'p<0.05 *, p<0.01 **, p<0.001 ***' }, c.mark));
          td.append(pLine);
        }
      }
      tr.append(td);
    }
    body.append(tr);
  }
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
    h('p', { class: 'muted' }, `${caption}. * p<0.05, ** p<0.01, *** p<0.001.`),
  );
}

// ------------------------------------------------------------------------------ charts

let barsCard: ChartCard | undefined;
let stripCard: ChartCard | undefined;

function barsConfig() {
  const t = chartTheme();
  const bars = view ? barData(view, barMetric) : [];
  return {
    type: 'bar' as const,
    data: {
      labels: view?.datasets.map((d) => d.name) ?? [],
      datasets: bars.map((b, i) => ({
        label: b.name,
        data: b.values.map((v) => (v === null ? NaN : v)),
        whiskers: b.ci,
        backgroundColor: withAlpha(t.palette[i % t.palette.length], 0.7),
        borderColor: t.palette[i % t.palette.length],
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
  const n = view?.runs.length ?? 0;
  const names = view?.runs.map((r) => r.name) ?? [];
  const datasets: object[] = [];
  groups.forEach((g) => {
    const color = t.palette[g.x % t.palette.length];
    datasets.push({ type: 'scatter', label: g.name, data: g.points, backgroundColor: withAlpha(color, 0.55), borderColor: color, pointRadius: 2.5 });
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
  return {
    type: 'scatter' as const,
    data: { datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false as const,
      scales: (() => {
        const a = axes({ title: 'Run (method)', min: -0.5, max: Math.max(0.5, n - 0.5) }, { title: 'Dice per image (0–1)', min: 0, max: 1 });
        return {
          ...a,
          x: {
            ...a.x,
            // One tick per run, labelled with its name (a linear axis would start at -0.5).
            afterBuildTicks: (axis: { ticks: { value: number }[] }) => {
              axis.ticks = names.map((_, i) => ({ value: i }));
            },
            ticks: { ...a.x.ticks, autoSkip: false, callback: (v: string | number) => names[Number(v)] ?? '' },
          },
        };
      })(),
      plugins: {
        legend: { position: 'bottom' as const, labels: { filter: (item: { text: string }) => !item.text.endsWith(' median') } },
        tooltip: { filter: (item: { dataset: { isMedian?: boolean } }) => !item.dataset.isMedian },
        zoom: zoomOptions('xy'),
      },
    },
  };
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
    barsCard = chartCard('bars', 'Mean with 95% CI per dataset', 'Bars: mean per run and external dataset; whiskers: 95% confidence interval.', barsConfig() as never, { onPng, onCsv }, { zoom: false, extra: [metricSel] });
    chartsGrid.append(barsCard.root);
  }
  if (!stripCard) {
    stripCard = chartCard('strip', 'Per-image Dice', 'Strip plot: each point one image of the chosen dataset, jittered horizontally; bar: median.', stripConfig() as never, { onPng, onCsv }, { extra: [h('div', { class: 'strip-select' })] });
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

function onCsv(card: ChartCard): void {
  if (!view) return;
  if (card.name === 'bars') {
    const rows: unknown[][] = [];
    for (const b of barData(view, barMetric)) view.datasets.forEach((d, i) => rows.push([b.runId, b.name, d.slug, barMetric, b.values[i] ?? '', b.ci[i]?.[0] ?? '', b.ci[i]?.[1] ?? '']));
    save(exportName('comparison', 'bars', barMetric) + '.csv', 'csv', toCsv(['run', 'name', 'dataset', 'metric', 'value', 'ci_low', 'ci_high'], rows));
  } else {
    const rows: unknown[][] = [];
    const ds = stripDataset ?? '';
    for (const r of view.runs) {
      const cell = view.cells.find((c) => c.runId === r.id && c.dataset === ds);
      cell?.perImage?.dice.forEach((v, i) => rows.push([r.id, r.name, ds, cell.perImage?.ids?.[i] ?? i, v]));
    }
    save(exportName('comparison', 'per-image', ds) + '.csv', 'csv', toCsv(['run', 'name', 'dataset', 'image', 'dice'], rows));
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
  empty.hidden = view !== null && view.runs.length > 0;
  if (!view || view.runs.length === 0) {
    renderCharts();
    return;
  }
  if (!baseline || !view.runs.some((r) => r.id === baseline)) baseline = view.baseline ?? view.runs[0].id;
  if (!stripDataset || !view.datasets.some((d) => d.slug === stripDataset)) stripDataset = view.datasets[0]?.slug;
  tableBar.append(
    select(
      'baseline',
      'Baseline',
      view.runs.map((r) => ({ value: r.id, label: `${r.name}${r.id === view!.baseline ? ' (runner’s baseline)' : ''}` })),
      baseline,
      (v) => {
        baseline = v;
        bridge.setState({ baseline });
        render();
      },
    ).root,
    h(
      'div',
      { class: 'field' },
      h('span', { class: 'muted' }, 'Export table'),
      h(
        'div',
        { class: 'row' },
        button('export-csv', 'CSV', () => save(exportName('comparison') + '.csv', 'csv', comparisonToCsv(view!, baseline)), { secondary: true, title: 'Save both tables as CSV' }),
        button('export-md', 'Markdown', () => save(exportName('comparison') + '.md', 'md', comparisonToMarkdown(view!, baseline)), { secondary: true, title: 'Save both tables as Markdown' }),
      ),
    ),
  );
  tables.append(renderTable('dice'), renderTable('auc'));
  for (const w of view.warnings) warnings.append(h('li', {}, w));
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
      busy.hidden = !msg.busy;
      errorBox.hidden = true;
      if (source.kind === 'computed') {
        picked = [...source.runIds];
        bridge.setState({ runIds: source.runIds, file: undefined });
      } else if (source.kind === 'file') {
        bridge.setState({ file: files.includes(source.label) ? source.label : undefined, runIds: undefined });
      }
      renderSourceBar();
      render();
      document.body.setAttribute('data-ready', 'true');
      break;
    case 'busy':
      busy.hidden = !msg.busy;
      break;
    case 'saved':
      announce(`Saved ${msg.fileName}`);
      break;
    case 'error':
      errorBox.textContent = msg.message;
      errorBox.hidden = false;
      break;
  }
});
