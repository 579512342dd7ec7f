// One test session: a fresh test workspace, a fresh code-server (own user-data and extensions
// folders) and a fresh Chromium profile, torn down whatever happens.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installVsix, startCodeServer } from './code-server.mjs';
import { openWorkbench, workbenchUrl } from './browser.mjs';

/** User settings that keep the workbench quiet and predictable for tests. */
const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'chat.commandCenter.enabled': false,
  'chat.disableAIFeatures': true,
  'notebook.experimental.generate': false,
  'files.simpleDialog.enable': true,
  'window.commandCenter': false,
};

export function readManifest(dir) {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
}

export function extensionId(manifest) {
  return `${manifest.publisher}.${manifest.name}`.toLowerCase();
}

/**
 * Installs an extension folder into an extensions folder the way VS Code lays it out
 * (<publisher>.<name>-<version>); code-server's workbench payload takes one
 * extensionDevelopmentPath only, so a second extension goes in as an installed one.
 */
export function installExtensionFolder(src, extensionsDir) {
  const m = readManifest(src);
  const dest = join(extensionsDir, `${extensionId(m)}-${m.version}`);
  cpSync(src, dest, { recursive: true, dereference: true, filter: (p) => !/[\\/]\.git$/.test(p) });
  return dest;
}

/**
 * Runs `body({ page, workbench URL, paths, codeServer })` inside a fresh session and always tears
 * it down. Options: name, root (temp folder for the session), entry (code-server), browser (from
 * resolveChromium), extensionPath (loaded as the development extension; omit it to test installed ones),
 * vsix (a package to install first), beforeStart({ extensionsDir }) (after the installs; may return
 * { prefix }, a command that code-server runs inside, see hidingFiles),
 * extensionTestsPath, plugins (extension folders to install), workspaceSettings, env, logDir, log,
 * onExit (window.codeAutomationExit).
 */
export async function withSession(opts, body) {
  const { name, root, entry, browser: browserChoice, extensionPath, extensionTestsPath, plugins = [], vsix, beforeStart, workspaceSettings = {}, env = {}, logDir, log = console.log, onExit } = opts;
  const dir = join(root, name);
  const workspace = join(dir, 'workspace');
  const userDataDir = join(dir, 'user-data');
  const extensionsDir = join(dir, 'extensions');
  const profileDir = join(dir, 'chromium-profile');
  mkdirSync(join(workspace, '.vscode'), { recursive: true });
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });
  writeFileSync(join(workspace, '.vscode', 'settings.json'), JSON.stringify(workspaceSettings, null, 2) + '\n');
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2) + '\n');
  for (const p of plugins) log(`  installed ${p} -> ${installExtensionFolder(p, extensionsDir)}`);
  if (vsix) installVsix({ entry, vsix, userDataDir, extensionsDir, log });
  const { prefix = [] } = (await beforeStart?.({ extensionsDir })) ?? {};

  const logFile = join(logDir, `code-server-${name}.log`);
  let server;
  let browser;
  try {
    server = await startCodeServer({ entry, userDataDir, extensionsDir, logFile, env, prefix, log });
    const target = workbenchUrl({ url: server.url, port: server.port, folder: workspace, extensionDevelopmentPath: extensionPath, extensionTestsPath });
    browser = await openWorkbench({ target, browser: browserChoice, profileDir, logDir, name, onExit, log });
    return await body({ page: browser.page, server, workspace, dir, extensionsDir, logFile, consoleLogPath: browser.consoleLogPath });
  } finally {
    await browser?.close();
    await server?.stop();
  }
}
