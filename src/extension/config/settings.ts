/**
 * Reads the `busLab.*` settings, checking every path before use. In an untrusted workspace the
 * settings that can run code or move files (plugins, native modules folder, runs folder) are
 * read from user settings only, whatever the workspace says.
 */
import * as vscode from 'vscode';
import { BACKEND_CHOICES, BackendChoice } from '../../engine/types';
import { DEFAULT_TRAIN_SETTINGS, TrainSettings } from '../train/trainConfigDefaults';
import { checkSettingPath } from './settingPaths';

export const SECTION = 'busLab';

/** Settings that a workspace may not set in Restricted Mode (also listed in package.json). */
export const RESTRICTED_SETTINGS = ['runsDirectory', 'engine.nativeModulesPath', 'engine.accelerator', 'plugins'] as const;

export function workspaceFolderPaths(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
}

/** A setting's value, ignoring workspace values of restricted settings when the workspace is untrusted. */
export function readSetting<T>(key: string): T | undefined {
  const config = vscode.workspace.getConfiguration(SECTION);
  if (!vscode.workspace.isTrusted && (RESTRICTED_SETTINGS as readonly string[]).includes(key)) {
    const inspected = config.inspect<T>(key);
    return inspected?.globalValue ?? inspected?.defaultValue;
  }
  return config.get<T>(key);
}

function numberSetting(key: string, fallback: number): number {
  const v = readSetting<number>(key);
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

export interface SettingsProblem {
  setting: string;
  message: string;
}

/** The native modules folder, checked; undefined when unset or invalid (with a problem). */
export function readNativeModulesPath(): { path?: string; problem?: SettingsProblem } {
  const raw = readSetting<string>('engine.nativeModulesPath');
  if (!raw || raw.trim() === '') return {};
  const checked = checkSettingPath(raw, { workspaceFolders: workspaceFolderPaths(), mustExist: 'directory', what: 'busLab.engine.nativeModulesPath' });
  return checked.ok ? { path: checked.path } : { problem: { setting: 'busLab.engine.nativeModulesPath', message: checked.reason } };
}

/** The native accelerator setting: 'auto', 'off' or a checked path of the addon file. */
export function readAccelerator(): { value?: string; problem?: SettingsProblem } {
  const raw = readSetting<string>('engine.accelerator')?.trim();
  if (!raw || raw === 'auto') return {};
  if (raw === 'off') return { value: 'off' };
  const checked = checkSettingPath(raw, { workspaceFolders: workspaceFolderPaths(), mustExist: 'file', what: 'busLab.engine.accelerator' });
  return checked.ok ? { value: checked.path } : { problem: { setting: 'busLab.engine.accelerator', message: checked.reason } };
}

/** busLab.data.maxImagePixels when it is a positive integer; otherwise undefined (the engine's default). */
export function readMaxImagePixels(): number | undefined {
  const v = readSetting<unknown>('data.maxImagePixels');
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined;
}

export function readBackend(): BackendChoice {
  const v = readSetting<string>('engine.backend');
  return (BACKEND_CHOICES as readonly string[]).includes(v ?? '') ? (v as BackendChoice) : 'auto';
}

export function readTrainSettings(): TrainSettings {
  const d = DEFAULT_TRAIN_SETTINGS;
  const method = readSetting<string>('train.method');
  const native = readNativeModulesPath();
  const accelerator = readAccelerator();
  return {
    method: typeof method === 'string' && method.trim() !== '' ? method.trim() : d.method,
    epochs: numberSetting('train.epochs', d.epochs),
    imageSize: numberSetting('train.imageSize', d.imageSize),
    batchSize: numberSetting('train.batchSize', d.batchSize),
    lambda: numberSetting('train.lambda', d.lambda),
    phiInit: readSetting<string>('train.phiInit') === 'unit' ? 'unit' : readSetting<string>('train.phiInit') === 'calibrated' ? 'calibrated' : d.phiInit,
    phiLearningRate: numberSetting('train.phiLearningRate', d.phiLearningRate),
    phiSupervision: numberSetting('train.phiSupervision', d.phiSupervision),
    maskGradient: typeof readSetting<boolean>('train.maskGradient') === 'boolean' ? (readSetting<boolean>('train.maskGradient') as boolean) : d.maskGradient,
    seed: numberSetting('train.seed', d.seed),
    backend: readBackend(),
    ...(native.path ? { nativeModulesPath: native.path } : {}),
    ...(accelerator.value ? { accelerator: accelerator.value } : {}),
  };
}

export function readDatasets(): unknown[] {
  const v = readSetting<unknown>('datasets');
  return Array.isArray(v) ? v : [];
}

export function readPluginsSetting(): unknown {
  return readSetting<unknown>('plugins');
}

/**
 * The runs folder: the setting (absolute or workspace-relative) when valid, else
 * `<first workspace folder>/.bus-lab/runs`, else `<globalStorage>/runs`.
 */
export function resolveRunsDirectory(globalStorage: vscode.Uri): { path: string; problem?: SettingsProblem } {
  const folders = workspaceFolderPaths();
  const fallback = folders[0] ? vscode.Uri.joinPath(vscode.Uri.file(folders[0]), '.bus-lab', 'runs').fsPath : vscode.Uri.joinPath(globalStorage, 'runs').fsPath;
  const raw = readSetting<string>('runsDirectory');
  if (!raw || raw.trim() === '') return { path: fallback };
  const checked = checkSettingPath(raw, { workspaceFolders: folders, mustExist: 'none', what: 'busLab.runsDirectory' });
  if (checked.ok) return { path: checked.path };
  return { path: fallback, problem: { setting: 'busLab.runsDirectory', message: `${checked.reason}; using ${fallback}` } };
}

export function openSetting(setting: string): Thenable<unknown> {
  return vscode.commands.executeCommand('workbench.action.openSettings', setting);
}
