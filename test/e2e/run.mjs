#!/usr/bin/env node
// The end-to-end suite in a real VS Code: code-server 4.100.3 (installed once into a cache folder
// outside the repository) in Chromium driven by playwright-core. Three sessions, each with a
// fresh workspace, code-server and browser profile:
//   api — extension-host tests through extensionTestsPath (test/e2e/smoke/index.js, which also
//         runs dist/test/extension-host.js when built); the result comes back through
//         window.codeAutomationExit;
//   ui  — a normal workbench driven as a user would (test/e2e/ui/steps.mjs), screenshots under
//         test-results/e2e/;
//   vsix — the linux-x64 platform package installed into code-server, with the system's copies of
//         the libraries it ships hidden, trains on its bundled accelerator (test/e2e/vsix/steps.mjs).
// Exit code 0 only when every session passed. Run after `npm run build`:
//   node test/e2e/run.mjs [--only api|ui|vsix] [--keep] [--extension PATH] [--plugin PATH] [--steps FILE]
// (--extension/--plugin/--steps point the harness at other code, to check the harness itself.)
// Environment: BUS_LAB_E2E_CACHE (install folder base), BUS_LAB_E2E_CHROMIUM (a Chromium binary, or
// `npm` for the @sparticuz/chromium one; default: a system Chromium, else the npm one), BUS_LAB_E2E_VERBOSE=1,
// BUS_LAB_E2E_TIMEOUT_S (whole suite, default 840), BUS_LAB_E2E_API_TIMEOUT_S (api session, 420),
// BUS_LAB_E2E_KEEP=1 (keep the session folders).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultInstallDir, ensureCodeServer, hidingFiles } from './lib/code-server.mjs';
import { acquireRunLock } from './lib/lock.mjs';
import { skippedTests } from './lib/report.mjs';
import { resolveChromium } from './lib/browser.mjs';
import { extensionId, readManifest, withSession } from './lib/session.mjs';
import { Workbench } from './lib/workbench.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const argv = process.argv.slice(2);
const arg = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const only = arg('--only');
const keep = argv.includes('--keep') || process.env.BUS_LAB_E2E_KEEP === '1';
const extensionPath = resolve(arg('--extension') ?? repo);
const defaultPlugin = join(repo, 'examples/custom-loss-plugin');
const pluginPath = arg('--plugin') ? resolve(arg('--plugin')) : existsSync(join(defaultPlugin, 'package.json')) ? defaultPlugin : undefined;
const resultsDir = join(repo, 'test-results', 'e2e');
const stepsModule = new URL(`file://${resolve(arg('--steps') ?? join(here, 'ui', 'steps.mjs'))}`).href;
const suiteTimeoutS = Number(process.env.BUS_LAB_E2E_TIMEOUT_S || 840);

const t0 = Date.now();
const stamp = () => `${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s`;
const log = (s) => console.log(`[e2e ${stamp()}] ${s}`);

// Whatever happens (Ctrl+C, a hang), code-server's process group is killed by the 'exit' handler
// that startCodeServer registers; these turn signals and the suite timeout into an exit.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => { log(`${sig}: stopping`); process.exit(130); });

function fail(message) {
  console.error(`[e2e] ${message}`);
  process.exit(1);
}

// --- preconditions -----------------------------------------------------------------------------
const manifest = readManifest(extensionPath);
const mainFile = manifest.main ? resolve(extensionPath, manifest.main) : undefined;
if (mainFile && !existsSync(mainFile)) fail(`${mainFile} does not exist: run \`npm run build\` first`);
const extId = extensionId(manifest);
const plugin = pluginPath ? { path: pluginPath, id: extensionId(readManifest(pluginPath)) } : undefined;
if (plugin) {
  const pm = readManifest(plugin.path);
  if (pm.main && !existsSync(resolve(plugin.path, pm.main))) fail(`${resolve(plugin.path, pm.main)} does not exist: build the example plugin first (npm run build)`);
}

// One run at a time on this machine (shared test-results/, install, CPUs); then the suite's clock.
try {
  await acquireRunLock(join(dirname(defaultInstallDir()), 'e2e-run.lock'), { log });
} catch (e) {
  fail(e.message);
}
const watchdog = setTimeout(() => { log(`suite timeout (${suiteTimeoutS} s): stopping`); process.exit(1); }, suiteTimeoutS * 1000);
watchdog.unref();

