// Builds the optional native accelerator (native/accelerator/*.cc) into
// dist/native/bus-lab-accelerator.node with the system's C++ compiler (CXX, default g++; it needs
// OpenMP), against oneDNN (Debian: `apt-get install libdnnl-dev`; elsewhere set DNNL_ROOT to an
// installation with include/ and lib/) and the Node-API headers (the node-api-headers package).
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

const sources = readdirSync(sourceDir)
  .filter((f) => f.endsWith('.cc') || f.endsWith('.h'))
  .map((f) => join(sourceDir, f));
if (!force && existsSync(output)) {
  const built = statSync(output).mtimeMs;
  if (sources.every((f) => statSync(f).mtimeMs < built) && statSync(fileURLToPath(import.meta.url)).mtimeMs < built) process.exit(0);
}

// From here on a build is due: whatever stops it also removes an older build, which no longer
// matches the sources (the TypeScript side may already speak a newer parameter layout).
function skip(why) {
  const stale = existsSync(output);
  rmSync(output, { force: true });
  const text = `native accelerator not built: ${why}${stale ? '; removed the previous build' : ''}; the engine uses its wasm kernels (see docs/PERFORMANCE.md)`;
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

const dnnlRoot = process.env.DNNL_ROOT;
const includeCandidates = dnnlRoot ? [join(dnnlRoot, 'include')] : ['/usr/include', '/usr/local/include'];
const oneDnnInclude = includeCandidates.find((dir) => existsSync(join(dir, 'oneapi', 'dnnl', 'dnnl.hpp')));
if (!oneDnnInclude) skip(`oneDNN headers not found in ${includeCandidates.join(', ')} (apt-get install libdnnl-dev, or set DNNL_ROOT)`);
// With DNNL_ROOT the addon records where libdnnl is, so it loads without LD_LIBRARY_PATH.
const libraryArgs = dnnlRoot ? [`-L${join(dnnlRoot, 'lib')}`, `-Wl,-rpath,${join(dnnlRoot, 'lib')}`] : [];

let napiInclude;
try {
  napiInclude = createRequire(import.meta.url)('node-api-headers').include_dir;
} catch {
  napiInclude = join(dirname(process.execPath), '..', 'include', 'node');
}
if (!existsSync(join(napiInclude, 'node_api.h'))) skip('Node-API headers not found (npm install brings node-api-headers)');

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
  ...libraryArgs,
  '-ldnnl',
  '-o',
  temp,
];
if (process.platform === 'darwin') args.push('-undefined', 'dynamic_lookup');
// Never unmapped: Node unloads an addon when the last worker thread that loaded it exits, and
// OpenMP's pool threads (still parked in libgomp) then crash the process (SIGSEGV, measured).
if (process.platform === 'linux') args.push('-Wl,-z,nodelete');
const started = Date.now();
const result = spawnSync(compiler, args, { stdio: 'inherit' });
if (result.status !== 0) {
  rmSync(temp, { force: true });
  skip(`${compiler} failed (exit ${result.status})`);
}
renameSync(temp, output);
console.log(`native accelerator built: ${output} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
