// Chromium driven by playwright-core (its own browser download does not work on these machines),
// opening code-server's workbench with the URL payload that VS Code's browser integration tests use
// (microsoft/vscode test/integration/browser).
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { URLSearchParams } from 'node:url';
import { npmChromium } from './npm-chromium.mjs';

export const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/**
 * The browser to drive: BUS_LAB_E2E_CHROMIUM (a binary, or `npm` for the npm one), else a system
 * Chromium, else the one in the @sparticuz/chromium devDependency (unpacked once under
 * `cacheBase`). Returns { executablePath, env (extra variables for the browser), source }.
 */
export async function resolveChromium(cacheBase, log = () => {}) {
  const override = process.env.BUS_LAB_E2E_CHROMIUM;
  if (override && override !== 'npm') {
    if (!existsSync(override)) throw new Error(`BUS_LAB_E2E_CHROMIUM=${override} does not exist (give a Chromium binary, or npm for the npm package's browser)`);
    return { executablePath: override, env: {}, source: 'BUS_LAB_E2E_CHROMIUM' };
  }
  const system = override === 'npm' ? undefined : CHROMIUM_CANDIDATES.find((p) => existsSync(p));
  if (system) return { executablePath: system, env: {}, source: 'system' };
  const npm = await npmChromium(cacheBase, log);
  return { executablePath: npm.executablePath, env: npm.env, source: `@sparticuz/chromium ${npm.version}` };
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
 * Launches `browser` (from resolveChromium) with a fresh profile and opens the workbench. `onExit(code)` receives
 * window.codeAutomationExit calls (the result of extensionTestsPath tests).
 * Returns { context, page, close(), consoleLogPath }.
 */
export async function openWorkbench({ target, browser, profileDir, logDir, name, onExit, log = console.log, viewport = { width: 1600, height: 1000 } }) {
  const { chromium } = await import('playwright-core');
  mkdirSync(profileDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });
  // The same flags for every browser source (the npm package's own `args` are tuned for serverless
  // functions: single process, web security off; the tests want a browser as a user has it).
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: browser.executablePath,
    env: { ...process.env, ...browser.env },
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
