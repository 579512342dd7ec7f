/** The @vscode-elements components the panels use (and only those, to keep bundles small). */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { VscodeCheckbox } from '@vscode-elements/elements/dist/vscode-checkbox/vscode-checkbox.js';
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js';
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/vscode-textfield.js';
import { h } from './dom';

export type { VscodeCheckbox, VscodeSingleSelect, VscodeTextfield };

/** A labelled single-select; `onChange` gets the chosen value. */
export function select(
  testid: string,
  label: string,
  options: { value: string; label: string }[],
  value: string,
  onChange: (value: string) => void,
): { root: HTMLElement; el: VscodeSingleSelect } {
  const id = `sel-${testid}`;
  const el = h('vscode-single-select', { id, 'data-testid': testid, 'aria-label': label }) as unknown as VscodeSingleSelect;
  for (const o of options) (el as unknown as HTMLElement).append(h('vscode-option', { value: o.value, selected: o.value === value }, o.label));
  el.value = value;
  (el as unknown as HTMLElement).addEventListener('change', () => onChange(el.value));
  const root = h('div', { class: 'field' }, h('label', { for: id }, label), el as unknown as HTMLElement);
  return { root, el };
}

export function checkbox(testid: string, label: string, checked: boolean, onChange: (checked: boolean) => void, attrs: Record<string, string> = {}): VscodeCheckbox {
  const el = h('vscode-checkbox', { 'data-testid': testid, label, checked, ...attrs }) as unknown as VscodeCheckbox;
  el.checked = checked;
  (el as unknown as HTMLElement).addEventListener('change', () => onChange(el.checked));
  return el;
}

export function button(testid: string, label: string, onClick: () => void, opts: { secondary?: boolean; title?: string } = {}): HTMLElement {
  const el = h('vscode-button', { 'data-testid': testid, secondary: opts.secondary ?? false, title: opts.title }, label);
  el.addEventListener('click', onClick);
  return el;
}
