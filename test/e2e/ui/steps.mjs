// The UI-level end-to-end steps: what a user clicks through in a normal workbench session with
// BUS Lab and the example plugin loaded. Run in order by test/e2e/run.mjs; a step whose `needs`
// did not pass is reported as not run; `requires` fails a step whose feature is no longer contributed.
// Hooks: command titles from package.json (category "BUS"), data-testid hooks from docs/WEBVIEWS.md.
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { sleep } from '../lib/workbench.mjs';

const PALETTE = {
  train: 'BUS: Train BUS model',
  stop: 'BUS: Stop Training',
  resume: 'BUS: Resume Training',
  dashboard: 'BUS: Open Training Dashboard',
  gallery: 'BUS: Open Mask Gallery',
  compare: 'BUS: Compare Runs (Ablation)',
};

/** Fails a step unless the extension contributes every command named. */
const commands = (...ids) => ({ manifest }) => {
  const declared = new Set((manifest.contributes?.commands ?? []).map((c) => c.command));
  const missing = ids.filter((id) => !declared.has(id));
  return missing.length ? `not contributed: ${missing.join(', ')}` : undefined;
};
const needsPlugin = ({ plugin }) => (plugin ? undefined : 'no examples/custom-loss-plugin');
const all = (...checks) => (ctx) => checks.map((c) => c(ctx)).find(Boolean);

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

// --- run folders (the workspace's `runs/`, from busLab.runsDirectory) -----------------------------
function runsDir(ctx) {
  return join(ctx.workspace, 'runs');
}

export function readRun(ctx, runId) {
  const dir = join(runsDir(ctx), runId);
  return { dir, record: JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) };
}

function metrics(ctx, runId) {
  const file = join(runsDir(ctx), runId, 'metrics.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

function listRuns(ctx) {
  const dir = runsDir(ctx);
  return existsSync(dir) ? readdirSync(dir).filter((d) => existsSync(join(dir, d, 'run.json'))) : [];
}

// --- flows ----------------------------------------------------------------------------------------

/**
 * "Train BUS model" through its four-step quick pick: method (typed filter, or the preselected
 * one from settings), training dataset (first), external datasets (all preselected), epochs.
 * Returns the run id from the progress notification.
 */
export async function trainThroughWizard(ctx, { method, epochs } = {}) {
  const { wb, page, log } = ctx;
  const before = new Set(listRuns(ctx));
  await wb.runCommand(PALETTE.train);
  await wb.waitForQuickInputTitle(/Train BUS model \(1\/4\)/);
  const input = page.locator('.quick-input-widget .quick-input-box input');
  if (method) {
    await input.fill(method);
    await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: method }).first().waitFor({ timeout: 30_000 });
  }
  await wb.screenshot(`train-wizard-method${method ? `-${method}` : ''}`);
  await page.keyboard.press('Enter');
  await wb.waitForQuickInputTitle(/\(2\/4\)/);
  await page.keyboard.press('Enter');
  await wb.waitForQuickInputTitle(/\(3\/4\)/);
  await wb.screenshot('train-wizard-external');
  await page.keyboard.press('Enter');
  await wb.waitForQuickInputTitle(/\(4\/4\)/);
  if (epochs !== undefined) await input.fill(String(epochs));
  await page.keyboard.press('Enter');
  log(`    wizard done${method ? ` (method ${method})` : ''}${epochs ? ` (${epochs} epochs)` : ''}`);
  const text = await wb.waitForNotification(/BUS Lab: training \S+/, { timeout: 180_000 });
  const runId = /BUS Lab: training (\S+)/.exec(text)[1].replace(/[,.:;]+$/, '');
  log(`    progress notification: ${text.slice(0, 160)}`);
  assert(!before.has(runId), `run ${runId} existed before`);
  return runId;
}

/** Waits for the "Training <id> finished" notification and the run's finished icon in Runs. */
export async function waitFinished(ctx, runId, { timeout = 300_000 } = {}) {
  const { wb } = ctx;
  const t0 = Date.now();
  for (;;) {
    const texts = await wb.notificationTexts();
    if (texts.some((t) => t.includes(`Training ${runId} finished`))) break;
    const failed = texts.find((t) => t.includes(runId) && /fail|error/i.test(t));
    if (failed) throw new Error(`training ${runId} failed: ${failed}`);
    if (existsSync(join(runsDir(ctx), runId, 'run.json'))) {
      const status = readRun(ctx, runId).record.status;
      if (status === 'failed') throw new Error(`training ${runId} failed: ${readRun(ctx, runId).record.error ?? ''}`);
      if (status === 'finished') break;
    }
    if (Date.now() - t0 > timeout) throw new Error(`training ${runId} did not finish within ${timeout / 1000} s`);
    await sleep(1000);
  }
  await wb.openViewContainer('BUS Lab');
  await wb.waitForTreeRow('Runs', new RegExp(runId), { icon: 'pass', timeout: 60_000 });
}

