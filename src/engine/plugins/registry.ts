/**
 * Registries of loss and feature providers. Built-ins are registered first; plugins add theirs.
 * Ids are validated and unique, so a typo or a clash fails loudly instead of silently shadowing.
 */
import type { ProviderDescriptor } from './providers';

/** `name` or a namespaced `publisher.extension/name`: letters, digits, `.`, `_`, `-`. */
const ID_PATTERN = /^(?:[A-Za-z0-9][\w.-]*\/)?[A-Za-z][\w.-]*$/;

export class ProviderRegistry<P extends ProviderDescriptor & { create: unknown }> {
  private readonly providers = new Map<string, P>();

  /** `reserved`: names a provider may not take in any letter case (the built-in method names). */
  constructor(
    private readonly kind: 'loss' | 'feature',
    private readonly reserved: readonly string[] = [],
  ) {}

  register(provider: P): () => void {
    const what = `${this.kind} provider`;
    if (!provider || typeof provider !== 'object') throw new Error(`${what}: descriptor must be an object`);
    if (typeof provider.id !== 'string' || !ID_PATTERN.test(provider.id)) {
      throw new Error(`${what}: invalid id '${String(provider.id)}' (use letters, digits, '.', '_', '-', optionally 'namespace/name')`);
    }
    if (typeof provider.label !== 'string' || provider.label.trim() === '') throw new Error(`${what} '${provider.id}': label must be a non-empty string`);
    if (typeof provider.create !== 'function') throw new Error(`${what} '${provider.id}': create must be a function`);
    const lower = provider.id.toLowerCase();
    const clash = this.reserved.find((r) => r.toLowerCase() === lower);
    if (clash) throw new Error(`${what} '${provider.id}' would shadow the built-in method '${clash}'; choose another id`);
    // Ids differing only in case would look the same in menus and tables: refused like duplicates.
    const existing = [...this.providers.values()].find((p) => p.id.toLowerCase() === lower);
    if (existing) {
      const by = existing.source ?? 'unknown';
      if (existing.id === provider.id) throw new Error(`${what} '${provider.id}' is already registered (by ${by})`);
      throw new Error(`${what} '${provider.id}' clashes with '${existing.id}' (by ${by}): ids may not differ only in letter case`);
    }
    this.providers.set(provider.id, provider);
    return () => {
      if (this.providers.get(provider.id) === provider) this.providers.delete(provider.id);
    };
  }

  get(id: string): P {
    const p = this.providers.get(id);
    if (!p) throw new Error(`unknown ${this.kind} provider '${id}' (registered: ${[...this.providers.keys()].join(', ') || 'none'})`);
    return p;
  }

  has(id: string): boolean {
    return this.providers.has(id);
  }

  list(): P[] {
    return [...this.providers.values()];
  }
}
