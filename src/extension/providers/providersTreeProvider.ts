/** The Providers view: every loss and feature provider, built-in or from plugins, with its source. */
import * as vscode from 'vscode';
import type { ProviderKind, ProviderCatalog, RegisteredProvider } from './providerCatalog';
import { providerTooltipMarkdown } from './providerTooltip';

type ProvidersNode = { kind: 'group'; providerKind: ProviderKind } | { kind: 'provider'; provider: RegisteredProvider };

const GROUP_LABELS: Record<ProviderKind, string> = { loss: 'Loss providers', feature: 'Feature providers' };

export class ProvidersTreeProvider implements vscode.TreeDataProvider<ProvidersNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: { dispose(): unknown };

  constructor(private readonly catalog: ProviderCatalog) {
    this.subscription = catalog.onDidChange(() => this.changed.fire());
  }

  getTreeItem(node: ProvidersNode): vscode.TreeItem {
    if (node.kind === 'group') {
      const item = new vscode.TreeItem(GROUP_LABELS[node.providerKind], vscode.TreeItemCollapsibleState.Expanded);
      item.id = `group:${node.providerKind}`;
      item.description = String(this.catalog.list(node.providerKind).length);
      item.iconPath = new vscode.ThemeIcon(node.providerKind === 'loss' ? 'symbol-function' : 'symbol-field');
      return item;
    }
    const p = node.provider;
    const item = new vscode.TreeItem(p.label, vscode.TreeItemCollapsibleState.None);
    item.id = `${p.kind}:${p.id}`;
    item.description = p.source === 'builtin' ? 'built-in' : p.source;
    // Plugin text, escaped; untrusted (no command links) and without HTML.
    const tooltip = new vscode.MarkdownString(providerTooltipMarkdown(p), false);
    tooltip.isTrusted = false;
    tooltip.supportHtml = false;
    item.tooltip = tooltip;
    item.iconPath = new vscode.ThemeIcon(p.origin === 'builtin' ? 'package' : 'extensions');
    item.contextValue = `provider.${p.origin}`;
    return item;
  }

  getChildren(node?: ProvidersNode): ProvidersNode[] {
    if (!node) return [{ kind: 'group', providerKind: 'loss' }, { kind: 'group', providerKind: 'feature' }];
    if (node.kind === 'group') return this.catalog.list(node.providerKind).map((provider) => ({ kind: 'provider', provider }));
    return [];
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

export function createProvidersView(catalog: ProviderCatalog): vscode.Disposable {
  const provider = new ProvidersTreeProvider(catalog);
  const view = vscode.window.createTreeView('busLab.providers', { treeDataProvider: provider });
  return vscode.Disposable.from(provider, view);
}
