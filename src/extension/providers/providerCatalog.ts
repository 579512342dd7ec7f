/**
 * The catalog of loss and feature providers the extension knows (descriptors: id, label, module
 * path, where each came from; the engine's own ProviderRegistry holds the loaded implementations
 * in the worker): the engine's built-ins, those
 * other extensions declare in their package.json (`contributes.busLab`), those they register at
 * run time through the API, and those listed in the `busLab.plugins` setting.
 *
 * Ids of plugin providers are namespaced `<extensionId>/<name>` (e.g.
 * `bus-lab-examples.custom-loss-plugin/tversky`). The API object is shared by all extensions and
 * cannot see its caller, so the namespace is part of the id the caller passes, and the catalog
 * checks that the prefix is an installed extension. Settings plugins use the namespace `settings`.
 *
 * A run-time registration may take over an id that the same extension declared in its
 * package.json (declare so the provider is listed before the extension activates, then register
 * at activation); disposing the registration falls back to the declaration. Any other duplicate
 * id throws. No `vscode` import: unit-tested directly.
 */
import { isAbsolute } from 'node:path';
import type { PluginProviderReference, ProviderInfo } from '../../engine/worker/protocol';
import { BUILTIN_FEATURE_PROVIDERS, BUILTIN_LOSS_PROVIDERS } from '../../engine/worker/protocol';
import { DisposableLike, Signal } from '../util/signal';

export type ProviderKind = 'loss' | 'feature';

/** What an extension passes to `registerLossProvider` / `registerFeatureProvider`. */
export interface ProviderDescriptor {
  id: string;
  label: string;
  description?: string;
  /** Absolute path to a CommonJS module the engine worker loads. */
  modulePath: string;
  defaultOptions?: object;
}

export type ProviderOrigin = 'builtin' | 'contribution' | 'api' | 'settings';

export interface RegisteredProvider {
  kind: ProviderKind;
  id: string;
  label: string;
  description?: string;
  /** Absent for built-ins. */
  modulePath?: string;
  defaultOptions?: Record<string, unknown>;
  /** `builtin`, `settings`, or the contributing extension's id. */
  source: string;
  origin: ProviderOrigin;
}

export interface ProviderCatalogOptions {
  /** True when `extensionId` names an installed extension (case-insensitive ids). */
  isKnownExtension?(extensionId: string): boolean;
  /** True when the module file exists; checked at registration. */
  moduleExists?(modulePath: string): boolean;
}

/** `publisher.name/provider`; extension ids are case-insensitive, provider names are identifiers. */
const NAMESPACED_ID = /^([a-z0-9][a-z0-9-]*\.[a-z0-9][a-z0-9._-]*)\/([A-Za-z_][A-Za-z0-9_.-]*)$/i;
const SETTINGS_ID = /^settings\/([A-Za-z_][A-Za-z0-9_.-]*)$/;
export const SETTINGS_SOURCE = 'settings';

export class ProviderRegistrationError extends Error {
  override name = 'ProviderRegistrationError';
}