async function pointsOf(frame, name) {
  const c = frame.locator(`canvas[data-testid="chart-${name}"]`);
  if ((await c.count()) === 0) return -1;
  return Number((await c.first().getAttribute('data-points')) ?? 0);
}

async function waitForPoints(frame, name, min, { timeout = 120_000 } = {}) {
  const t0 = Date.now();
  let n = -1;
  while (Date.now() - t0 < timeout) {
    n = await pointsOf(frame, name);
    if (n >= min) return n;
    await sleep(500);
  }
  throw new Error(`chart-${name} has ${n} points, expected at least ${min} within ${timeout / 1000} s`);
}

async function openPanel(ctx, paletteLabel, readySelector, { pick } = {}) {
  const { wb, page } = ctx;
  await wb.closeAllEditors();
  await wb.runCommand(paletteLabel);
  if (pick) await wb.answerQuickInput({ label: pick });
  const frame = await wb.webviewFrame(readySelector, { timeout: 120_000 });
  await frame.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
  const error = frame.locator('[data-testid="error"]:not([hidden])');
  if ((await error.count()) > 0 && (await error.first().isVisible())) throw new Error(`panel shows an error: ${await error.first().textContent()}`);
  await page.waitForTimeout(500);
  return frame;
}

// --- the steps ------------------------------------------------------------------------------------
export const steps = [
  {
    name: 'BUS Lab view container and empty Runs view',
    requires: ({ manifest }) => (manifest.contributes?.viewsContainers ? undefined : 'no view container'),
    async run(ctx) {
      const { wb } = ctx;
      await wb.openViewContainer('BUS Lab');
      await wb.viewPane('Runs');
      await wb.screenshot('runs-view-empty');
    },
  },
  {
    name: 'command palette finds "Train BUS model"',
    requires: commands('busLab.train'),
    async run(ctx) {
      const { wb } = ctx;
      const labels = await wb.paletteEntries('Train BUS model', { expect: PALETTE.train, timeout: 60_000 });
      assert(labels.some((l) => l.includes(PALETTE.train)), `palette shows: ${labels.join(' | ')}`);
      await wb.screenshot('palette-train');
      await wb.closeQuickInput();
    },
  },
  {
    name: 'Providers view lists the example plugin\'s loss',
    requires: all(needsPlugin, ({ manifest }) => ((manifest.contributes?.views?.busLab ?? []).some((v) => v.id === 'busLab.providers') ? undefined : 'no Providers view')),
    async run(ctx) {
      const { wb } = ctx;
      await wb.openViewContainer('BUS Lab');
      const { info } = await wb.waitForTreeRow('Providers', /Tversky loss/, { timeout: 90_000 });
      assert(/custom-loss-plugin/.test(info.text + info.aria), `Tversky row does not name the plugin: ${info.text}`);
      await wb.screenshot('providers-view');
    },
  },
  {
    name: 'train through the wizard: progress notification, then a finished run in Runs',
    requires: commands('busLab.train'),
    timeoutMs: 360_000,
    async run(ctx) {
      const { wb, state } = ctx;
      const runId = await trainThroughWizard(ctx);
      state.runA = runId;
      await wb.screenshot('training-progress');
      await waitFinished(ctx, runId);
      const { record } = readRun(ctx, runId);
      assert(record.status === 'finished', `run.json status ${record.status}`);
      assert(record.config.epochs === 2 && record.config.imageSize === 32, `config not from the workspace settings: ${JSON.stringify(record.config).slice(0, 200)}`);
      // Expand the run: its external datasets appear under it.
      const { row } = await wb.waitForTreeRow('Runs', new RegExp(runId), { icon: 'pass' });
      await row.click();
      await wb.waitForTreeRow('Runs', /Site B|site-b/, { timeout: 30_000 });
      await wb.waitForTreeRow('Runs', /Site C|site-c/, { timeout: 30_000 });
      await wb.screenshot('runs-view-finished');
    },
  },
  {
    name: 'Training Dashboard shows charts with points after training',
    requires: commands('busLab.openTrainingDashboard'),
    needs: ['train through the wizard: progress notification, then a finished run in Runs'],
    async run(ctx) {
      const frame = await openPanel(ctx, PALETTE.dashboard, 'canvas[data-testid="chart-loss-step"]');
      const step = await waitForPoints(frame, 'loss-step', 2);
      const epoch = await waitForPoints(frame, 'loss-epoch', 2);
      const val = await waitForPoints(frame, 'val', 2);
      // The method's instruments reach the dashboard (feature drift is measured for every method).
      const drift = await waitForPoints(frame, 'feature-drift', 2);
      ctx.log(`    points: loss-step ${step}, loss-epoch ${epoch}, val ${val}, feature-drift ${drift}`);
      await ctx.wb.screenshot('dashboard-after-training');
    },
  },
  {
    name: 'Mask Gallery has loaded thumbnails for each external dataset',
    requires: commands('busLab.openMaskGallery'),
    needs: ['train through the wizard: progress notification, then a finished run in Runs'],
    async run(ctx) {
      const { wb, state, log } = ctx;
      const frame = await openPanel(ctx, PALETTE.gallery, '[data-testid="thumb-grid"]', { pick: state.runA });
      const tabs = frame.locator('vscode-tab-header[data-testid="dataset-tab"]');
      const slugs = await tabs.evaluateAll((els) => els.map((e) => e.getAttribute('data-dataset')));
      assert(slugs.length === 2, `expected 2 dataset tabs (Site B, Site C), got ${slugs.join(', ')}`);
      for (const slug of slugs) {
        await frame.locator(`vscode-tab-header[data-testid="dataset-tab"][data-dataset="${slug}"]`).click();
        await frame.waitForFunction(
          (s) => {
            const cards = document.querySelectorAll('figure[data-testid="thumb-card"]');
            const loaded = document.querySelectorAll('canvas[data-testid="thumb"][data-loaded="true"]');
            const errors = document.querySelectorAll('canvas[data-testid="thumb"][data-loaded="error"]');
            return cards.length > 0 && loaded.length >= Math.min(cards.length, 4) && errors.length === 0 && document.querySelector(`vscode-tab-header[data-dataset="${s}"]`);
          },
          slug,
          { timeout: 60_000 },
        );
        const counts = await frame.evaluate(() => ({
          cards: document.querySelectorAll('figure[data-testid="thumb-card"]').length,
          loaded: document.querySelectorAll('canvas[data-testid="thumb"][data-loaded="true"]').length,
          total: document.querySelector('[data-testid="thumb-grid"]')?.getAttribute('data-total'),
        }));
        log(`    ${slug}: ${counts.loaded}/${counts.cards} thumbnails loaded (dataset ${counts.total} images)`);
        await wb.screenshot(`gallery-${slug}`);
      }
    },
  },
  {
    name: 'Segment Image from the explorer context menu: result view with the contour and scores',
    requires: commands('busLab.segmentImage'),
    needs: ['train through the wizard: progress notification, then a finished run in Runs'],
    async run(ctx) {
      const { wb, page, state, workspace, log } = ctx;
      // An unlabelled image in the workspace: a speckled grey picture with a dark ellipse.
      const width = 120;
      const height = 90;
      const png = new PNG({ width, height });
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const inside = ((x - 60) / 25) ** 2 + ((y - 45) / 15) ** 2 < 1;
          const v = (inside ? 30 : 140) + ((x * 31 + y * 17) % 50);
          png.data.set([v, v, v, 255], (y * width + x) * 4);
        }
      }
      writeFileSync(join(workspace, 'scan.png'), PNG.sync.write(png));
      await wb.closeAllEditors();
      await wb.runCommand('View: Show Explorer');
      const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'scan.png' }).first();
      await row.waitFor({ state: 'visible', timeout: 60_000 });
      await row.click({ button: 'right' });
      // The workbench's context menu is HTML in a browser (in a shadow root, which role selectors pierce).
      const item = page.getByRole('menuitem', { name: /Segment Image\.\.\./ }).first();
      await item.waitFor({ state: 'visible', timeout: 30_000 });
      await wb.screenshot('explorer-context-segment');
      await item.click();
      await wb.answerQuickInput({ label: state.runA });
      const frame = await wb.webviewFrame('canvas[data-testid="prediction-canvas"]', { timeout: 180_000 });
      await frame.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
      await frame.waitForSelector('canvas[data-testid="prediction-canvas"][data-loaded="true"]', { timeout: 60_000 });
      const p = Number(await frame.locator('[data-testid="p-malignant"]').textContent());
      assert(Number.isFinite(p) && p >= 0 && p <= 1, `p_malignant shown: ${p}`);
      const outDir = join(readRun(ctx, state.runA).dir, 'predictions', 'scan.png');
      assert(existsSync(join(outDir, 'masks', 'scan.png')) && existsSync(join(outDir, 'overlays', 'scan.png')), `no mask/overlay in ${outDir}`);
      log(`    p_malignant ${p}; outputs in ${outDir}`);
      await wb.screenshot('segment-image-result');
      await frame.locator('[data-testid="toggle-heatmap"]').click();
      await frame.waitForSelector('canvas[data-testid="prediction-canvas"][data-heatmap="true"][data-loaded="true"]', { timeout: 30_000 });
      await wb.screenshot('segment-image-heatmap');
    },
  },
  {
    name: 'example plugin loss: train with it, its loss is in the run\'s metrics',
    requires: all(needsPlugin, commands('busLab.train')),
    needs: ['train through the wizard: progress notification, then a finished run in Runs'],
    timeoutMs: 360_000,
    async run(ctx) {
      const { state, log } = ctx;
      await ctx.wb.closeAllEditors();
      const runId = await trainThroughWizard(ctx, { method: 'Tversky' });
      state.runB = runId;
      await waitFinished(ctx, runId);
      const { record } = readRun(ctx, runId);
      assert(/tversky/i.test(record.config.method), `run ${runId} method is ${record.config.method}`);
      const keys = new Set(metrics(ctx, runId).flatMap((m) => Object.keys(m.losses ?? {})));
      log(`    loss terms recorded: ${[...keys].join(', ')}`);
      assert([...keys].some((k) => /tversky/i.test(k)), `no Tversky loss term in metrics.jsonl (terms: ${[...keys].join(', ')})`);
      await ctx.wb.screenshot('runs-view-plugin-run');
    },
  },
  {
    name: 'Ablation Comparison shows two runs and a p-value',
    requires: commands('busLab.compareRuns'),
    needs: ['example plugin loss: train with it, its loss is in the run\'s metrics'],
    async run(ctx) {
      const { wb, page, state, log } = ctx;
      await wb.closeAllEditors();
      await wb.runCommand(PALETTE.compare);
      // Multi-select quick pick: tick both runs, accept.
      for (const id of [state.runA, state.runB]) {
        const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: id }).first();
        await row.waitFor({ timeout: 60_000 });
        const checked = await row.getAttribute('aria-checked');
        if (checked !== 'true') await row.click();
      }
      await wb.screenshot('compare-pick');
      await page.keyboard.press('Enter');
      // The baseline is asked for (#18): pick the second run, so the first is compared against it.
      await wb.waitForQuickInputTitle(/Compare Runs: baseline/);
      await wb.screenshot('compare-pick-baseline');
      await wb.answerQuickInput({ label: state.runB });
      state.compareBaseline = state.runB;
      const frame = await wb.webviewFrame('table[data-testid="comparison-table"] tr[data-run]', { timeout: 180_000 });
      await frame.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
      await frame.waitForSelector('span[data-testid="p-value"][data-p]', { timeout: 120_000 });
      const rows = await frame.locator('table[data-testid="comparison-table"] tr[data-run]').count();
      const ps = await frame.locator('span[data-testid="p-value"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-p')));
      log(`    comparison rows ${rows}, p-values ${ps.join(', ')}`);
      assert(rows === 2, `comparison table has ${rows} runs`);
      assert(ps.some((p) => p !== null && p !== '' && Number.isFinite(Number(p)) && Number(p) >= 0 && Number(p) <= 1), `no p-value in [0, 1]: ${ps.join(', ')}`);
      const base = await frame.locator('table[data-testid="comparison-table"] tr[data-baseline="true"]').getAttribute('data-run');
      assert(base === state.runB, `the baseline picked in the quick pick is ${state.runB}, the table's is ${base}`);
      await wb.screenshot('comparison');
    },
  },
  {
    name: 'Comparison: another baseline keeps every CI and p-value (the engine compares again)',
    needs: ['Ablation Comparison shows two runs and a p-value'],
    async run(ctx) {
      const { wb, state, log } = ctx;
      const frame = await wb.webviewFrame('table[data-testid="comparison-table"] tr[data-run]');
      const read = () =>
        frame.evaluate(() => {
          const of = (table) =>
            [...document.querySelectorAll(`table[data-testid="${table}"] span[data-testid="p-value"]`)].map((e) => ({ run: e.getAttribute('data-run'), p: e.getAttribute('data-p'), source: e.getAttribute('data-p-source') }));
          const cis = (table) => [...document.querySelectorAll(`table[data-testid="${table}"] [data-testid="diff"]`)].filter((e) => /\[.*\]/.test(e.textContent ?? '')).length;
          return { dice: of('comparison-table'), auc: of('comparison-table-auc'), diceCis: cis('comparison-table'), aucCis: cis('comparison-table-auc') };
        });
      const before = await read();
      log(`    baseline ${state.runB}: Dice p ${JSON.stringify(before.dice)}, AUC p ${JSON.stringify(before.auc)}, CIs ${before.diceCis}/${before.aucCis}`);
      await frame.evaluate((id) => {
        const sel = document.querySelector('[data-testid="baseline"]');
        sel.value = id;
        sel.dispatchEvent(new sel.ownerDocument.defaultView.Event('change'));
      }, state.runA);
      await frame.waitForSelector(`table[data-testid="comparison-table"] tr[data-run="${state.runA}"][data-baseline="true"]`, { timeout: 120_000 });
      const after = await read();
      log(`    baseline ${state.runA}: Dice p ${JSON.stringify(after.dice)}, AUC p ${JSON.stringify(after.auc)}, CIs ${after.diceCis}/${after.aucCis}`);
      await wb.screenshot('comparison-rebased');
      const ok = (list) => list.every((x) => x.source === 'engine' && x.p !== '' && Number(x.p) >= 0 && Number(x.p) <= 1);
      assert(after.dice.length > 0 && after.dice.every((x) => x.run === state.runB), `Dice p-values after the change are for ${after.dice.map((x) => x.run).join(', ')}`);
      assert(ok(after.dice), `a Dice p-value went missing: ${JSON.stringify(after.dice)}`);
      assert(after.dice.length === before.dice.length && after.diceCis === before.diceCis, 'the Dice table lost p-values or CIs');
      // DeLong p: kept whenever the first baseline had one (both runs need benign and malignant scores).
      assert(after.auc.length === before.auc.length && after.aucCis === before.aucCis, 'the AUC table lost DeLong p-values or CIs');
      if (before.auc.some((b) => b.source === 'engine')) assert(ok(after.auc), `a DeLong p went missing: ${JSON.stringify(after.auc)}`);
      const delong = after.auc.filter((x) => x.source === 'engine').length;
      log(`    DeLong p after the change: ${delong} (before: ${before.auc.filter((x) => x.source === 'engine').length})`);
    },
  },
  {
    name: 'Comparison: clicking a strip-plot point opens that image in the Mask Gallery',
    needs: ['Ablation Comparison shows two runs and a p-value'],
    async run(ctx) {
      const { wb, log } = ctx;
      const frame = await wb.webviewFrame('canvas[data-testid="chart-strip"][data-first-point]');
      const canvas = frame.locator('canvas[data-testid="chart-strip"]');
      await canvas.scrollIntoViewIfNeeded();
      await sleep(500);
      const first = JSON.parse(await canvas.getAttribute('data-first-point'));
      await canvas.hover({ position: { x: first.x, y: first.y } });
      await sleep(300);
      await wb.screenshot('comparison-strip-tooltip');
      const dataset = await frame.locator('[data-testid="strip-dataset"]').evaluate((el) => el.value);
      // The gallery opens in the same editor group, which hides (and unloads) the comparison page.
      await canvas.click({ position: { x: first.x, y: first.y } });
      log(`    clicked ${first.imageId} (${dataset}) at (${first.x}, ${first.y})`);
      const gallery = await wb.webviewFrame(`[data-testid="detail"][data-id="${first.imageId.replace(/"/g, '\\"')}"]`, { timeout: 60_000 });
      await gallery.waitForSelector('[data-testid="detail"]:not([hidden]) canvas[data-testid="detail-canvas"][data-loaded="true"]', { timeout: 60_000 });
      const active = await gallery.locator('vscode-tabs').evaluate((tabs) => tabs.querySelectorAll('vscode-tab-header')[tabs.selectedIndex]?.getAttribute('data-dataset'));
      log(`    gallery detail open on ${first.imageId}; active tab ${active}`);
      assert(active === dataset, `the gallery shows ${active}, the strip plot ${dataset}`);
      await wb.screenshot('comparison-strip-opens-gallery');
    },
  },
  {
    name: 'Mask Gallery state (#18 bugs 1, 2): a compare run keeps the tab and the detail; a filter stays in its tab',
    requires: commands('busLab.openMaskGallery'),
    needs: ['example plugin loss: train with it, its loss is in the run\'s metrics'],
    async run(ctx) {
      const { wb, state, log } = ctx;
      await wb.closeAllEditors();
      const { record } = readRun(ctx, state.runA);
      const [first, second] = record.evaluated;
      assert(first && second, `run ${state.runA} has ${record.evaluated.length} evaluated datasets`);
      const nameOf = (slug) => JSON.parse(readFileSync(join(runsDir(ctx), state.runA, 'eval', slug, 'summary.json'), 'utf8')).dataset;
      // Open the gallery from the run's second dataset row in Runs (the issue's BUS-BRA row).
      await wb.openViewContainer('BUS Lab');
      const { row: runRow } = await wb.waitForTreeRow('Runs', new RegExp(state.runA), { timeout: 60_000 });
      if ((await runRow.getAttribute('aria-expanded')) !== 'true') await runRow.click();
      // The dataset row right under this run (the other run has a row of the same name).
      let dsIndex = -1;
      for (let t0 = Date.now(); dsIndex < 0 && Date.now() - t0 < 30_000; await sleep(500)) {
        const rows = await wb.treeRows('Runs');
        const at = rows.findIndex((r) => r.text.includes(state.runA) || (r.aria ?? '').includes(state.runA));
        dsIndex = rows.findIndex((r, i) => i > at && r.text.trim().startsWith(nameOf(second)));
      }
      assert(dsIndex >= 0, `no ${nameOf(second)} row under ${state.runA} in Runs`);
      await (await wb.viewPane('Runs')).locator('.pane-body .monaco-list-row').nth(dsIndex).click();
      const frame = await wb.webviewFrame('[data-testid="thumb-grid"]', { timeout: 120_000 });
      await frame.waitForSelector('body[data-ready="true"]');
      const activeTab = () => frame.locator('vscode-tabs').evaluate((tabs) => tabs.querySelectorAll('vscode-tab-header')[tabs.selectedIndex]?.getAttribute('data-dataset'));
      assert((await activeTab()) === second, `opened from ${second}'s row, the gallery shows ${await activeTab()}`);
      // Bug 1: switch to the first dataset, open an image's detail, then pick a run to compare with.
      await frame.locator(`vscode-tab-header[data-testid="dataset-tab"][data-dataset="${first}"]`).click();
      await frame.waitForFunction((s) => document.querySelector('vscode-tabs')?.querySelectorAll('vscode-tab-header')[document.querySelector('vscode-tabs').selectedIndex]?.getAttribute('data-dataset') === s, first);
      const card = frame.locator('figure[data-testid="thumb-card"]').first();
      const imageId = await card.getAttribute('data-id');
      await card.click();
      await frame.waitForSelector(`[data-testid="detail"]:not([hidden])[data-id="${imageId.replace(/"/g, '\\"')}"] canvas[data-testid="detail-canvas"][data-loaded="true"]`, { timeout: 60_000 });
      await frame.evaluate((runB) => {
        const sel = document.querySelector('[data-testid="compare-run"]');
        sel.value = runB;
        sel.dispatchEvent(new window.Event('change'));
      }, state.runB);
      await frame.waitForSelector('canvas[data-testid="detail-canvas-compare"][data-loaded="true"]', { timeout: 60_000 });
      const after = { tab: await activeTab(), detail: await frame.locator('[data-testid="detail"]').getAttribute('data-id'), dataset: await frame.locator('[data-testid="detail"]').getAttribute('data-dataset') };
      log(`    after picking ${state.runB}: tab ${after.tab}, detail ${after.detail} (${after.dataset})`);
      await wb.screenshot('gallery-compare-keeps-tab');
      assert(after.tab === first && after.detail === imageId && after.dataset === first, `compare-run moved the gallery: ${JSON.stringify(after)}`);
      await frame.locator('[data-testid="detail-close"]').click();
      await frame.waitForSelector('[data-testid="detail"]', { state: 'hidden' });
      assert((await activeTab()) === first, `"Back to grid" shows ${await activeTab()}, not ${first}`);
      const firstTotal = Number(await frame.locator('[data-testid="thumb-grid"]').getAttribute('data-total'));
      assert(firstTotal === readFileSync(join(runsDir(ctx), state.runA, 'eval', first, 'per_image.csv'), 'utf8').trim().split('\n').length - 1, `the grid after "Back to grid" holds ${firstTotal} images, not ${first}'s`);
      // Bug 2: a label filter set in the first dataset does not follow to the second.
      const labels = await frame.locator('figure[data-testid="thumb-card"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-label')));
      const label = labels.includes('normal') ? 'normal' : labels[0];
      await frame.evaluate((l) => {
        const sel = document.querySelector('[data-testid="label-filter"]');
        sel.value = l;
        sel.dispatchEvent(new window.Event('change'));
      }, label);
      await frame.waitForFunction((l) => [...document.querySelectorAll('figure[data-testid="thumb-card"]')].every((c) => c.getAttribute('data-label') === l), label);
      await frame.locator(`vscode-tab-header[data-testid="dataset-tab"][data-dataset="${second}"]`).click();
      await frame.waitForFunction((s) => document.querySelector('vscode-tabs')?.querySelectorAll('vscode-tab-header')[document.querySelector('vscode-tabs').selectedIndex]?.getAttribute('data-dataset') === s, second);
      await frame.waitForSelector('figure[data-testid="thumb-card"]', { timeout: 30_000 });
      const secondView = await frame.evaluate(() => ({
        filter: document.querySelector('[data-testid="label-filter"]')?.value,
        info: document.querySelector('[data-testid="page-info"]')?.textContent,
        total: Number(document.querySelector('[data-testid="thumb-grid"]')?.getAttribute('data-total')),
      }));
      log(`    filter ${label} in ${first}; ${second} shows filter ${secondView.filter}, "${secondView.info}"`);
      await wb.screenshot('gallery-filter-stays-in-tab');
      const secondCount = readFileSync(join(runsDir(ctx), state.runA, 'eval', second, 'per_image.csv'), 'utf8').trim().split('\n').length - 1;
      assert(secondView.filter === 'all' && secondView.total === secondCount && !/No images match/.test(secondView.info), `the filter leaked into ${second}: ${JSON.stringify(secondView)}`);
      await frame.locator(`vscode-tab-header[data-testid="dataset-tab"][data-dataset="${first}"]`).click();
      await frame.waitForFunction((l) => document.querySelector('[data-testid="label-filter"]')?.value === l, label, { timeout: 30_000 });
      // The paired scatter of the two runs: one point per lesion image.
      const points = Number((await frame.locator('canvas[data-testid="paired-scatter"]').getAttribute('data-points').catch(() => '0')) ?? 0);
      log(`    back in ${first}: filter ${label} again; paired scatter ${points} points`);
      await wb.screenshot('gallery-filter-back');
    },
  },
  {
    name: 'Stop Training cancels a run (dashboard live while it trains), which stays resumable',
    requires: commands('busLab.train', 'busLab.stopTraining', 'busLab.resumeRun'),
    timeoutMs: 360_000,
    async run(ctx) {
      const { wb, state, log } = ctx;
      await wb.closeAllEditors();
      const runId = await trainThroughWizard(ctx, { epochs: 300 }); // long enough to stop on a fast machine too
      state.runC = runId;
      // The dashboard while training: points appear and keep coming.
      let frame;
      if (!commands('busLab.openTrainingDashboard')(ctx)) {
        frame = await openPanel(ctx, PALETTE.dashboard, 'canvas[data-testid="chart-loss-step"]');
        const first = await waitForPoints(frame, 'loss-step', 1, { timeout: 180_000 });
        const later = await waitForPoints(frame, 'loss-step', first + 1, { timeout: 120_000 });
        const status = await frame.locator(`[data-testid="run-status"][data-run="${runId}"]`).getAttribute('data-status').catch(() => null);
        log(`    live dashboard: loss-step points ${first} -> ${later}, status ${status}`);
        assert(status === null || status === 'running', `run-status says ${status} while training`);
        await wb.screenshot('dashboard-while-training');
      }
      // Make sure an epoch's checkpoint exists, then stop from the palette.
      const t0 = Date.now();
      while (!metrics(ctx, runId).some((m) => m.type === 'epoch')) {
        if (Date.now() - t0 > 180_000) throw new Error('no epoch finished within 180 s');
        await sleep(500);
      }
      await wb.runCommand(PALETTE.stop);
      await wb.waitForNotification(new RegExp(`Training ${runId} was cancelled`), { timeout: 120_000 });
      await wb.screenshot('stopped-notification');
      const { record, dir } = readRun(ctx, runId);
      assert(record.status === 'cancelled', `run.json status ${record.status}`);
      assert(existsSync(join(dir, 'checkpoint')), 'no checkpoint/ folder to resume from');
      await wb.openViewContainer('BUS Lab');
      const { row } = await wb.waitForTreeRow('Runs', new RegExp(runId), { icon: 'debug-pause', timeout: 60_000 });
      const actions = await wb.rowActions(row);
      assert(actions.some((a) => /Resume Training/.test(a)), `cancelled run has no Resume action: ${actions.join(', ')}`);
      await wb.screenshot('runs-view-cancelled');
      // Resume it from the palette: it trains again from the checkpoint; stop it once more.
      const epochsBefore = record.epochsCompleted;
      await wb.runCommand(PALETTE.resume);
      await wb.answerQuickInput({ label: runId });
      await wb.waitForNotification(new RegExp(`BUS Lab: training ${runId}`), { timeout: 120_000 });
      const t1 = Date.now();
      while (readRun(ctx, runId).record.status !== 'running') {
        if (Date.now() - t1 > 60_000) throw new Error('resumed run is not running');
        await sleep(500);
      }
      await wb.screenshot('resumed');
      await wb.runCommand(PALETTE.stop);
      const t2 = Date.now();
      while (readRun(ctx, runId).record.status === 'running') {
        if (Date.now() - t2 > 120_000) throw new Error('resumed run did not stop');
        await sleep(500);
      }
      const after = readRun(ctx, runId).record;
      log(`    resumed from epoch ${epochsBefore}; stopped again at ${after.epochsCompleted} (${after.status})`);
      assert(after.epochsCompleted >= epochsBefore, 'resume lost epochs');
    },
  },
  {
    name: 'a run whose process is gone shows as interrupted in Runs, and its Resume action trains it again',
    needs: ['Stop Training cancels a run (dashboard live while it trains), which stays resumable'],
    requires: commands('busLab.resumeRun', 'busLab.stopTraining'),
    timeoutMs: 240_000,
    async run(ctx) {
      const { wb, state, log } = ctx;
      // What a killed training leaves: run.json still says `running`, and no process holds run.lock.
      const runId = `${state.runC}-killed`;
      const dir = join(runsDir(ctx), runId);
      cpSync(readRun(ctx, state.runC).dir, dir, { recursive: true });
      const record = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
      writeFileSync(join(dir, 'run.json'), JSON.stringify({ ...record, id: runId, status: 'running' }, null, 2));
      await wb.runCommand('BUS: Refresh Runs', { timeout: 15_000 }).catch(() => undefined);
      await wb.openViewContainer('BUS Lab');
      const { row, info } = await wb.waitForTreeRow('Runs', new RegExp(runId), { icon: 'debug-disconnect', timeout: 60_000 });
      assert(/interrupted at epoch \d+\/\d+, resumable/.test(info.text + info.aria), `row says: ${info.text}`);
      const actions = await wb.rowActions(row);
      assert(actions.some((a) => /Resume Training/.test(a)), `interrupted run has no Resume action: ${actions.join(', ')}`);
      await wb.screenshot('runs-view-interrupted');
      await row.locator('.actions .action-label[aria-label*="Resume Training"]').first().click();
      const t0 = Date.now();
      while (readRun(ctx, runId).record.status !== 'running' || !existsSync(join(dir, 'run.lock'))) {
        if (Date.now() - t0 > 120_000) throw new Error('the interrupted run did not resume from its Resume action');
        await sleep(500);
      }
      await wb.screenshot('interrupted-resumed');
      await wb.runCommand(PALETTE.stop);
      const t1 = Date.now();
      while (readRun(ctx, runId).record.status === 'running') {
        if (Date.now() - t1 > 120_000) throw new Error('the resumed run did not stop');
        await sleep(500);
      }
      log(`    ${runId}: interrupted -> resumed from the Runs view -> ${readRun(ctx, runId).record.status}`);
    },
  },
];
