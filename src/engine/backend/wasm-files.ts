/**
 * Where the tfjs wasm binaries are. The same engine code runs from three layouts, and the binaries
 * are looked up relative to the running file rather than the working directory:
 *   - bundled CLI:              dist/cli.js            -> dist/wasm/
 *   - bundled extension/worker: dist/engine-worker.js  -> dist/wasm/
 *   - TS sources under tsx:     src/engine/backend/    -> node_modules/@tensorflow/tfjs-backend-wasm/dist/
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';

/** The binary every wasm-capable runtime can load; the SIMD one sits next to it. */
export const WASM_BINARY_NAMES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm'] as const;

export function isWasmDir(dir: string): boolean {
  return WASM_BINARY_NAMES.every((name) => existsSync(join(dir, name)));
}

/** Candidate folders, most specific first; `explicitDir` (a user or build override) wins. */
export function wasmDirCandidates(explicitDir?: string): string[] {
  const candidates: string[] = [];
  if (explicitDir) candidates.push(resolve(explicitDir));
  candidates.push(join(__dirname, 'wasm'), join(__dirname, '..', 'wasm'), join(__dirname, '..', 'dist', 'wasm'));
  try {
    // createRequire keeps esbuild from trying to bundle the resolution.
    const pkg = createRequire(__filename).resolve('@tensorflow/tfjs-backend-wasm/package.json');
    candidates.push(join(dirname(pkg), 'dist'));
  } catch {
    // Not resolvable from here (a bundle shipped without node_modules): the dist/wasm copy serves.
  }
  candidates.push(join(__dirname, '..', '..', '..', 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist'));
  return [...new Set(candidates)];
}

/** The first candidate folder holding the binaries, with a trailing separator as setWasmPaths wants. */
export function findWasmDir(explicitDir?: string): string | undefined {
  const found = wasmDirCandidates(explicitDir).find(isWasmDir);
  return found === undefined ? undefined : found.endsWith(sep) ? found : found + sep;
}
