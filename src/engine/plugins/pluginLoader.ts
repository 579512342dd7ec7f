/**
 * Loads plugin modules by path inside the engine (worker or CLI) and registers their providers.
 *
 * A module may describe itself (exports `lossProviders` / `featureProviders` arrays of
 * `{ id, label, description?, defaultOptions?, create(tf, options) }`), or export bare factories
 * `createLoss(tf, options)` / `createFeature(tf, options)` whose id and label come from the
 * reference the extension API recorded. Every provider is wrapped (./containment) so that a plugin
 * that throws, calls process.exit, or returns a non-scalar or a foreign tensor stops the run with an
 * error naming the plugin.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute } from 'node:path';
import type { Scalar, Tensor1D, TF } from '../tf';
import type { PluginReference } from '../types';
import type { Registries } from './builtins';
import { callPlugin, engineTensor, PluginError } from './containment';
import type { FeatureFunction, FeatureProvider, LossProvider } from './providers';
import { toLossInstance } from './providers';

export interface PluginProviderRef extends PluginReference {
  kind?: 'loss' | 'feature';
  id?: string;
  label?: string;
  description?: string;
  defaultOptions?: Record<string, unknown>;
}

export { PluginError };

function describe(ref: PluginReference): string {
  return `plugin ${ref.source ? `${ref.source} ` : ''}(${ref.modulePath})`;
}

function requireModule(path: string): Record<string, unknown> {
  // createRequire keeps the bundler from trying to resolve plugin paths at build time.
  return createRequire(path)(path);
}

/** Runs plugin code; its errors (other than our own refusals) become one PluginError line led by `what`. */
function guarded<T>(who: string, what: string, fn: () => T): T {
  try {
    return callPlugin(who, fn);
  } catch (err) {
    if (err instanceof PluginError) throw err;
    throw new PluginError(`${who}: ${what}: ${(err as Error)?.message ?? String(err)}`);
  }
}

function checkScalar(tf: TF, value: unknown, who: string): Scalar {
  const t = engineTensor(tf, value, who);
  if (t.rank !== 0) throw new PluginError(`${who} returned a tensor of shape [${t.shape.join(',')}], not a scalar`);
  return t as Scalar;
}

function wrapLoss(tf: TF, provider: LossProvider, who: string): LossProvider {
  return {
    ...provider,
    create(tfArg, options) {
      const created = guarded(who, `creating loss '${provider.id}' failed`, () => provider.create(tfArg, options));
      const inst = toLossInstance(created);
      if (typeof inst?.compute !== 'function') throw new PluginError(`${who}: loss '${provider.id}' did not return a function`);
      return {
        ...inst,
        compute: (batch, outputs, context) => {
          const at = `epoch ${context.epoch}, step ${context.step}`;
          const out = guarded(who, `loss '${provider.id}' threw at ${at}`, () => inst.compute(batch, outputs, context));
          return checkScalar(tf, out, `${who}: loss '${provider.id}' at ${at}`);
        },
      };
    },
  };
}

/** Features get the losses' wrapping: errors and bad outputs name the plugin and the feature. */
function wrapFeature(tf: TF, provider: FeatureProvider, who: string): FeatureProvider {
  return {
    ...provider,
    create(tfArg, options) {
      const fn = guarded(who, `creating feature '${provider.id}' failed`, () => provider.create(tfArg, options));
      if (typeof fn !== 'function') throw new PluginError(`${who}: feature '${provider.id}' did not return a function`);
      const wrapped: FeatureFunction = (softMask, image) => {
        const out = guarded(who, `feature '${provider.id}' threw`, () => fn(softMask, image));
        const t = engineTensor(tf, out, `${who}: feature '${provider.id}'`);
        const batch = softMask.shape[0];
        if (t.rank !== 1 || t.shape[0] !== batch) {
          throw new PluginError(`${who}: feature '${provider.id}' returned a tensor of shape [${t.shape.join(',')}], not one value per image [${batch}]`);
        }
        return t as Tensor1D;
      };
      return wrapped;
    },
  };
}

/** Loads each referenced module and registers its providers; returns the ids added and, by id, the plugin each came from. */
export function loadPlugins(
  tf: TF,
  refs: readonly PluginProviderRef[],
  registries: Registries,
): { losses: string[]; features: string[]; origins: Record<string, string> } {
  const added = { losses: [] as string[], features: [] as string[], origins: {} as Record<string, string> };
  const cache = new Map<string, Record<string, unknown>>();
  for (const ref of refs) {
    const who = describe(ref);
    if (!isAbsolute(ref.modulePath)) throw new PluginError(`${who}: modulePath must be absolute`);
    if (!existsSync(ref.modulePath)) throw new PluginError(`${who}: module not found`);
    let mod = cache.get(ref.modulePath);
    if (!mod) {
      try {
        mod = callPlugin(who, () => requireModule(ref.modulePath));
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
      added.origins[p.id] = who;
    }
    for (const p of features) {
      try {
        registries.features.register(wrapFeature(tf, p, who));
      } catch (err) {
        throw new PluginError(`${who}: ${(err as Error).message}`);
      }
      added.features.push(p.id);
      added.origins[p.id] = who;
    }
  }
  return added;
}