// Fresh results for the sessions that run (with --only, the other session's files stay).
if (!only) rmSync(resultsDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });
if (only) for (const f of readdirSync(resultsDir)) if (f.startsWith(`${only}-`) || f.endsWith(`-${only}.log`)) rmSync(join(resultsDir, f), { force: true });
let browser;
try {
  browser = await resolveChromium(dirname(defaultInstallDir()), log);
} catch (e) {
  fail(e.message);
}
log(`extension ${extId} from ${extensionPath}${plugin ? `; plugin ${plugin.id} from ${plugin.path}` : ''}; chromium ${browser.executablePath} (${browser.source})`);

let entry;
try {
  entry = ensureCodeServer({ log: (s) => log(s) });
} catch (e) {
  fail(e.message);
}

const root = mkdtempSync(join(tmpdir(), 'bus-lab-e2e-'));
process.on('exit', () => {
  if (!keep) rmSync(root, { recursive: true, force: true });
});
log(`session folders under ${root}${keep ? ' (kept)' : ''}`);

const baseEnv = {
  BUS_LAB_E2E: '1',
  BUS_LAB_E2E_EXTENSION_ID: extId,
  BUS_LAB_E2E_EXTENSION_PATH: extensionPath,
  BUS_LAB_E2E_PLUGIN_ID: plugin?.id ?? '',
};

function tail(file, n = 40) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-n).join('\n');
  } catch {
    return '(no log)';
  }
}

// --- api: extension-host tests through extensionTestsPath -------------------------------------
async function apiSession() {
  const report = join(root, 'api-report.txt');
  writeFileSync(report, '');
  let resolveExit;
  const exited = new Promise((r) => { resolveExit = r; });
  const timeoutMs = Number(process.env.BUS_LAB_E2E_API_TIMEOUT_S || 420) * 1000;
  return withSession(
    {
      name: 'api', root, entry, browser, extensionPath, extensionTestsPath: join(here, 'smoke', 'index.js'),
      plugins: plugin ? [plugin.path] : [], workspaceSettings: workspaceSettings(), env: { ...baseEnv, BUS_LAB_E2E_REPORT: report },
      logDir: resultsDir, log, onExit: (code) => resolveExit(code),
    },
    async ({ page, server }) => {
      log('api: waiting for the extension-host tests (window.codeAutomationExit)');
      // The tests append their report to a file; show it as it grows.
      let shown = 0;
      const showReport = () => {
        const lines = readFileSync(report, 'utf8').split('\n');
        const complete = lines.slice(0, -1); // the last piece may be a partial line
        for (const line of complete.slice(shown)) if (line) log(`  ${line}`);
        shown = Math.max(shown, complete.length);
      };
      const ticker = setInterval(showReport, 500);
      let timer;
      const code = await Promise.race([exited, new Promise((r) => { timer = setTimeout(() => r('timeout'), timeoutMs); })]);
      clearTimeout(timer);
      clearInterval(ticker);
      showReport();
      if (code === 0) return true;
      const wb = new Workbench(page, { log, shotsDir: resultsDir, prefix: 'api-' });
      await wb.screenshot('failure');
      log(code === 'timeout' ? `api: no result within ${timeoutMs / 1000} s` : `api: extension-host tests exited with code ${code}`);
      log(`code-server log tail:\n${server.logTail(40)}`);
      return false;
    },
  );
}

/** The test workspace's settings: a tiny synthetic training run, runs inside the workspace. */
function workspaceSettings() {
  return {
    'busLab.runsDirectory': 'runs',
    'busLab.train.method': 'birads',
    'busLab.train.epochs': 2,
    'busLab.train.imageSize': 32,
    'busLab.train.batchSize': 4,
    'busLab.train.seed': 7,
    'busLab.datasets': [
      { name: 'Site A', spec: 'synthetic:site-a?count=16' },
      { name: 'Site B', spec: 'synthetic:site-b?count=8' },
      { name: 'Site C', spec: 'synthetic:site-c?count=8' },
    ],
  };
}

