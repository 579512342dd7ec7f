/**
 * Loading the native TensorFlow bindings (@tensorflow/tfjs-node-gpu, @tensorflow/tfjs-node). They
 * are not dependencies, because installing them downloads libtensorflow; a user installs one next
 * to the project or in a folder of their own and points `nativeModulesPath` at it.
 *
 * tfjs-core keeps its engine, backend registry and kernel registry on the global object, so a
 * tfjs-node loaded from another folder (with its own copy of tfjs-core) registers its 'tensorflow'
 * backend and kernels into the same engine that our tfjs-core drives.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

export type NativeChoice = 'tensorflow-gpu' | 'tensorflow';

export const NATIVE_PACKAGES: Record<NativeChoice, string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

export interface NativeLocation {
  packageName: string;
  /** Folder of the package (where its package.json is). */
  dir: string;
  version: string;
}

/** Finds the package in the user's folder first, then next to the engine; loads nothing. */
export function locateNative(choice: NativeChoice, nativeModulesPath?: string): NativeLocation | undefined {
  const packageName = NATIVE_PACKAGES[choice];
  const requirers = [];
  if (nativeModulesPath) {
    // A path inside the folder, so that resolution walks <folder>/node_modules (and also works when
    // the user pointed at a node_modules folder itself).
    requirers.push(createRequire(join(resolve(nativeModulesPath), 'noop.js')));
  }
  requirers.push(createRequire(__filename));
  for (const req of requirers) {
    try {
      const manifest = req.resolve(`${packageName}/package.json`);
      const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string };
      return { packageName, dir: dirname(manifest), version: version ?? 'unknown' };
    } catch {
      // Not in this folder; try the next.
    }
  }
  return undefined;
}

/** What the loaded module tells about itself: its tfjs-core version (from its `version` map). */
export function loadNative(location: NativeLocation): { coreVersion?: string } {
  const req = createRequire(join(location.dir, 'package.json'));
  const mod = req(location.dir) as { version?: Record<string, string> };
  return { coreVersion: mod.version?.['tfjs-core'] };
}
