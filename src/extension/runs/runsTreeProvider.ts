/** The Runs view: turns the RunsTreeModel nodes into TreeItems and refreshes with the repository. */
import * as vscode from 'vscode';
import type { RunsRepository } from './runsRepository';
import { childrenOf, RunsTreeNode } from './runsTreeModel';

export class RunsTreeProvider implements vscode.TreeDataProvider<RunsTreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunsTreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: { dispose(): unknown };

  constructor(private readonly repository: RunsRepository) {
    this.subscription = repository.onDidChange(() => this.changed.fire(undefined));
  }

  getTreeItem(node: RunsTreeNode): vscode.TreeItem {
    const item = new vscode.TreeItem(node.label, node.collapsible ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = node.key;
    item.description = node.description;
    item.tooltip = node.tooltip;
    item.contextValue = node.contextValue;
    if (node.icon) item.iconPath = new vscode.ThemeIcon(node.icon.id, node.icon.color ? new vscode.ThemeColor(node.icon.color) : undefined);
    if (node.kind === 'run') item.resourceUri = vscode.Uri.file(node.run.dir);
    if (node.kind === 'dataset') {
      item.command = { command: 'busLab.openMaskGallery', title: 'Open Mask Gallery', arguments: [node] };
    }
    return item;
  }

  async getChildren(node?: RunsTreeNode): Promise<RunsTreeNode[]> {
    if (!node && this.repository.runs.length === 0) await this.repository.refresh();
    return childrenOf(this.repository.runs, node);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** Creates the Runs view; its message reports run folders that could not be read. */
export function createRunsView(repository: RunsRepository): vscode.Disposable {
  const provider = new RunsTreeProvider(repository);
  const view = vscode.window.createTreeView('busLab.runs', { treeDataProvider: provider, canSelectMany: true, showCollapseAll: true });
  const updateMessage = () => {
    const n = repository.problems.length;
    view.message = n > 0 ? `${n} run folder${n > 1 ? 's' : ''} could not be read (see the BUS Lab log).` : undefined;
  };
  const subscription = repository.onDidChange(updateMessage);
  return vscode.Disposable.from(provider, view, { dispose: () => subscription.dispose() });
}
