/**
 * Reads plugin providers that are known without running plugin code: those declared in other
 * extensions' package.json (`contributes.busLab.lossProviders` / `featureProviders`) and those in
 * the `busLab.plugins` setting. Every malformed entry becomes a problem line, never an exception.
 * No `vscode` import: the caller passes `vscode.extensions.all` reduced to `ExtensionManifest`s.
 */
import { isAbsolute, resolve } from 'node:path';
import { isRecord } from '../../shared/isRecord';
import { checkSettingPath } from '../config/settingPaths';
import { ProviderKind, ProviderCatalogOptions, RegisteredProvider, validateDescriptor } from './providerCatalog';

export interface ExtensionManifest {
  /** `publisher.name` */
  id: string;
  extensionPath: string;
  packageJSON: unknown;
}

export interface ProviderReadResult {
  providers: RegisteredProvider[];
  problems: string[];
}

const KIND_KEYS: [ProviderKind, string][] = [
  ['loss', 'lossProviders'],
  ['feature', 'featureProviders'],
];

function record(v: unknown): Record<string, unknown> | undefined {
  return isRecord(v) ? v : undefined;
}

export function readContributedProviders(extensions: readonly ExtensionManifest[], options: ProviderCatalogOptions = {}): ProviderReadResult {
  const providers: RegisteredProvider[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const ext of extensions) {
    const busLab = record(record(record(ext.packageJSON)?.contributes)?.busLab);
    if (!busLab) continue;
    for (const [kind, field] of KIND_KEYS) {
      const entries = busLab[field];
      if (entries === undefined) continue;
      if (!Array.isArray(entries)) {
        problems.push(`${ext.id}: contributes.busLab.${field} must be an array`);
        continue;
      }
      for (const raw of entries) {
        const entry = record(raw);
        try {
          if (!entry || typeof entry.id !== 'string' || typeof entry.module !== 'string') {
            throw new Error(`contributes.busLab.${field} entries need "id" and "module"`);
          }
          const id = entry.id.includes('/') ? entry.id : `${ext.id}/${entry.id}`;
          if (id.split('/')[0].toLowerCase() !== ext.id.toLowerCase()) throw new Error(`"${entry.id}" must be namespaced with the extension's own id ${ext.id}`);
          const modulePath = isAbsolute(entry.module) ? entry.module : resolve(ext.extensionPath, entry.module);
          const provider = validateDescriptor(kind, { id, label: entry.label, description: entry.description, modulePath, defaultOptions: entry.defaultOptions }, 'contribution', options);
          if (seen.has(provider.id.toLowerCase())) throw new Error(`"${provider.id}" is declared twice`);
          seen.add(provider.id.toLowerCase());
          providers.push(provider);
        } catch (error) {
          problems.push(`${ext.id}: ${(error as Error).message}`);
        }
      }
    }
  }
  return { providers, problems };
}

export function readSettingsProviders(value: unknown, workspaceFolders: readonly string[]): ProviderReadResult {
  const providers: RegisteredProvider[] = [];
  const problems: string[] = [];
  if (value === undefined || value === null) return { providers, problems };
  if (!Array.isArray(value)) return { providers, problems: ['busLab.plugins must be an array'] };
  const seen = new Set<string>();
  for (const raw of value) {
    const entry = record(raw);
    try {
      if (!entry) throw new Error('each entry must be an object { kind, name, module }');
      if (entry.kind !== 'loss' && entry.kind !== 'feature') throw new Error(`"kind" must be "loss" or "feature"`);
      if (typeof entry.name !== 'string') throw new Error('"name" must be a string');
      const checked = checkSettingPath(entry.module, { workspaceFolders, mustExist: 'file', what: `busLab.plugins "${entry.name}" module` });
      if (!checked.ok) throw new Error(checked.reason);
      const provider = validateDescriptor(
        entry.kind,
        { id: `settings/${entry.name}`, label: entry.label ?? entry.name, description: entry.description, modulePath: checked.path, defaultOptions: entry.defaultOptions },
        'settings',
      );
      if (seen.has(provider.id)) throw new Error(`"${entry.name}" is listed twice`);
      seen.add(provider.id);
      providers.push(provider);
    } catch (error) {
      problems.push(`busLab.plugins: ${(error as Error).message}`);
    }
  }
  return { providers, problems };
}
