// UI helpers for VS Code 1.100's workbench DOM, as a user drives it: the command palette, the
// notifications, views in the side bar, and webviews (iframes inside iframes). Every wait has a
// generous timeout and every helper logs what it does.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class Workbench {
  constructor(page, { log = console.log, shotsDir, prefix = '' } = {}) {
    this.page = page;
    this.log = log;
    this.shotsDir = shotsDir;
    this.prefix = prefix;
    this.shotIndex = 0;
    if (shotsDir) mkdirSync(shotsDir, { recursive: true });
  }

  /** Waits until the workbench has rendered its parts and the extension host is connected. */
  async ready(timeout = 180_000) {
    const p = this.page;
    await p.waitForSelector('.monaco-workbench', { timeout });
    await p.waitForSelector('.monaco-workbench .part.statusbar', { timeout });
    await p.waitForSelector('.monaco-workbench .part.activitybar, .monaco-workbench .part.sidebar', { timeout });
    // The remote connection indicator shows once the server connection is up.
    await p.waitForFunction(() => !document.querySelector('.monaco-workbench .part.statusbar')?.textContent?.includes('Opening Remote'), null, { timeout }).catch(() => {});
    await sleep(1000);
  }

  async screenshot(name) {
    if (!this.shotsDir) return undefined;
    this.shotIndex += 1;
    const file = join(this.shotsDir, `${this.prefix}${String(this.shotIndex).padStart(2, '0')}-${name.replace(/[^a-z0-9_-]+/gi, '-')}.png`);
    await this.page.screenshot({ path: file, timeout: 30_000 }).catch((e) => this.log(`    (screenshot ${file} failed: ${e.message})`));
    this.log(`    screenshot ${file}`);
    return file;
  }

  async closeQuickInput() {
    const p = this.page;
    for (let i = 0; i < 3; i++) {
      if (!(await p.locator('.quick-input-widget').isVisible().catch(() => false))) return;
      await p.keyboard.press('Escape');
      await sleep(200);
    }
  }

  /** Opens the command palette (F1) with `text` typed after the `>`. Returns the input locator. */
  async openPalette(text) {
    const p = this.page;
    await this.closeQuickInput();
    await p.locator('.monaco-workbench').click({ position: { x: 5, y: 5 }, force: true, trial: false }).catch(() => {});
    for (let attempt = 0; attempt < 3; attempt++) {
      await p.keyboard.press('F1');
      try {
        await p.locator('.quick-input-widget .quick-input-box input').waitFor({ state: 'visible', timeout: 10_000 });
        break;
      } catch (e) {
        if (attempt === 2) throw new Error(`the command palette did not open (F1): ${e.message}`);
        await p.keyboard.press('Control+Shift+P').catch(() => {});
        if (await p.locator('.quick-input-widget .quick-input-box input').isVisible().catch(() => false)) break;
      }
    }
    const input = p.locator('.quick-input-widget .quick-input-box input');
    await input.fill(`>${text}`);
    return input;
  }

  /**
   * The palette rows' labels for `text` (the palette is left open). With `expect`, reopens the
   * palette until a row contains it (the palette does not refresh for commands registered while
   * it is open) or `timeout` passes.
   */
  async paletteEntries(text, { timeout = 30_000, expect } = {}) {
    const p = this.page;
    const rows = p.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    const t0 = Date.now();
    let labels = [];
    for (;;) {
      await this.openPalette(text);
      const opened = Date.now();
      while (Date.now() - opened < 3000) {
        await sleep(300);
        labels = (await rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') || e.textContent || ''))).map((s) => s.trim());
        if (labels.length > 0 && (!expect || labels.some((l) => l.includes(expect)))) return labels;
      }
      if (Date.now() - t0 > timeout) return labels;
    }
  }

  /**
   * Runs a command through the palette the way a user does: F1, type, wait for the entry,
   * Enter. `label` is the palette label, e.g. "BUS Lab: Train BUS model".
   */
  async runCommand(label, { timeout = 60_000 } = {}) {
    this.log(`    palette: ${label}`);
    const p = this.page;
    const labels = await this.paletteEntries(label, { timeout, expect: label });
    const index = labels.findIndex((l) => l.includes(label));
    if (index < 0) throw new Error(`command palette has no "${label}"; it shows: ${labels.slice(0, 10).join(' | ') || '(nothing)'}`);
    await p.locator('.quick-input-widget .quick-input-list .monaco-list-row').nth(index).click();
    await sleep(300);
  }

  /** Answers an open quick pick / input box: picks the row containing `label`, or accepts. */
  async answerQuickInput({ label, text, timeout = 30_000 } = {}) {
    const p = this.page;
    const input = p.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout });
    if (text !== undefined) await input.fill(text);
    if (label) {
      const row = p.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: label }).first();
      await row.waitFor({ state: 'visible', timeout });
      await row.click();
    } else {
      await p.keyboard.press('Enter');
    }
    await sleep(300);
  }

  /** Texts of the visible notification toasts (and of the notification centre when open). */
  async notificationTexts() {
    return this.page
      .locator('.notifications-toasts .notification-toast, .notifications-center .notification-list-item')
      .evaluateAll((els) => els.map((e) => (e.querySelector('.notification-list-item-message')?.innerText || e.getAttribute('aria-label') || '').replace(/\s+/g, ' ').trim()));
  }

  /** Waits for a notification whose text matches `re`; returns its text. */
  async waitForNotification(re, { timeout = 120_000 } = {}) {
    const t0 = Date.now();
    let texts = [];
    while (Date.now() - t0 < timeout) {
      texts = await this.notificationTexts();
      const hit = texts.find((t) => re.test(t));
      if (hit) return hit;
      await sleep(250);
    }
    throw new Error(`no notification matching ${re} within ${timeout / 1000} s; visible: ${texts.join(' | ') || '(none)'}`);
  }

  /** Opens the notification centre (so finished notifications can be read) and closes it again. */
  async allNotifications() {
    const p = this.page;
    await this.runCommand('Notifications: Show Notifications').catch(() => {});
    await sleep(500);
    const texts = await this.notificationTexts();
    await p.keyboard.press('Escape').catch(() => {});
    return texts;
  }

  /** Clicks a button of the notification toast whose text matches `re`. */
  async clickNotificationButton(re, buttonText, { timeout = 60_000 } = {}) {
    const p = this.page;
    const toast = p.locator('.notifications-toasts .notification-toast', { hasText: re }).first();
    await toast.waitFor({ state: 'visible', timeout });
    await toast.hover();
    const button = toast.locator('.monaco-button, a.monaco-button, .action-label', { hasText: buttonText }).first();
    await button.click({ timeout });
  }

  /** Shows a view container in the side bar by clicking its activity bar entry. */
  async openViewContainer(title, { timeout = 60_000 } = {}) {
    const p = this.page;
    const item = p.locator(`.part.activitybar .action-item a.action-label[aria-label^="${title}"], .part.activitybar .action-item[aria-label^="${title}"] a`).first();
    await item.waitFor({ state: 'visible', timeout });
    const expanded = await item.evaluate((el) => el.closest('.action-item')?.classList.contains('checked'));
    if (!expanded) await item.click();
    await p.locator('.part.sidebar').waitFor({ state: 'visible', timeout });
    this.log(`    side bar: ${title}`);
  }

  /**
   * The pane of the view named `name` in the side bar, panel or secondary side bar (expanded if it
   * was collapsed). A container with a single view hides the pane header but keeps it in the DOM.
   */
  async viewPane(name, { timeout = 60_000 } = {}) {
    const p = this.page;
    const title = p.locator('h3.title', { hasText: new RegExp(`^\\s*${escapeRe(name)}\\s*$`, 'i') });
    const header = p.locator('.monaco-workbench .pane-header', { has: title }).first();
    await header.waitFor({ state: 'attached', timeout });
    if ((await header.getAttribute('aria-expanded')) === 'false' && (await header.isVisible())) await header.click();
    // (a `has` locator matches inside the outer element: no workbench prefix there)
    return p.locator('.monaco-workbench .pane', { has: p.locator('.pane-header', { has: title }) }).first();
  }

  /**
   * The visible rows of a tree view (pane `name`): label text (label + description), aria-label,
   * and the codicon names of its icon (e.g. "pass", "debug-pause", "sync").
   */
  async treeRows(name) {
    const pane = await this.viewPane(name);
    return pane.locator('.pane-body .monaco-list-row').evaluateAll((els) =>
      els.map((e) => ({
        text: (e.textContent || '').replace(/\s+/g, ' ').trim(),
        aria: e.getAttribute('aria-label') || '',
        expanded: e.getAttribute('aria-expanded'),
        icons: [...e.querySelectorAll('.codicon')].flatMap((i) => [...i.classList].filter((c) => c.startsWith('codicon-') && !c.startsWith('codicon-tree')).map((c) => c.slice(8))),
      })),
    );
  }

  async treeLabels(name) {
    return (await this.treeRows(name)).map((r) => `${r.aria} ${r.text}`.trim());
  }

  /**
   * Waits until a row of tree view `name` matches: `re` against its text/aria-label, and
   * `icon` (optional) among its codicons. Returns { row (locator), info }.
   */
  async waitForTreeRow(name, re, { icon, timeout = 120_000 } = {}) {
    const t0 = Date.now();
    let rows = [];
    while (Date.now() - t0 < timeout) {
      rows = await this.treeRows(name).catch(() => []);
      const index = rows.findIndex((r) => (re.test(r.text) || re.test(r.aria)) && (!icon || r.icons.includes(icon)));
      if (index >= 0) return { row: (await this.viewPane(name)).locator('.pane-body .monaco-list-row').nth(index), info: rows[index] };
      await sleep(500);
    }
    const shown = rows.map((r) => `${r.text} [${r.icons.join(',')}]`);
    throw new Error(`view "${name}" has no row matching ${re}${icon ? ` with icon ${icon}` : ''} within ${timeout / 1000} s; it shows: ${shown.join(' | ') || '(nothing)'}`);
  }

  async waitForTreeItem(name, re, options) {
    return (await this.waitForTreeRow(name, re, options)).row;
  }

  /** The inline action buttons of a tree row (hovered), by their labels. */
  async rowActions(row) {
    await row.hover();
    await sleep(300);
    return row.locator('.actions .action-label').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') || e.getAttribute('title') || ''));
  }

  /** Waits for the open quick input's title to match `re`. */
  async waitForQuickInputTitle(re, { timeout = 60_000 } = {}) {
    const t0 = Date.now();
    let title = '';
    while (Date.now() - t0 < timeout) {
      title = (await this.page.locator('.quick-input-widget .quick-input-title').textContent().catch(() => '')) ?? '';
      if (re.test(title) && (await this.page.locator('.quick-input-widget').isVisible())) return title;
      await sleep(250);
    }
    throw new Error(`no quick input titled ${re} within ${timeout / 1000} s (title: "${title}")`);
  }

  /**
   * The frame of a webview whose document has an element matching `selector` (webviews are an
   * iframe holding the content iframe `#active-frame`). Waits for it.
   */
  async webviewFrame(selector, { timeout = 120_000 } = {}) {
    const t0 = Date.now();
    while (Date.now() - t0 < timeout) {
      for (const frame of this.page.frames()) {
        if (frame === this.page.mainFrame()) continue;
        try {
          if ((await frame.locator(selector).count()) > 0) return frame;
        } catch {
          /* frame navigating or detached */
        }
      }
      await sleep(500);
    }
    const urls = this.page.frames().map((f) => f.url()).filter((u) => u && u !== 'about:blank');
    throw new Error(`no webview frame has ${selector} within ${timeout / 1000} s; frames: ${urls.join(' , ') || '(none)'}`);
  }

  /** Titles of the open editor tabs. */
  async tabTitles() {
    return this.page.locator('.part.editor .tabs-container .tab').evaluateAll((els) => els.map((e) => (e.getAttribute('aria-label') || e.textContent || '').trim()));
  }

  async closeAllEditors() {
    await this.runCommand('View: Close All Editors').catch(() => {});
    await sleep(500);
  }
}

export function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export { sleep };
