// Installs and starts code-server 4.100.3 (VS Code 1.100.3 with a real Node extension host), the
// recipe in ../shared/guide/vscode-e2e.md: npm pack, install without scripts (the normal
// postinstall downloads ripgrep and runs `npx node-gyp`, both fail offline), rebuild the native
// modules it needs with the node-gyp that ships with npm. Installed once into a cache folder outside
// the repository; a marker file written last says the install is complete.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync, createWriteStream, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export const CODE_SERVER_VERSION = '4.100.3';
const MARKER = '.bus-lab-install-complete';

export function defaultInstallDir() {
  const base = process.env.BUS_LAB_E2E_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'bus-lab');
  return join(base, `code-server-${CODE_SERVER_VERSION}`);
}

/** The environment for npm children: none of the npm_* variables of an `npm test` parent (an
 * inherited npm_config_ignore_scripts or npm_config_omit would change what rebuild does). */
function cleanEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  env.npm_config_update_notifier = 'false';
  env.npm_config_fund = 'false';
  env.npm_config_audit = 'false';
  // Node's own headers, so node-gyp never tries to download them (no internet besides npm).
  const prefix = dirname(dirname(process.execPath));
  if (!env.npm_config_nodedir && existsSync(join(prefix, 'include/node/node.h'))) env.npm_config_nodedir = prefix;
  return env;
}

function npmCli() {
  const candidates = [];
  if (process.env.npm_execpath) candidates.push(process.env.npm_execpath);
  candidates.push(join(dirname(process.execPath), '../lib/node_modules/npm/bin/npm-cli.js'));
  const which = spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) {
    try { candidates.push(join(dirname(realpathSync(which.stdout.trim())), 'npm-cli.js')); } catch { /* ignore */ }
  }
  for (const c of candidates) if (c.endsWith('npm-cli.js') && existsSync(c)) return c;
  throw new Error('cannot find npm-cli.js (npm is needed to install code-server)');
}

function nodeGyp(npmCliPath) {
  const p = join(dirname(npmCliPath), '../node_modules/node-gyp/bin/node-gyp.js');
  if (!existsSync(p)) throw new Error(`npm's bundled node-gyp not found at ${p}`);
  return p;
}