/** The extension-id part of a namespaced provider id, or undefined when the id is not namespaced. */
export function providerNamespace(id: string): string | undefined {
  return NAMESPACED_ID.exec(id)?.[1];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Deep copy through JSON, so options cross the worker boundary unchanged; throws when not JSON. */
function jsonCopy(options: object, what: string): Record<string, unknown> {
  let copy: unknown;
  try {
    copy = JSON.parse(JSON.stringify(options));
  } catch (error) {
    throw new ProviderRegistrationError(`${what}: defaultOptions must be plain JSON (${(error as Error).message})`);
  }
  if (!isPlainObject(copy)) throw new ProviderRegistrationError(`${what}: defaultOptions must be a plain object`);
  return copy;
}

/**
 * Checks a descriptor and returns the provider it describes, or throws a
 * ProviderRegistrationError saying what is wrong.
 */
export function validateDescriptor(
  kind: ProviderKind,
  descriptor: unknown,
  origin: Exclude<ProviderOrigin, 'builtin'>,
  options: ProviderCatalogOptions = {},
): RegisteredProvider {
  const what = `${kind} provider`;
  if (!isPlainObject(descriptor)) throw new ProviderRegistrationError(`${what}: the descriptor must be an object`);
  const { id, label, description, modulePath, defaultOptions } = descriptor as Record<string, unknown>;
  if (typeof id !== 'string' || id.length === 0) throw new ProviderRegistrationError(`${what}: "id" must be a non-empty string`);
  const named = `${what} "${id}"`;
  let source: string;
  if (origin === 'settings') {
    if (!SETTINGS_ID.test(id)) throw new ProviderRegistrationError(`${named}: settings provider ids are "settings/<name>"`);
    source = SETTINGS_SOURCE;
  } else {
    const namespace = providerNamespace(id);
    if (!namespace) {
      throw new ProviderRegistrationError(`${named}: ids must be namespaced "<publisher>.<extension>/<name>", e.g. "my-publisher.my-plugin/tversky"`);
    }
    if (options.isKnownExtension && !options.isKnownExtension(namespace)) {
      throw new ProviderRegistrationError(`${named}: "${namespace}" is not an installed extension; use your own extension id as the namespace`);
    }
    source = namespace.toLowerCase();
  }
  if (typeof label !== 'string' || label.trim().length === 0) throw new ProviderRegistrationError(`${named}: "label" must be a non-empty string`);
  if (description !== undefined && typeof description !== 'string') throw new ProviderRegistrationError(`${named}: "description" must be a string`);
  if (typeof modulePath !== 'string' || !isAbsolute(modulePath)) throw new ProviderRegistrationError(`${named}: "modulePath" must be an absolute path to a CommonJS module`);
  if (options.moduleExists && !options.moduleExists(modulePath)) throw new ProviderRegistrationError(`${named}: module not found: ${modulePath}`);
  if (defaultOptions !== undefined && (typeof defaultOptions !== 'object' || defaultOptions === null)) {
    throw new ProviderRegistrationError(`${named}: "defaultOptions" must be an object`);
  }
  return {
    kind,
    id,
    label: label.trim(),
    ...(description ? { description } : {}),
    modulePath,
    ...(defaultOptions !== undefined ? { defaultOptions: jsonCopy(defaultOptions, named) } : {}),
    source,
    origin,
  };
}

function builtins(kind: ProviderKind): RegisteredProvider[] {
  const list: readonly ProviderInfo[] = kind === 'loss' ? BUILTIN_LOSS_PROVIDERS : BUILTIN_FEATURE_PROVIDERS;
  return list.map((p) => ({ kind, id: p.id, label: p.label, description: p.description, source: 'builtin', origin: 'builtin' as const }));
}

const key = (id: string) => id.toLowerCase();

export class ProviderCatalog implements DisposableLike {
  private readonly registered = new Map<string, RegisteredProvider>();
  private contributed = new Map<string, RegisteredProvider>();
  private fromSettings = new Map<string, RegisteredProvider>();
  private readonly changed = new Signal<void>();
  /** Fires after any change of the effective provider list. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly options: ProviderCatalogOptions = {}) {}

  /** Registers a provider through the API; throws on a malformed descriptor or a duplicate id. */
  register(kind: ProviderKind, descriptor: unknown): DisposableLike {
    const provider = validateDescriptor(kind, descriptor, 'api', this.options);
    const k = key(provider.id);
    if (this.registered.has(k)) throw new ProviderRegistrationError(`${kind} provider "${provider.id}" is already registered`);
    const declared = this.contributed.get(k);
    if (declared && declared.source !== provider.source) {
      throw new ProviderRegistrationError(`${kind} provider "${provider.id}" is already declared by ${declared.source}`);
    }
    if (declared && declared.kind !== kind) {
      throw new ProviderRegistrationError(`"${provider.id}" is declared as a ${declared.kind} provider, not a ${kind} provider`);
    }
    this.registered.set(k, provider);
    this.changed.fire();
    let disposed = false;
    return {
      dispose: () => {
        if (disposed) return;
        disposed = true;
        if (this.registered.get(k) === provider) {
          this.registered.delete(k);
          this.changed.fire();
        }
      },
    };
  }

  /** Replaces the providers declared in extensions' package.json (already validated). */
  setContributed(providers: readonly RegisteredProvider[]): void {
    this.contributed = new Map(providers.map((p) => [key(p.id), p]));
    this.changed.fire();
  }

  /** Replaces the providers from the `busLab.plugins` setting (already validated). */
  setFromSettings(providers: readonly RegisteredProvider[]): void {
    this.fromSettings = new Map(providers.map((p) => [key(p.id), p]));
    this.changed.fire();
  }

  /** Every provider of `kind` (or all): built-ins first, then plugins by id. */
  list(kind?: ProviderKind): RegisteredProvider[] {
    const kinds: ProviderKind[] = kind ? [kind] : ['loss', 'feature'];
    const result: RegisteredProvider[] = [];
    for (const k of kinds) {
      const plugins = new Map<string, RegisteredProvider>();
      for (const source of [this.fromSettings, this.contributed, this.registered]) {
        for (const [id, p] of source) if (p.kind === k) plugins.set(id, p);
      }
      result.push(...builtins(k), ...[...plugins.values()].sort((a, b) => a.id.localeCompare(b.id)));
    }
    return result;
  }

  get(id: string): RegisteredProvider | undefined {
    return this.list().find((p) => key(p.id) === key(id));
  }

  /** The plugin references the engine needs to load the given provider ids (built-ins need none). */
  pluginReferences(ids: readonly string[]): PluginProviderReference[] {
    const refs: PluginProviderReference[] = [];
    for (const id of new Set(ids)) {
      const p = this.get(id);
      if (!p) throw new ProviderRegistrationError(`Unknown provider "${id}"`);
      if (!p.modulePath) continue;
      refs.push({
        kind: p.kind,
        id: p.id,
        label: p.label,
        modulePath: p.modulePath,
        source: p.source,
        ...(p.description ? { description: p.description } : {}),
        ...(p.defaultOptions ? { defaultOptions: p.defaultOptions } : {}),
      });
    }
    return refs;
  }

  dispose(): void {
    this.changed.dispose();
    this.registered.clear();
  }
}
