/**
 * The decisions of the "Train BUS model" quick-pick flow, without any UI: which items each step
 * offers and which are preselected (from settings), how answers are checked, and the
 * Partial<TrainConfig> the answers make. `trainWizard.ts` only shows these. No `vscode` import.
 *
 * Steps: 1 method → 2 training dataset → 3 external datasets (multi-select) → 4 epochs.
 */
import { BUILTIN_METHODS, BuiltinMethod, TrainConfig } from '../../engine/types';
import type { RegisteredProvider } from '../providers/providerCatalog';

export interface DatasetSetting {
  name: string;
  spec: string;
}

export interface WizardContext {
  /** From `busLab.train.*`. */
  defaults: { method: string; epochs: number };
  /** From `busLab.datasets` (may be empty or hold malformed entries). */
  datasets: readonly unknown[];
  /** Every registered loss provider; the plugin ones are offered as methods. */
  lossProviders: readonly RegisteredProvider[];
}

export type MethodChoice = { kind: 'builtin'; method: BuiltinMethod } | { kind: 'pluginLoss'; providerId: string; label: string };

export interface WizardItem<T> {
  label: string;
  description?: string;
  detail?: string;
  picked?: boolean;
  value: T;
}

export interface WizardAnswers {
  method: MethodChoice;
  train: string;
  external: string[];
  epochs: number;
}

export const WIZARD_STEPS = ['method', 'train', 'external', 'epochs'] as const;
export type WizardStep = (typeof WIZARD_STEPS)[number];

export const SYNTHETIC_DATASETS: readonly DatasetSetting[] = [
  { name: 'Synthetic site A', spec: 'synthetic:site-a' },
  { name: 'Synthetic site B', spec: 'synthetic:site-b' },
  { name: 'Synthetic site C', spec: 'synthetic:site-c' },
];

const METHOD_TEXT: Record<BuiltinMethod, { label: string; detail: string }> = {
  single: { label: 'Single-task U-Net', detail: 'Segmentation only (Dice + BCE)' },
  mtl: { label: 'Multi-task U-Net', detail: 'Segmentation + benign/malignant classification' },
  birads: { label: 'Multi-task + BI-RADS consistency', detail: 'Multi-task with the differentiable BI-RADS consistency loss (λ)' },
};

export function stepTitle(step: WizardStep): string {
  return `Train BUS model (${WIZARD_STEPS.indexOf(step) + 1}/${WIZARD_STEPS.length})`;
}

export function nextStep(step: WizardStep): WizardStep | undefined {
  return WIZARD_STEPS[WIZARD_STEPS.indexOf(step) + 1];
}

export function previousStep(step: WizardStep): WizardStep | undefined {
  const i = WIZARD_STEPS.indexOf(step);
  return i > 0 ? WIZARD_STEPS[i - 1] : undefined;
}

export function methodItems(ctx: WizardContext): WizardItem<MethodChoice>[] {
  const items: WizardItem<MethodChoice>[] = BUILTIN_METHODS.map((method) => ({
    label: METHOD_TEXT[method].label,
    description: method,
    detail: METHOD_TEXT[method].detail,
    picked: ctx.defaults.method === method,
    value: { kind: 'builtin', method },
  }));
  for (const p of ctx.lossProviders) {
    if (p.origin === 'builtin') continue;
    items.push({
      label: `Multi-task + ${p.label}`,
      description: p.id,
      detail: `${p.description ? p.description + ' — ' : ''}plugin loss from ${p.source}`,
      picked: ctx.defaults.method === p.id,
      value: { kind: 'pluginLoss', providerId: p.id, label: p.label },
    });
  }
  if (!items.some((i) => i.picked)) {
    const fallback = items.find((i) => i.value.kind === 'builtin' && i.value.method === 'birads');
    if (fallback) fallback.picked = true;
  }
  return items;
}

function isDatasetSetting(v: unknown): v is DatasetSetting {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return typeof r.name === 'string' && r.name.trim() !== '' && typeof r.spec === 'string' && r.spec.trim() !== '';
}

/** The configured datasets, or the synthetic sites when none is configured. */
export function availableDatasets(ctx: WizardContext): { datasets: DatasetSetting[]; synthetic: boolean; ignored: number } {
  const valid = ctx.datasets.filter(isDatasetSetting).map((d) => ({ name: d.name.trim(), spec: d.spec.trim() }));
  const ignored = ctx.datasets.length - valid.length;
  return valid.length > 0 ? { datasets: valid, synthetic: false, ignored } : { datasets: [...SYNTHETIC_DATASETS], synthetic: true, ignored };
}

export function trainDatasetItems(ctx: WizardContext, previous?: string): WizardItem<string>[] {
  const { datasets } = availableDatasets(ctx);
  return datasets.map((d, i) => ({
    label: d.name,
    description: d.spec,
    picked: previous ? d.spec === previous : i === 0,
    value: d.spec,
  }));
}

/** Every other dataset, all preselected (external validation on everything by default). */
export function externalDatasetItems(ctx: WizardContext, trainSpec: string, previous?: readonly string[]): WizardItem<string>[] {
  const { datasets } = availableDatasets(ctx);
  return datasets
    .filter((d) => d.spec !== trainSpec)
    .map((d) => ({ label: d.name, description: d.spec, picked: previous ? previous.includes(d.spec) : true, value: d.spec }));
}

/** Undefined when `text` is a valid epoch count, else the message to show. */
export function validateEpochs(text: string): string | undefined {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return 'Enter a whole number of epochs, e.g. 30';
  const n = Number(t);
  if (n < 1) return 'At least 1 epoch';
  if (n > 10000) return 'At most 10000 epochs';
  return undefined;
}

export function defaultEpochsText(ctx: WizardContext, previous?: number): string {
  return String(previous ?? ctx.defaults.epochs);
}

/**
 * The run the answers describe; the rest of the config comes from settings. A plugin loss chosen
 * as the method is passed as the method id: the engine trains multi-task plus that loss.
 */
export function answersToConfig(answers: WizardAnswers): Partial<TrainConfig> {
  const method = answers.method.kind === 'builtin' ? answers.method.method : answers.method.providerId;
  return { method, train: answers.train, external: [...answers.external], epochs: answers.epochs };
}

/** Provider ids a config uses (method, extra losses, features): the plugins it needs come from these. */
export function providerIdsOf(config: Pick<TrainConfig, 'method' | 'extraLosses' | 'features'>): string[] {
  const ids = new Set<string>();
  if (!(BUILTIN_METHODS as readonly string[]).includes(config.method)) ids.add(config.method);
  for (const l of config.extraLosses ?? []) ids.add(l.id);
  for (const f of config.features ?? []) ids.add(f);
  return [...ids];
}
