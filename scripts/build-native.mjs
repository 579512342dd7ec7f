// Builds the optional native accelerator (native/accelerator/*.cc) into
// dist/native/bus-lab-accelerator.node with the system's C++ compiler, against oneDNN (Debian:
// `apt-get install libdnnl-dev`) and the Node-API headers (the node-api-headers package).
//
// Optional by design: where the compiler or oneDNN is missing it says so and exits 0, and the
// engine runs on its portable wasm kernels. `--require` makes a missing prerequisite an error
// (CI uses it so that the accelerator's tests cannot silently skip).
//
//   node scripts/build-native.mjs [--require] [--force] [--out DIR]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sourceDir = join(root, 'native', 'accelerator');
const outIndex = process.argv.indexOf('--out');
const outDir = outIndex > 0 && process.argv[outIndex + 1] ? process.argv[outIndex + 1] : join(root, 'dist', 'native');
const output = join(outDir, 'bus-lab-accelerator.node');
const required = process.argv.includes('--require');
const force = process.argv.includes('--force');

function skip(why) {
  const text = `native accelerator not built: ${why}; the engine uses its wasm kernels (see docs/PERFORMANCE.md)`;
  if (required) {
    console.error(`error: ${text}`);
    process.exit(1);
  }
  console.log(text);
  process.exit(0);
}

if (process.platform !== 'linux' && process.platform !== 'darwin') skip(`no build recipe for ${process.platform}`);
const compiler = process.env.CXX || 'g++';
if (spawnSync(compiler, ['--version'], { stdio: 'ignore' }).status !== 0) skip(`no C++ compiler (${compiler})`);

const oneDnnInclude = ['/usr/include', '/usr/local/include', process.env.DNNL_INCLUDE_DIR].find((dir) => dir && existsSync(join(dir, 'oneapi', 'dnnl', 'dnnl.hpp')));
if (!oneDnnInclude) skip('oneDNN headers not found (apt-get install libdnnl-dev, or set DNNL_INCLUDE_DIR)');

let napiInclude;
try {
  napiInclude = createRequire(import.meta.url)('node-api-headers').include_dir;
} catch {
  napiInclude = join(dirname(process.execPath), '..', 'include', 'node');
}
if (!existsSync(join(napiInclude, 'node_api.h'))) skip('Node-API headers not found (npm install brings node-api-headers)');

const sources = readdirSync(sourceDir)
  .filter((f) => f.endsWith('.cc') || f.endsWith('.h'))
  .map((f) => join(sourceDir, f));
if (!force && existsSync(output)) {
  const built = statSync(output).mtimeMs;
  if (sources.every((f) => statSync(f).mtimeMs < built) && statSync(fileURLToPath(import.meta.url)).mtimeMs < built) {
    process.exit(0);
  }
}

mkdirSync(outDir, { recursive: true });
// Written next to the target and renamed, so a failed or interrupted build never leaves a broken addon.
const temp = `${output}.${process.pid}.tmp`;
const args = [
  '-O3',
  '-std=c++17',
  '-shared',
  '-fPIC',
  '-fopenmp',
  '-fvisibility=hidden',
  '-Wall',
  '-Wextra',
  `-I${napiInclude}`,
  `-I${oneDnnInclude}`,
  ...sources.filter((f) => f.endsWith('.cc')),
  '-ldnnl',
  '-o',
  temp,
];
if (process.platform === 'darwin') args.push('-undefined', 'dynamic_lookup');
const started = Date.now();
const result = spawnSync(compiler, args, { stdio: 'inherit' });
if (result.status !== 0) {
  rmSync(temp, { force: true });
  // An older build no longer matches the TypeScript side of the sources: never leave it loadable.
  const stale = existsSync(output);
  rmSync(output, { force: true });
  skip(`${compiler} failed (exit ${result.status})${stale ? '; removed the previous build' : ''}`);
}
renameSync(temp, output);
console.log(`native accelerator built: ${output} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