function step(log, title, cmd, args, cwd) {
  const t0 = Date.now();
  log(`  $ ${[cmd === process.execPath ? 'node' : cmd, ...args].join(' ')}   (in ${cwd})`);
  const r = spawnSync(cmd, args, { cwd, env: cleanEnv(), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) {
    const out = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.trim().split('\n').slice(-40).join('\n');
    throw new Error(`code-server install: ${title} failed (exit ${r.status}${r.error ? `, ${r.error.message}` : ''})\n${out}`);
  }
  log(`    ok ${title} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return r.stdout;
}

export function isInstalled(dir = defaultInstallDir()) {
  try {
    const m = JSON.parse(readFileSync(join(dir, MARKER), 'utf8'));
    return m.version === CODE_SERVER_VERSION && m.node === process.versions.modules && existsSync(join(dir, 'package/out/node/entry.js'));
  } catch {
    return false;
  }
}

/** Installs code-server into `dir` unless it is already complete there. Returns the entry.js path. */
export function ensureCodeServer({ dir = defaultInstallDir(), log = console.log } = {}) {
  const entry = join(dir, 'package/out/node/entry.js');
  if (isInstalled(dir)) return entry;
  const t0 = Date.now();
  log(`Installing code-server ${CODE_SERVER_VERSION} into ${dir} (once; a few minutes)...`);
  const npm = npmCli();
  const gyp = nodeGyp(npm);
  const tools = ['make', 'g++', 'python3'].filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
  if (tools.length > 0) {
    throw new Error(`code-server's native modules are rebuilt with node-gyp, which needs ${tools.join(', ')}: apt-get install -y make g++ python3 (.ci/run does this)`);
  }
  mkdirSync(dirname(dir), { recursive: true });
  // Build in a sibling folder, then rename: a killed install never leaves a half folder at `dir`.
  const work = `${dir}.partial-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    step(log, 'npm pack', process.execPath, [npm, 'pack', `code-server@${CODE_SERVER_VERSION}`, '--pack-destination', work, '--silent'], work);
    const tgz = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new Error('npm pack produced no tarball');
    step(log, 'unpack', 'tar', ['xzf', tgz], work);
    rmSync(join(work, tgz));
    const pkg = join(work, 'package');
    const vscode = join(pkg, 'lib/vscode');
    const install = ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'];
    step(log, 'npm install (code-server)', process.execPath, [npm, ...install], pkg);
    step(log, 'npm install (lib/vscode)', process.execPath, [npm, ...install], vscode);
    step(log, 'npm install (lib/vscode/extensions)', process.execPath, [npm, ...install], join(vscode, 'extensions'));
    // `npm rebuild` runs the packages' install scripts (explicitly not ignored).
    step(log, 'rebuild argon2', process.execPath, [npm, 'rebuild', '--ignore-scripts=false', 'argon2'], pkg);
    step(log, 'rebuild watcher/spdlog/watchdog', process.execPath, [npm, 'rebuild', '--ignore-scripts=false', '@parcel/watcher', '@vscode/spdlog', 'native-watchdog'], vscode);
    step(log, 'node-gyp rebuild node-pty', process.execPath, [gyp, 'rebuild'], join(vscode, 'node_modules/node-pty'));
    // What code-server's own postinstall does besides installing: VS Code and extensions look for
    // files under node_modules.asar.
    const asar = join(vscode, 'node_modules.asar');
    if (!existsSync(asar)) symlinkSync('node_modules', asar);
    for (const native of [
      join(pkg, 'node_modules/argon2'),
      join(vscode, 'node_modules/@vscode/spdlog/build/Release'),
      join(vscode, 'node_modules/native-watchdog/build/Release'),
      join(vscode, 'node_modules/node-pty/build/Release/pty.node'),
    ]) if (!existsSync(native)) throw new Error(`code-server install: ${native} missing after rebuild`);
    writeFileSync(join(work, MARKER), JSON.stringify({ version: CODE_SERVER_VERSION, node: process.versions.modules, installedAt: new Date().toISOString() }) + '\n');
    rmSync(dir, { recursive: true, force: true });
    renameSync(work, dir);
  } catch (e) {
    rmSync(work, { recursive: true, force: true });
    throw e;
  }
  log(`code-server installed in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return entry;
}

function httpGet(url) {
  const req = request(url, (res) => res.resume());
  req.on('error', () => {});
  req.setTimeout(30_000, () => req.destroy());
  req.end();
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Installs a .vsix into `extensionsDir` with code-server's own CLI (as a user's "Install from VSIX"). */
export function installVsix({ entry, vsix, userDataDir, extensionsDir, log = console.log }) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [entry, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', vsix], { env: cleanEnv(), encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`code-server --install-extension ${vsix} failed (exit ${r.status}): ${`${r.stderr}\n${r.stdout}`.trim().split('\n').slice(-5).join(' | ')}`);
  log(`  installed ${vsix} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

/**
 * How to run a command with `files` hidden (a bind mount of /dev/null over each, in a private
 * mount namespace of its own: nothing outside it sees a change). Returns { prefix } to put before
 * the command, or { why } when this machine allows no mount namespace (unshare needs root, or
 * unprivileged user namespaces).
 */
export function hidingFiles(files) {
  const flags = process.getuid?.() === 0 ? ['-m'] : ['-r', '-m'];
  const probe = spawnSync('unshare', [...flags, '--propagation', 'private', 'true'], { encoding: 'utf8' });
  if (probe.status !== 0) return { why: `unshare ${flags.join(' ')} failed: ${(probe.stderr || probe.error?.message || '').trim().split('\n')[0]}` };
  const script = 'set -e; while [ "$1" != "--" ]; do mount --bind /dev/null "$1"; shift; done; shift; exec "$@"';
  return { prefix: ['unshare', ...flags, '--propagation', 'private', 'sh', '-c', script, 'hide', ...files, '--'] };
}

/**
 * Starts code-server on 127.0.0.1:<free port> with fresh user-data and extensions folders, in its
 * own process group. Resolves once "Extension host agent started" appears in its output.
 * `prefix` (from hidingFiles) runs it inside another command. Returns { url, port, pid, stop(), logTail(n) }.
 */
export async function startCodeServer({ entry, userDataDir, extensionsDir, logFile, env: extraEnv = {}, prefix = [], log = console.log, timeoutMs = 90_000 }) {
  const port = await freePort();
  mkdirSync(userDataDir, { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  const args = [
    entry, '--config', join(userDataDir, 'code-server-config.yaml'), '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    '--log', 'info',
  ];
  const env = { ...cleanEnv(), ...extraEnv };
  for (const k of Object.keys(env)) if (k.startsWith('VSCODE_')) delete env[k]; // not a terminal inside another VS Code
  // With a prefix, unshare and sh exec into node: the same process, still the group's leader.
  const [command, ...commandArgs] = [...prefix, process.execPath, ...args];
  const child = spawn(command, commandArgs, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = logFile ? createWriteStream(logFile) : null;
  let text = '';
  const onData = (b) => {
    const s = b.toString();
    text += s;
    if (text.length > 2_000_000) text = text.slice(-1_000_000);
    out?.write(s);
    if (process.env.BUS_LAB_E2E_VERBOSE) process.stdout.write(`[code-server] ${s}`);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let exited = null;
  const exitP = new Promise((r) => child.on('exit', (code, sig) => { exited = { code, sig }; r(); }));

  // If this process dies without running its exit handlers (SIGKILL), a small detached reaper
  // kills code-server's process group once our pid is gone.
  const reaper = spawn('sh', ['-c', `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${child.pid} 2>/dev/null; do sleep 2; done; kill -KILL -${child.pid} 2>/dev/null; exit 0`], { detached: true, stdio: 'ignore' });
  reaper.unref();
  const kill = (sig) => {
    try { process.kill(-child.pid, sig); } catch { /* gone */ }
  };
  const onProcessExit = () => kill('SIGKILL');
  process.on('exit', onProcessExit);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (exited === null) {
      kill('SIGTERM');
      await Promise.race([exitP, new Promise((r) => setTimeout(r, 5000))]);
    }
    kill('SIGKILL'); // the whole group: extension host, file watcher, pty host
    process.off('exit', onProcessExit);
    await new Promise((r) => (out ? out.end(r) : r()));
  };
  const logTail = (n = 60) => text.split('\n').slice(-n).join('\n');

  const t0 = Date.now();
  const waitFor = async (needle, poke) => {
    let lastPoke = 0;
    while (!text.includes(needle)) {
      if (exited) throw new Error(`code-server exited early (code ${exited.code}, signal ${exited.sig})\n${logTail()}`);
      if (Date.now() - t0 > timeoutMs) throw new Error(`code-server: no "${needle}" within ${timeoutMs / 1000} s\n${logTail()}`);
      if (poke && Date.now() - lastPoke > 5000) {
        lastPoke = Date.now();
        poke();
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  try {
    await waitFor('HTTP server listening on');
    // code-server loads VS Code's server on the first request for the workbench; its
    // "Extension host agent started" line means the server side is ready for a browser.
    await waitFor('Extension host agent started', () => httpGet(`http://127.0.0.1:${port}/`));
  } catch (e) {
    await stop();
    throw e;
  }
  log(`code-server ${CODE_SERVER_VERSION} listening on http://127.0.0.1:${port} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return { url: `http://127.0.0.1:${port}`, port, pid: child.pid, stop, logTail };
}
