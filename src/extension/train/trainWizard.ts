/**
 * The "Train BUS model" multi-step quick pick: method → training dataset → external datasets →
 * epochs, with Back buttons. What each step offers comes from trainWizardModel (unit-tested).
 */
import * as vscode from 'vscode';
import { openSetting, readDatasets, readTrainSettings } from '../config/settings';
import type { ProviderCatalog } from '../providers/providerCatalog';
import {
  availableDatasets,
  defaultEpochsText,
  externalDatasetItems,
  methodItems,
  MethodChoice,
  nextStep,
  previousStep,
  stepTitle,
  trainDatasetItems,
  validateEpochs,
  WizardAnswers,
  WizardContext,
  WizardItem,
  WizardStep,
} from './trainWizardModel';

const BACK = Symbol('back');
type StepResult<T> = T | typeof BACK | undefined;

const configureDatasetsButton: vscode.QuickInputButton = {
  iconPath: new vscode.ThemeIcon('gear'),
  tooltip: 'Configure datasets (busLab.datasets)',
};

type PickItem<T> = vscode.QuickPickItem & { value: T };

function toPickItems<T>(items: WizardItem<T>[]): PickItem<T>[] {
  return items.map((i) => ({ label: i.label, description: i.description, detail: i.detail, value: i.value, picked: i.picked }));
}

function pick<T>(step: WizardStep, placeholder: string, items: WizardItem<T>[], options: { many: boolean; datasetsButton: boolean }): Promise<StepResult<T[]>> {
  return new Promise((resolve) => {
    const qp = vscode.window.createQuickPick<PickItem<T>>();
    qp.title = stepTitle(step);
    qp.placeholder = placeholder;
    qp.canSelectMany = options.many;
    qp.ignoreFocusOut = true;
    qp.matchOnDescription = true;
    qp.items = toPickItems(items);
    const picked = qp.items.filter((i) => i.picked);
    if (options.many) qp.selectedItems = picked;
    else if (picked[0]) qp.activeItems = [picked[0]];
    qp.buttons = [...(previousStep(step) ? [vscode.QuickInputButtons.Back] : []), ...(options.datasetsButton ? [configureDatasetsButton] : [])];
    let done = false;
    const finish = (value: StepResult<T[]>) => {
      if (done) return;
      done = true;
      resolve(value);
      qp.dispose();
    };
    qp.onDidTriggerButton((button) => {
      if (button === vscode.QuickInputButtons.Back) finish(BACK);
      else {
        void openSetting('busLab.datasets');
        finish(undefined);
      }
    });
    qp.onDidAccept(() => {
      const chosen = options.many ? qp.selectedItems : qp.activeItems.slice(0, 1);
      if (!options.many && chosen.length === 0) return;
      finish(chosen.map((i) => i.value));
    });
    qp.onDidHide(() => finish(undefined));
    qp.show();
  });
}

function askEpochs(step: WizardStep, value: string): Promise<StepResult<number>> {
  return new Promise((resolve) => {
    const box = vscode.window.createInputBox();
    box.title = stepTitle(step);
    box.prompt = 'Number of epochs';
    box.value = value;
    box.ignoreFocusOut = true;
    box.buttons = [vscode.QuickInputButtons.Back];
    let done = false;
    const finish = (v: StepResult<number>) => {
      if (done) return;
      done = true;
      resolve(v);
      box.dispose();
    };
    box.onDidChangeValue((text) => (box.validationMessage = validateEpochs(text)));
    box.onDidTriggerButton(() => finish(BACK));
    box.onDidAccept(() => {
      const problem = validateEpochs(box.value);
      if (problem) box.validationMessage = problem;
      else finish(Number(box.value.trim()));
    });
    box.onDidHide(() => finish(undefined));
    box.show();
  });
}

/** Runs the wizard; the answers, or undefined when the user cancelled. */
export async function runTrainWizard(catalog: ProviderCatalog): Promise<WizardAnswers | undefined> {
  const settings = readTrainSettings();
  const ctx: WizardContext = { defaults: { method: settings.method, epochs: settings.epochs }, datasets: readDatasets(), lossProviders: catalog.list('loss') };
  const { synthetic, ignored } = availableDatasets(ctx);
  const datasetHint = synthetic
    ? `No datasets configured${ignored ? ` (${ignored} malformed entries ignored)` : ''}: built-in synthetic sites. Use the gear to add yours.`
    : '';
  const answers: Partial<WizardAnswers> = {};
  let step: WizardStep | undefined = 'method';
  while (step) {
    let result: StepResult<unknown>;
    switch (step) {
      case 'method': {
        const r = await pick<MethodChoice>(step, 'Method', methodItems(ctx).map((i) => (answers.method ? { ...i, picked: JSON.stringify(i.value) === JSON.stringify(answers.method) } : i)), { many: false, datasetsButton: false });
        if (Array.isArray(r)) answers.method = r[0];
        result = r;
        break;
      }
      case 'train': {
        const r = await pick<string>(step, datasetHint || 'Training dataset', trainDatasetItems(ctx, answers.train), { many: false, datasetsButton: true });
        if (Array.isArray(r)) answers.train = r[0];
        result = r;
        break;
      }
      case 'external': {
        const r = await pick<string>(step, 'External validation datasets (evaluated after training; none is fine)', externalDatasetItems(ctx, answers.train!, answers.external), { many: true, datasetsButton: true });
        if (Array.isArray(r)) answers.external = r;
        result = r;
        break;
      }
      case 'epochs': {
        const r = await askEpochs(step, defaultEpochsText(ctx, answers.epochs));
        if (typeof r === 'number') answers.epochs = r;
        result = r;
        break;
      }
    }
    if (result === undefined) return undefined;
    step = result === BACK ? previousStep(step) : nextStep(step);
  }
  return answers as WizardAnswers;
}