// --- ui: a user's session ----------------------------------------------------------------------
/** Runs a step list (ui/steps.mjs format) in a session made with `sessionOptions`. */
async function stepsSession(name, module, sessionOptions, state = {}) {
  const { steps } = await import(module);
  const results = [];
  await withSession(
    { name, root, entry, browser, workspaceSettings: workspaceSettings(), env: baseEnv, logDir: resultsDir, log, ...sessionOptions },
    async ({ page, server, workspace, logFile, extensionsDir }) => {
      const wb = new Workbench(page, { log, shotsDir: resultsDir, prefix: `${name}-` });
      log(`${name}: waiting for the workbench`);
      await wb.ready();
      const ctx = { wb, page, workspace, manifest, extensionPath, plugin, log, state: { ...state, server, extensionsDir }, results };
      await state.afterStart?.(ctx);
      for (const step of steps) {
        const missing = (step.needs ?? []).filter((n) => results.find((r) => r.name === n)?.status !== 'pass');
        const unavailable = step.requires ? step.requires(ctx) : undefined;
        if (unavailable) {
          // Every step's feature ships now: a missing contribution is a regression, not a skip.
          results.push({ name: step.name, status: 'fail', note: unavailable });
          log(`- ${step.name}: FAIL (${unavailable})`);
          continue;
        }
        if (missing.length > 0) {
          results.push({ name: step.name, status: 'fail', note: `needs ${missing.join(', ')}` });
          log(`- ${step.name}: NOT RUN (needs ${missing.join(', ')}, which did not pass)`);
          continue;
        }
        log(`- ${step.name}`);
        const s0 = Date.now();
        try {
          await withTimeout(step.run(ctx), step.timeoutMs ?? 240_000, step.name);
          results.push({ name: step.name, status: 'pass', seconds: (Date.now() - s0) / 1000 });
          log(`  ok ${step.name} (${((Date.now() - s0) / 1000).toFixed(1)} s)`);
        } catch (e) {
          results.push({ name: step.name, status: 'fail', note: e.message.split('\n')[0] });
          log(`  FAIL ${step.name}: ${e.stack ?? e.message}`);
          await wb.screenshot(`FAILED-${step.name}`);
          log(`  code-server log tail (${logFile}):\n${server.logTail(30)}`);
          await wb.closeQuickInput().catch(() => {});
          await page.keyboard.press('Escape').catch(() => {});
        }
      }
    },
  );
  return results;
}

function uiSession() {
  return stepsSession('ui', stepsModule, { extensionPath, plugins: plugin ? [plugin.path] : [] });
}

// --- vsix: the platform package, installed, on its own libraries ---------------------------------
/** The files the system's loader would find for `soname` (ldconfig's cache and the usual folders), resolved. */
function systemCopies(soname) {
  const found = new Set();
  const cache = spawnSync('ldconfig', ['-p'], { encoding: 'utf8' });
  for (const line of (cache.stdout ?? '').split('\n')) {
    const m = /^\s*(\S+)\s.*=>\s*(\S+)\s*$/.exec(line);
    if (m && m[1] === soname && existsSync(m[2])) found.add(realpathSync(m[2]));
  }
  for (const dir of ['/lib', '/usr/lib', '/lib64', '/usr/lib64', '/usr/local/lib', `/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu`, `/usr/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu`]) {
    if (existsSync(join(dir, soname))) found.add(realpathSync(join(dir, soname)));
  }
  return [...found];
}

/**
 * Packages the extension as `npm run package:linux-x64` does (from the built dist/), installs the
 * .vsix into code-server, hides the system's copies of the libraries it ships from code-server's
 * processes, and trains through the UI (vsix/steps.mjs). Skipped, visibly, where the accelerator
 * was not built (no libdnnl-dev): there is nothing to package.
 */
