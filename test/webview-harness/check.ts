/**
 * Smoke check of the built webviews in a real Chromium (playwright-core), through the harness:
 * no CSP violations or page errors, charts drawn with points, thumbnails loaded with contours,
 * the detail view, the comparison table with p-values, exports posted, in dark, light and high
 * contrast. Screenshots go to --out (default: a temp folder).
 *
 *   npm run build && node --import tsx test/webview-harness/check.ts [--chromium /usr/bin/chromium] [--out dir]
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { makeFixtureRuns, startHarness } from './serve';

const args = process.argv.slice(2);
const arg = (n: string) => (args.includes(n) ? args[args.indexOf(n) + 1] : undefined);
const out = arg('--out') ?? mkdtempSync(join(tmpdir(), 'bus-lab-webview-shots-'));
mkdirSync(out, { recursive: true });

async function problems(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);
}

async function main(): Promise<void> {
  const runsDir = mkdtempSync(join(tmpdir(), 'bus-lab-harness-'));
  makeFixtureRuns(runsDir, 754);
  const harness = await startHarness(runsDir);
  const browser = await chromium.launch({ executablePath: arg('--chromium') ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  const errors: string[] = [];
  try {
    for (const theme of ['dark', 'light', 'hc']) {
      const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
      page.on('pageerror', (e) => errors.push(`${theme}: ${e.message}`));
      page.on('console', (m) => m.type() === 'error' && errors.push(`${theme} console: ${m.text()}`));

      // Dashboard
      await page.goto(`${harness.pageUrl}/dashboard.html?theme=${theme}&live=1`);
      await page.waitForSelector('body[data-ready="true"]');
      for (const name of ['loss-step', 'loss-epoch', 'val', 'lr', 'throughput', 'eta', 'phi']) {
        const n = Number(await page.getAttribute(`[data-testid="chart-${name}"]`, 'data-points'));
        assert.ok(n > 0, `dashboard chart ${name} has points (${n})`);
      }
      const before = Number(await page.getAttribute('[data-testid="chart-loss-step"]', 'data-source-points'));
      await page.waitForTimeout(800);
      const afterLive = Number(await page.getAttribute('[data-testid="chart-loss-step"]', 'data-source-points'));
      assert.ok(afterLive > before, `live appends grow the chart (${before} -> ${afterLive})`);
      // Smoothing off: the faint raw curves go away, the shown points stay.
      const datasetsSmoothed = Number(await page.getAttribute('[data-testid="chart-loss-step"]', 'data-datasets'));
      await page.fill('[data-testid="smoothing"]', '0');
      await page.waitForFunction((n) => Number(document.querySelector('[data-testid="chart-loss-step"]')?.getAttribute('data-datasets')) < n, datasetsSmoothed);
      await page.click('[data-testid="export-csv-val"]');
      await page.click('[data-testid="export-png-val"]');
      await page.click('[data-testid="export-svg-val"]');
      const sent = await page.evaluate(() => (window as unknown as { __sent: { type: string; format?: string; data?: string }[] }).__sent.filter((m) => m.type === 'saveFile'));
      assert.deepEqual(sent.map((m) => m.format), ['csv', 'png', 'svg']);
      // Figures: the PNG is 3x the chart's CSS size (its IHDR), the SVG is vector paths and text.
      const box = await page.$eval('[data-testid="chart-val"]', (c) => ({ w: (c as HTMLCanvasElement).clientWidth, h: (c as HTMLCanvasElement).clientHeight }));
      const png = Buffer.from(String(sent[1].data), 'base64');
      assert.equal(png.toString('latin1', 1, 4), 'PNG');
      assert.deepEqual({ w: png.readUInt32BE(16), h: png.readUInt32BE(20) }, { w: box.w * 3, h: box.h * 3 }, 'PNG at 3x');
      const svg = String(sent[2].data);
      assert.match(svg, /<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]* width="\d+" height="\d+"/);
      assert.ok((svg.match(/<path /g) ?? []).length > 20 && /<text [^>]*>Epoch<\/text>/.test(svg), 'SVG has paths and axis text');
      if (theme === 'dark') {
        writeFileSync(join(out, 'export-val.png'), png);
        writeFileSync(join(out, 'export-val.svg'), svg);
      }
      await page.screenshot({ path: join(out, `dashboard-${theme}.png`), fullPage: true });
      assert.deepEqual(await problems(page), [], 'dashboard CSP violations');

      // Gallery
      await page.goto(`${harness.pageUrl}/gallery.html?theme=${theme}&compare=1`);
      await page.waitForSelector('body[data-ready="true"]');
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="thumb"][data-loaded="true"]').length >= 12, undefined, { timeout: 20000 });
      const info = await page.textContent('[data-testid="page-info"]');
      assert.match(info ?? '', /of 754/);
      const firstDice = await page.getAttribute('[data-testid="thumb-card"]', 'data-dice');
      const overlays = await page.getAttribute('[data-testid="thumb"][data-loaded="true"]', 'data-overlays');
      assert.match(overlays ?? '', /truth/);
      await page.screenshot({ path: join(out, `gallery-${theme}.png`) });
      // Paired scatter (a second run): one point per lesion image; hovering names it, a click opens its detail.
      const scatterPoints = Number(await page.getAttribute('[data-testid="paired-scatter"]', 'data-points'));
      assert.ok(scatterPoints > 0, `paired scatter has points (${scatterPoints})`);
      const sp = JSON.parse((await page.getAttribute('[data-testid="paired-scatter"]', 'data-first-point')) ?? '{}') as { x: number; y: number; imageId: string };
      await page.hover('[data-testid="paired-scatter"]', { position: { x: sp.x, y: sp.y } });
      await page.waitForSelector('[data-testid="scatter-tip"]:not([hidden])');
      assert.match((await page.textContent('[data-testid="scatter-tip"]')) ?? '', / · A \d\.\d{3} · B \d\.\d{3} · Δ /);
      if (theme === 'dark') await page.screenshot({ path: join(out, 'gallery-scatter-hover.png') });
      await page.click('[data-testid="paired-scatter"]', { position: { x: sp.x, y: sp.y } });
      await page.waitForSelector(`[data-testid="detail"][data-id="${sp.imageId}"] [data-testid="detail-canvas-compare"][data-loaded="true"]`);
      await page.keyboard.press('Escape');
      await page.waitForSelector('[data-testid="detail"]', { state: 'hidden' });
      // 192 per page, scrolled to the bottom: the bottom thumbnails load, the top ones scrolled away are cancelled or done.
      await page.evaluate(() => {
        const sel = document.querySelector('[data-testid="page-size"]') as HTMLElement & { value: string };
        sel.value = '192';
        sel.dispatchEvent(new Event('change'));
      });
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="thumb-card"]').length === 192);
      await page.evaluate(() => document.querySelector('[data-testid="page-next-bottom"]')?.scrollIntoView());
      if (theme === 'dark') await page.screenshot({ path: join(out, 'gallery-loading.png') });
      await page.waitForFunction(() => {
        const cards = [...document.querySelectorAll('[data-testid="thumb"]')];
        return cards.slice(-6).every((c) => c.getAttribute('data-loaded') === 'true');
      }, undefined, { timeout: 20000 });
      const loadedAtBottom = await page.$$eval('[data-testid="thumb"]', (els) => els.map((e) => e.getAttribute('data-loaded') === 'true'));
      const middle = loadedAtBottom.slice(60, 120).filter(Boolean).length;
      assert.ok(middle < 60, `thumbnails never in view were not all loaded (${middle}/60 in the middle)`);
      if (theme === 'dark') await page.screenshot({ path: join(out, 'gallery-bottom-pager.png') });
      await page.evaluate(() => {
        const sel = document.querySelector('[data-testid="page-size"]') as HTMLElement & { value: string };
        sel.value = '48';
        sel.dispatchEvent(new Event('change'));
      });
      // Normal images: their false-positive area instead of a Dice.
      await page.evaluate(() => {
        const sel = document.querySelector('[data-testid="label-filter"]') as HTMLElement & { value: string };
        sel.value = 'normal';
        sel.dispatchEvent(new Event('change'));
      });
      await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="thumb-card"]')].every((e) => e.getAttribute('data-normal') === 'true'));
      const fpTexts = await page.$$eval('[data-testid="thumb-dice"]', (els) => els.map((e) => e.textContent ?? ''));
      assert.ok(fpTexts.every((t) => /^(FP area \d+ px|no FP)$/.test(t)), fpTexts.slice(0, 4).join(', '));
      if (theme === 'dark') await page.screenshot({ path: join(out, 'gallery-normal.png') });
      await page.evaluate(() => {
        const sel = document.querySelector('[data-testid="label-filter"]') as HTMLElement & { value: string };
        sel.value = 'all';
        sel.dispatchEvent(new Event('change'));
      });
      // Sort by the paired difference, and export the filtered list.
      await page.evaluate(() => {
        const sel = document.querySelector('[data-testid="sort"]') as HTMLElement & { value: string };
        sel.value = 'delta-desc';
        sel.dispatchEvent(new Event('change'));
      });
      await page.click('[data-testid="export-list-csv"]');
      const listCsv = await page.evaluate(() => (window as unknown as { __sent: { type: string; format?: string; data?: string }[] }).__sent.filter((m) => m.type === 'saveFile' && m.format === 'csv').pop()?.data ?? '');
      assert.match(listCsv.split('\n')[0], /^id,file,label,dice,.*diceA_minus_diceB/);
      assert.equal(listCsv.trim().split('\n').length, 755, 'one CSV row per image of the list');
      await page.evaluate(() => {
        const sel = document.querySelector('[data-testid="sort"]') as HTMLElement & { value: string };
        sel.value = 'dice-asc';
        sel.dispatchEvent(new Event('change'));
      });
      // Search (Playwright's CSS pierces the vscode-textfield shadow root) and label filter.
      await page.fill('[data-testid="search"] input', 'malignant_36');
      await page.waitForFunction(() => /of (\d+)$/.exec(document.querySelector('[data-testid="page-info"]')?.textContent ?? '')?.[1] !== '754');
      const found = await page.$$eval('[data-testid="thumb-card"]', (els) => els.map((e) => e.getAttribute('data-file')));
      assert.ok(found.length > 0 && found.every((f) => f?.includes('malignant_36')), found.join(','));
      await page.fill('[data-testid="search"] input', '');
      await page.evaluate(() => {
        const sel = document.querySelector('[data-testid="label-filter"]') as HTMLElement & { value: string };
        sel.value = 'benign';
        sel.dispatchEvent(new Event('change'));
      });
      await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="thumb-card"]')].every((e) => e.getAttribute('data-label') === 'benign'));
      const dices = await page.$$eval('[data-testid="thumb-card"]', (els) => els.map((e) => Number(e.getAttribute('data-dice'))));
      assert.deepEqual(dices, [...dices].sort((a, b) => a - b), 'worst Dice first');
      await page.press('[data-testid="thumb-card"]', 'Enter');
      await page.waitForSelector('[data-testid="detail-canvas"][data-loaded="true"]');
      await page.waitForSelector('[data-testid="detail-canvas-compare"][data-loaded="true"]');
      await page.click('[data-testid="toggle-prob"]');
      await page.waitForFunction(() => (document.querySelector('[data-testid="detail-canvas"]')?.getAttribute('data-overlays') ?? '').includes('prob'));
      assert.ok((await page.$$('[data-testid="feature-table"] tbody tr')).length >= 4);
      await page.screenshot({ path: join(out, `gallery-detail-${theme}.png`) });
      await page.click('[data-testid="export-detail-png"]');
      const detailPng = await page.evaluate(() => (window as unknown as { __sent: { type: string; format?: string; data?: string }[] }).__sent.filter((m) => m.type === 'saveFile' && m.format === 'png').pop()?.data ?? '');
      assert.equal(Buffer.from(detailPng, 'base64').toString('latin1', 1, 4), 'PNG', 'detail exported as PNG');
      if (theme === 'dark') writeFileSync(join(out, 'gallery-detail-export.png'), Buffer.from(detailPng, 'base64'));
      await page.click('[data-testid="open-original"]');
      const originals = await page.evaluate(() => (window as unknown as { __sent: { type: string }[] }).__sent.filter((m) => m.type === 'openOriginal').length);
      assert.equal(originals, 1, 'Open original image asks the host');
      await page.keyboard.press('Escape');
      await page.waitForSelector('[data-testid="detail"]', { state: 'hidden' });
      assert.ok(firstDice !== null);
      assert.deepEqual(await problems(page), [], 'gallery CSP violations');

      // Comparison
      await page.goto(`${harness.pageUrl}/comparison.html?theme=${theme}`);
      await page.waitForSelector('body[data-ready="true"]');
      const rows = await page.$$('[data-testid="comparison-table"] tbody tr[data-run]');
      assert.equal(rows.length, 3);
      const ps = await page.$$eval('[data-testid="comparison-table"] [data-testid="p-value"]', (els) => els.map((e) => e.getAttribute('data-p')));
      assert.equal(ps.length, 6);
      assert.ok(Number(await page.getAttribute('[data-testid="chart-bars"]', 'data-points')) === 9);
      assert.ok(Number(await page.getAttribute('[data-testid="chart-strip"]', 'data-points')) === 60);
      await page.click('[data-testid="export-md"]');
      // A strip point: clicking it asks the host to open that image in its run's gallery.
      const first = JSON.parse((await page.getAttribute('[data-testid="chart-strip"]', 'data-first-point')) ?? 'null') as { x: number; y: number; imageId: string } | null;
      assert.ok(first, 'no data-first-point on the strip plot');
      await page.click('[data-testid="chart-strip"]', { position: { x: first.x, y: first.y } });
      // Chart.js handles DOM events on the next animation frame.
      await page.waitForFunction(() => (window as unknown as { __sent: { type: string }[] }).__sent.some((m) => m.type === 'openImage'), undefined, { timeout: 5000 }).catch(() => undefined);
      const opened = await page.evaluate(() => (window as unknown as { __sent: { type: string; imageId?: string }[] }).__sent.filter((m) => m.type === 'openImage'));
      assert.equal(opened.length, 1, 'a click on a strip point posts openImage');
      assert.match(String(opened[0].imageId), /^img\d+$/);
      // Another baseline: the host's answer (the engine's comparison against it) keeps every p-value and CI.
      await page.evaluate(() => {
        const sel = document.querySelector('[data-testid="baseline"]') as HTMLElement & { value: string };
        sel.value = 'birads';
        sel.dispatchEvent(new Event('change'));
      });
      await page.waitForSelector('[data-testid="comparison-table"] tr[data-run="birads"][data-baseline="true"]');
      const rebases = await page.evaluate(() => (window as unknown as { __sent: { type: string; baseline?: string }[] }).__sent.filter((m) => m.type === 'rebase'));
      assert.deepEqual(rebases, [{ type: 'rebase', baseline: 'birads' }]);
      const sources = await page.$$eval('[data-testid="comparison-table"] [data-testid="p-value"]', (els) => els.map((e) => e.getAttribute('data-p-source')));
      assert.ok(sources.length === 6 && sources.every((x) => x === 'engine'), sources.join(','));
      const aucSources = await page.$$eval('[data-testid="comparison-table-auc"] [data-testid="p-value"]', (els) => els.map((e) => e.getAttribute('data-p-source')));
      assert.ok(aucSources.length === 6 && aucSources.every((x) => x === 'engine'), `DeLong p for every other baseline: ${aucSources.join(',')}`);
      await page.screenshot({ path: join(out, `comparison-${theme}.png`), fullPage: true });
      assert.deepEqual(await problems(page), [], 'comparison CSP violations');
      await page.close();
    }
    assert.deepEqual(errors, [], 'page errors');
    console.log(`webview smoke check passed; screenshots in ${out}`);
  } finally {
    await browser.close();
    harness.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
