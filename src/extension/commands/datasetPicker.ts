/** Quick picks of dataset specs: the configured datasets (or the synthetic sites) plus "Enter a dataset spec…". */
import * as vscode from 'vscode';
import { checkDatasetSpec } from '../config/settingPaths';
import { readDatasets, workspaceFolderPaths } from '../config/settings';
import { availableDatasets } from '../train/trainWizardModel';

const ENTER_SPEC = Symbol('enter');
type Item = vscode.QuickPickItem & { spec: string | typeof ENTER_SPEC };

async function askSpec(): Promise<string | undefined> {
  const text = await vscode.window.showInputBox({
    title: 'Dataset spec',
    prompt: 'kind:path, e.g. busi:/data/Dataset_BUSI_with_GT, folder:./images, synthetic:site-b',
    ignoreFocusOut: true,
    validateInput: (value) => {
      const checked = checkDatasetSpec(value, workspaceFolderPaths());
      return checked.ok ? undefined : checked.reason;
    },
  });
  if (!text) return undefined;
  const checked = checkDatasetSpec(text, workspaceFolderPaths());
  return checked.ok ? checked.spec : undefined;
}

function items(exclude: readonly string[]): Item[] {
  const { datasets, synthetic } = availableDatasets({ defaults: { method: '', epochs: 1 }, datasets: readDatasets(), lossProviders: [] });
  return [
    ...datasets.filter((d) => !exclude.includes(d.spec)).map((d): Item => ({ label: d.name, description: d.spec, detail: synthetic ? 'built-in synthetic site' : undefined, spec: d.spec })),
    { label: '$(edit) Enter a dataset spec…', spec: ENTER_SPEC, alwaysShow: true },
  ];
}

/** Checks a picked spec (paths exist, made absolute); shows why not and returns undefined. */
function checked(spec: string): string | undefined {
  const result = checkDatasetSpec(spec, workspaceFolderPaths());
  if (result.ok) return result.spec;
  void vscode.window.showErrorMessage(result.reason, 'Open Settings').then((p) => {
    if (p) void vscode.commands.executeCommand('workbench.action.openSettings', 'busLab.datasets');
  });
  return undefined;
}

export async function pickDatasetSpec(title: string): Promise<string | undefined> {
  const picked = await vscode.window.showQuickPick(items([]), { title, placeHolder: 'Dataset', matchOnDescription: true });
  if (!picked) return undefined;
  return picked.spec === ENTER_SPEC ? askSpec() : checked(picked.spec);
}

export async function pickDatasetSpecs(title: string, exclude: readonly string[] = []): Promise<string[] | undefined> {
  const picked = await vscode.window.showQuickPick(items(exclude), { title, placeHolder: 'Datasets', canPickMany: true, matchOnDescription: true });
  if (!picked || picked.length === 0) return undefined;
  const specs: string[] = [];
  for (const p of picked) {
    const spec = p.spec === ENTER_SPEC ? await askSpec() : checked(p.spec);
    if (!spec) return undefined;
    specs.push(spec);
  }
  return specs;
}