async function vsixSession() {
  const target = `${process.platform}-${process.arch}`;
  if (process.platform !== 'linux') return { skipped: `no platform package for ${target}` };
  if (!existsSync(join(extensionPath, 'dist', 'native', 'bus-lab-accelerator.node'))) {
    return { skipped: 'the native accelerator is not built here (apt-get install libdnnl-dev, then npm run build)' };
  }
  const vsix = join(root, `${manifest.name}-${target}.vsix`);
  // Asynchronously, so that the suite's watchdog can still fire.
  const packaged = await new Promise((resolvePackaged) => {
    const child = spawn(process.execPath, [join(repo, 'scripts', 'package-platform.mjs'), '--target', target, '--out', vsix], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => { stdout += b; });
    child.stderr.on('data', (b) => { stderr += b; });
    process.on('exit', () => child.kill('SIGKILL'));
    child.on('close', (status) => resolvePackaged({ status, stdout, stderr }));
  });
  if (packaged.status !== 0) throw new Error(`package-platform failed (exit ${packaged.status}): ${(packaged.stderr || packaged.stdout).trim().split('\n')[0]}`);
  log(`vsix: ${packaged.stdout.trim()}`);
  let hidden = [];
  const vsixState = {
    // The namespace really hides them: each is a mount point in code-server's mount table.
    afterStart({ state }) {
      if (hidden.length === 0) return;
      const mounts = readFileSync(`/proc/${state.server.pid}/mountinfo`, 'utf8');
      const missing = hidden.filter((f) => !mounts.includes(` ${f} `));
      if (missing.length > 0) throw new Error(`vsix: not hidden from code-server: ${missing.join(', ')}`);
      log(`vsix: code-server's mount table shows all ${hidden.length} hidden`);
    },
  };
  const beforeStart = ({ extensionsDir }) => {
    const installed = readdirSync(extensionsDir).find((d) => d.startsWith(`${extId}-`));
    if (!installed) throw new Error(`the .vsix did not install into ${extensionsDir}`);
    vsixState.installedDir = join(extensionsDir, installed);
    const native = join(vsixState.installedDir, 'dist', 'native');
    const shipped = existsSync(native) ? readdirSync(native).filter((f) => /\.so(\.|$)/.test(f)) : [];
    hidden = [...new Set(shipped.flatMap(systemCopies))];
    if (hidden.length === 0) return {};
    const hiding = hidingFiles(hidden);
    if (hiding.why) {
      log(`vsix: cannot hide the system's ${shipped.join(', ')} (${hiding.why}); the run must still name the bundled oneDNN`);
      hidden = [];
      return {};
    }
    log(`vsix: hiding from code-server: ${hidden.join(', ')}`);
    return { prefix: hiding.prefix };
  };
  const results = await stepsSession('vsix', new URL(`file://${join(here, 'vsix', 'steps.mjs')}`).href, { vsix, beforeStart }, vsixState);
  return { results };
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([promise, new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`${what}: timed out after ${ms / 1000} s`)), ms); })]).finally(() => clearTimeout(timer));
}

// --- main --------------------------------------------------------------------------------------
const summary = [];
let ok = true;
if (!only || only === 'api') {
  const s0 = Date.now();
  try {
    const pass = await apiSession();
    summary.push(`api  ${pass ? 'PASS' : 'FAIL'}  extension-host tests (${((Date.now() - s0) / 1000).toFixed(0)} s)`);
    // A skipped test did not pass: listed, so a PASS never hides it.
    for (const { suite, test } of skippedTests(readFileSync(join(root, 'api-report.txt'), 'utf8'))) summary.push(`api  SKIP  [${suite}] ${test}`);
    ok &&= pass;
  } catch (e) {
    ok = false;
    summary.push(`api  FAIL  ${e.message.split('\n')[0]}`);
    log(`api session error: ${e.stack ?? e.message}`);
  }
}
if (!only || only === 'ui') {
  const s0 = Date.now();
  try {
    const results = await uiSession();
    for (const r of results) summary.push(`ui   ${r.status.toUpperCase().padEnd(4)}  ${r.name}${r.note ? ` — ${r.note}` : ''}`);
    if (results.some((r) => r.status === 'fail')) ok = false;
    summary.push(`ui   session ${((Date.now() - s0) / 1000).toFixed(0)} s`);
  } catch (e) {
    ok = false;
    summary.push(`ui   FAIL  ${e.message.split('\n')[0]}`);
    log(`ui session error: ${e.stack ?? e.message}`);
    log(`code-server log tail:\n${tail(join(resultsDir, 'code-server-ui.log'))}`);
  }
}
if (!only || only === 'vsix') {
  const s0 = Date.now();
  try {
    const { skipped, results = [] } = await vsixSession();
    if (skipped) summary.push(`vsix SKIP  ${skipped}`);
    for (const r of results) summary.push(`vsix ${r.status.toUpperCase().padEnd(4)}  ${r.name}${r.note ? ` — ${r.note}` : ''}`);
    if (results.some((r) => r.status === 'fail')) ok = false;
    if (!skipped) summary.push(`vsix session ${((Date.now() - s0) / 1000).toFixed(0)} s`);
  } catch (e) {
    ok = false;
    summary.push(`vsix FAIL  ${e.message.split('\n')[0]}`);
    log(`vsix session error: ${e.stack ?? e.message}`);
    log(`code-server log tail:\n${tail(join(resultsDir, 'code-server-vsix.log'))}`);
  }
}
log(`summary (${((Date.now() - t0) / 1000).toFixed(0)} s; screenshots and logs in ${resultsDir}):`);
for (const line of summary) console.log(`  ${line}`);
console.log(ok ? '[e2e] PASS' : '[e2e] FAIL');
process.exit(ok ? 0 : 1);
