// Debian's Chromium driven by playwright-core (its own browser download does not work on these
// machines), opening code-server's workbench with the URL payload that VS Code's browser
// integration tests use (microsoft/vscode test/integration/browser).
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { URLSearchParams } from 'node:url';

export const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

export function findChromium() {
  const override = process.env.BUS_LAB_E2E_CHROMIUM;
  if (override) {
    if (!existsSync(override)) throw new Error(`BUS_LAB_E2E_CHROMIUM=${override} does not exist`);
    return override;
  }
  const found = CHROMIUM_CANDIDATES.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      'Chromium is not installed: the end-to-end tests drive Debian\'s chromium through playwright-core\n' +
        '(`npx playwright install` cannot download a browser here). Install it with:\n' +
        '    apt-get update && apt-get install -y chromium\n' +
        '(.ci/run does this), or point BUS_LAB_E2E_CHROMIUM at a Chromium binary.',
    );
  }
  return found;
}

/** `vscode-remote://127.0.0.1:PORT/abs/path` — how the browser workbench names server files. */
export function remoteUri(port, absPath) {
  return `vscode-remote://127.0.0.1:${port}${absPath.split('/').map(encodeURIComponent).join('/')}`;
}

export function workbenchUrl({ url, port, folder, extensionDevelopmentPath, extensionTestsPath }) {
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remoteUri(port, extensionDevelopmentPath)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', remoteUri(port, extensionTestsPath)]);
  // Skip the welcome page and the release notes so the editor area stays predictable.
  payload.push(['skipWelcome', 'true']);
  payload.push(['skipReleaseNotes', 'true']);
  const q = new URLSearchParams();
  if (folder) q.set('folder', remoteUri(port, folder));
  q.set('payload', JSON.stringify(payload));
  return `${url}/?${q.toString()}`;
}

/**
 * Launches Chromium with a fresh profile and opens the workbench. `onExit(code)` receives
 * window.codeAutomationExit calls (the result of extensionTestsPath tests).
 * Returns { context, page, close(), consoleLogPath }.
 */
export async function openWorkbench({ target, profileDir, logDir, name, onExit, log = console.log, viewport = { width: 1600, height: 1000 } }) {
  const { chromium } = await import('playwright-core');
  const executablePath = findChromium();
  mkdirSync(profileDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath,
    headless: true,
    viewport,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-dev-shm-usage',
    ],
  });
  const consoleLogPath = join(logDir, `browser-${name}.log`);
  const consoleLog = createWriteStream(consoleLogPath);
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (m) => consoleLog.write(`[${m.type()}] ${m.text()}\n`));
  page.on('pageerror', (e) => consoleLog.write(`[pageerror] ${e.stack ?? e.message}\n`));
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const text = (Array.isArray(args) ? args : [args]).map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
    consoleLog.write(`[ext-host ${type}] ${text}\n`);
    if (process.env.BUS_LAB_E2E_VERBOSE) log(`  [ext-host] ${text}`);
  });
  await page.exposeFunction('codeAutomationExit', (code) => onExit?.(code));
  await page.goto(target, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await context.close().catch(() => {});
    await new Promise((r) => consoleLog.end(r));
  };
  return { context, page, close, consoleLogPath };
}
