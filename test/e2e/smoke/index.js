// The extensionTestsPath module the harness loads into the extension host (CommonJS, plain JS so
// it needs no build). It runs the harness's own smoke checks (our extension is present and
// activates, its declared commands are registered, the example plugin is loaded beside it), then the
// extension engineer's API tests from dist/test/extension-host.js when that bundle exists.
// run() rejecting means failure; the workbench reports it through window.codeAutomationExit.
'use strict';
const vscode = require('vscode');
const path = require('path');
const fs = require('fs');

const EXTENSION_ID = process.env.BUS_LAB_E2E_EXTENSION_ID || 'bus-lab.bus-lab';
const PLUGIN_ID = process.env.BUS_LAB_E2E_PLUGIN_ID || '';
const DEV_PATH = process.env.BUS_LAB_E2E_EXTENSION_PATH || path.join(__dirname, '..', '..', '..');
// The harness sets a file for the report: the extension host's console is not always forwarded.
const REPORT = process.env.BUS_LAB_E2E_REPORT || '';

function report(line) {
  console.log(line);
  if (REPORT) {
    try { fs.appendFileSync(REPORT, line + '\n'); } catch { /* the console has it */ }
  }
}

/** Thrown by skip(): reported as SKIP (and listed in run.mjs's summary), never as ok. */
class SkipTest extends Error {}
function skip(reason) {
  throw new SkipTest(reason);
}

function assert(cond, message) {
  if (!cond) throw new Error(`assertion failed: ${message}`);
}

async function withTimeout(promise, ms, what) {
  let timer;
  try {
    return await Promise.race([promise, new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`${what}: timed out after ${ms / 1000} s`)), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

const smoke = [
  ['the extension under test is present', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert(ext, `vscode.extensions.getExtension('${EXTENSION_ID}') is undefined; loaded: ${vscode.extensions.all.filter((e) => !e.id.startsWith('vscode.')).map((e) => e.id).join(', ')}`);
  }],
  ['it activates', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    await withTimeout(Promise.resolve(ext.activate()), 60_000, 'activate');
    assert(ext.isActive, 'extension is not active after activate()');
  }],
  ['every command it declares is registered', async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(DEV_PATH, 'package.json'), 'utf8'));
    const declared = ((manifest.contributes && manifest.contributes.commands) || []).map((c) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = declared.filter((c) => !registered.has(c));
    assert(missing.length === 0, `declared in package.json but not registered: ${missing.join(', ')}`);
  }],
  ['the example plugin extension is loaded beside it', async () => {
    if (!PLUGIN_ID) skip('no example plugin');
    const plugin = vscode.extensions.getExtension(PLUGIN_ID);
    assert(plugin, `example plugin ${PLUGIN_ID} is not loaded`);
    await withTimeout(Promise.resolve(plugin.activate()), 60_000, 'activate plugin');
  }],
];

module.exports.run = async function run() {
  const failures = [];
  report(`[smoke] extension-host smoke tests (${EXTENSION_ID}), VS Code ${vscode.version}`);
  for (const [name, fn] of smoke) {
    try {
      const note = await fn();
      report(`[smoke]   ok  ${name}${note ? ` — ${note}` : ''}`);
    } catch (e) {
      if (e instanceof SkipTest) {
        report(`[smoke]   SKIP ${name} — ${e.message}`);
        continue;
      }
      failures.push(name);
      report(`[smoke]   FAIL ${name}: ${e && e.stack ? e.stack : e}`);
    }
  }
  const bundle = path.join(DEV_PATH, 'dist', 'test', 'extension-host.js');
  if (fs.existsSync(bundle)) {
    report(`[smoke] running ${bundle}`);
    try {
      const mod = require(bundle);
      if (typeof mod.run !== 'function') throw new Error(`${bundle} exports no run()`);
      await mod.run();
      report('[smoke]   ok  extension-host API tests');
    } catch (e) {
      failures.push('extension-host API tests');
      report(`[smoke]   FAIL extension-host API tests: ${e && e.stack ? e.stack : e}`);
    }
  } else {
    report(`[smoke]   SKIP extension-host API tests — no ${path.relative(DEV_PATH, bundle)} (npm run build)`);
  }
  if (failures.length > 0) throw new Error(`${failures.length} extension-host test(s) failed: ${failures.join('; ')}`);
};
