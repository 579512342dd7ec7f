/**
 * Loads plugin modules by path inside the engine (worker or CLI) and registers their providers.
 *
 * A module may describe itself (exports `lossProviders` / `featureProviders` arrays of
 * `{ id, label, description?, defaultOptions?, create(tf, options) }`), or export bare factories
 * `createLoss(tf, options)` / `createFeature(tf, options)` whose id and label come from the
 * reference the extension API recorded. Every provider is wrapped so that a plugin that throws or
 * returns a non-scalar or NaN stops the run with an error naming the plugin.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute } from 'node:path';
import type { Scalar, Tensor, TF } from '../tf';
import type { PluginReference } from '../types';
import type { Registries } from './builtins';
import type { FeatureProvider, LossFunction, LossInstance, LossProvider } from './providers';
import { toLossInstance } from './providers';

export interface PluginProviderRef extends PluginReference {
  kind?: 'loss' | 'feature';
  id?: string;
  label?: string;
  description?: string;
  defaultOptions?: Record<string, unknown>;
}

export class PluginError extends Error {
  override name = 'PluginError';
}

function describe(ref: PluginReference): string {
  return `plugin ${ref.source ? `${ref.source} ` : ''}(${ref.modulePath})`;
}

function requireModule(path: string): Record<string, unknown> {
  // createRequire keeps the bundler from trying to resolve plugin paths at build time.
  return createRequire(path)(path);
}

function checkScalar(tf: TF, value: unknown, who: string): Scalar {
  if (!value || typeof value !== 'object' || !('rank' in value)) throw new PluginError(`${who} returned ${typeof value}, not a tensor`);
  const t = value as Tensor;
  if (t.rank !== 0) throw new PluginError(`${who} returned a tensor of shape [${t.shape.join(',')}], not a scalar`);
  void tf;
  return t as Scalar;
}

function wrapLoss(tf: TF, provider: LossProvider, who: string): LossProvider {
  return {
    ...provider,
    create(tfArg, options) {
      let created: LossFunction | LossInstance;
      try {
        created = provider.create(tfArg, options);
      } catch (err) {
        throw new PluginError(`${who}: creating loss '${provider.id}' failed: ${(err as Error).message}`);
      }
      const inst = toLossInstance(created);
      if (typeof inst.compute !== 'function') throw new PluginError(`${who}: loss '${provider.id}' did not return a function`);
      return {
        ...inst,
        compute: (batch, outputs, context) => {
          let out: unknown;
          try {
            out = inst.compute(batch, outputs, context);
          } catch (err) {
            throw new PluginError(`${who}: loss '${provider.id}' threw at epoch ${context.epoch}, step ${context.step}: ${(err as Error).message}`);
          }
          return checkScalar(tf, out, `${who}: loss '${provider.id}' at epoch ${context.epoch}, step ${context.step}`);
        },
      };
    },
  };
}

/** Loads each referenced module and registers its providers; returns the ids added. */
export function loadPlugins(tf: TF, refs: readonly PluginProviderRef[], registries: Registries): { losses: string[]; features: string[] } {
  const added = { losses: [] as string[], features: [] as string[] };
  const cache = new Map<string, Record<string, unknown>>();
  for (const ref of refs) {
    const who = describe(ref);
    if (!isAbsolute(ref.modulePath)) throw new PluginError(`${who}: modulePath must be absolute`);
    if (!existsSync(ref.modulePath)) throw new PluginError(`${who}: module not found`);
    let mod = cache.get(ref.modulePath);
    if (!mod) {
      try {
        mod = requireModule(ref.modulePath);
      } catch (err) {
        throw new PluginError(`${who}: failed to load: ${(err as Error).message}`);
      }
      cache.set(ref.modulePath, mod);
    }
    const source = ref.source ?? ref.modulePath;
    const losses: LossProvider[] = [];
    const features: FeatureProvider[] = [];
    if (ref.id && ref.kind) {
      const factory = ref.kind === 'loss' ? mod.createLoss : mod.createFeature;
      if (typeof factory !== 'function') throw new PluginError(`${who}: exports no ${ref.kind === 'loss' ? 'createLoss' : 'createFeature'}(tf, options) function`);
      const descriptor = { id: ref.id, label: ref.label ?? ref.id, description: ref.description, defaultOptions: ref.defaultOptions, source };
      if (ref.kind === 'loss') losses.push({ ...descriptor, create: factory as LossProvider['create'] });
      else features.push({ ...descriptor, create: factory as FeatureProvider['create'] });
    } else {
      for (const p of (mod.lossProviders as LossProvider[] | undefined) ?? []) losses.push({ ...p, source });
      for (const p of (mod.featureProviders as FeatureProvider[] | undefined) ?? []) features.push({ ...p, source });
      if (losses.length === 0 && features.length === 0) throw new PluginError(`${who}: exports no lossProviders or featureProviders`);
    }
    for (const p of losses) {
      try {
        registries.losses.register(wrapLoss(tf, p, who));
      } catch (err) {
        throw new PluginError(`${who}: ${(err as Error).message}`);
      }
      added.losses.push(p.id);
    }
    for (const p of features) {
      try {
        registries.features.register(p);
      } catch (err) {
        throw new PluginError(`${who}: ${(err as Error).message}`);
      }
      added.features.push(p.id);
    }
  }
  return added;
}
