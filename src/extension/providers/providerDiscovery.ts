/**
 * Keeps the provider catalog in step with what is installed and configured: declarations in
 * extensions' package.json (`contributes.busLab`, read through vscode.extensions.all, so they are
 * known before those extensions activate) and the `busLab.plugins` setting. Problems go to the log.
 */
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { readPluginsSetting, workspaceFolderPaths } from '../config/settings';
import type { Log } from '../outputLog';
import type { ProviderCatalog } from './providerCatalog';
import { readContributedProviders, readSettingsProviders } from './providerSources';

export function isInstalledExtension(id: string): boolean {
  return vscode.extensions.getExtension(id) !== undefined;
}

export function moduleExists(path: string): boolean {
  return existsSync(path);
}

export function discoverProviders(catalog: ProviderCatalog, log: Log): vscode.Disposable {
  const readContributions = () => {
    const { providers, problems } = readContributedProviders(
      vscode.extensions.all.map((e) => ({ id: e.id, extensionPath: e.extensionPath, packageJSON: e.packageJSON })),
      { moduleExists },
    );
    for (const p of problems) log.warn(`Provider declaration ignored: ${p}`);
    catalog.setContributed(providers);
  };
  const readSettings = () => {
    const { providers, problems } = readSettingsProviders(readPluginsSetting(), workspaceFolderPaths());
    for (const p of problems) log.warn(`Provider setting ignored: ${p}`);
    catalog.setFromSettings(providers);
  };
  readContributions();
  readSettings();
  return vscode.Disposable.from(
    vscode.extensions.onDidChange(readContributions),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('busLab.plugins')) readSettings();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(readSettings),
  );
}
