// Builds the optional native accelerator (native/accelerator/*.cc) into
// dist/native/bus-lab-accelerator.node with the system's C++ compiler (CXX, default g++; it needs
// OpenMP), against oneDNN (Debian: `apt-get install libdnnl-dev`; elsewhere set DNNL_ROOT to an
// installation with include/ and lib/) and the Node-API headers (the node-api-headers package).
//
// Optional by design: where it cannot build (no compiler, a compiler without OpenMP such as
// macOS's default clang, no oneDNN, Windows) it says so in one line and exits 0, and the engine
// runs on its portable wasm kernels; docs/PERFORMANCE.md says what each platform needs.
// `--require` makes that an error and shows the compiler's whole output (CI uses it so that the
// accelerator's tests cannot silently skip); `--verbose` shows the output without failing.
//
// On Linux the addon looks for its libraries in its own folder first (RPATH $ORIGIN), so a
// platform package (scripts/package-platform.mjs) can ship oneDNN beside it.
//
//   node scripts/build-native.mjs [--require] [--force] [--verbose] [--out DIR]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sourceDir = join(root, 'native', 'accelerator');
const outIndex = process.argv.indexOf('--out');
const outDir = outIndex > 0 && process.argv[outIndex + 1] ? process.argv[outIndex + 1] : join(root, 'dist', 'native');
const output = join(outDir, 'bus-lab-accelerator.node');
const required = process.argv.includes('--require');
const force = process.argv.includes('--force');
const verbose = required || process.argv.includes('--verbose');

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

if (process.platform === 'win32') skip('no build recipe for Windows (build it under WSL, where the Linux recipe applies)');
if (process.platform !== 'linux' && process.platform !== 'darwin') skip(`no build recipe for ${process.platform}`);
const compiler = process.env.CXX || (process.platform === 'darwin' ? 'clang++' : 'g++');
if (spawnSync(compiler, ['--version'], { stdio: 'ignore' }).status !== 0) skip(`no C++ compiler (${compiler})`);

// The kernels need OpenMP; Apple's clang has none (it rejects -fopenmp), which would otherwise
// surface as a wall of compiler errors.
function hasOpenMp() {
  const dir = mkdtempSync(join(tmpdir(), 'bus-lab-openmp-'));
  try {
    writeFileSync(join(dir, 'probe.cc'), '#include <omp.h>\nint main() { return omp_get_max_threads() > 0 ? 0 : 1; }\n');
    return spawnSync(compiler, ['-fopenmp', join(dir, 'probe.cc'), '-o', join(dir, 'probe')], { stdio: 'ignore' }).status === 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
if (!hasOpenMp()) {
  skip(
    process.platform === 'darwin'
      ? `${compiler} has no OpenMP (Apple's clang; see docs/PERFORMANCE.md for Homebrew's llvm, libomp and onednn)`
      : `${compiler} has no OpenMP (-fopenmp failed)`,
  );
}

const dnnlRoot = process.env.DNNL_ROOT;
const includeCandidates = dnnlRoot ? [join(dnnlRoot, 'include')] : ['/usr/include', '/usr/local/include'];
const oneDnnInclude = includeCandidates.find((dir) => existsSync(join(dir, 'oneapi', 'dnnl', 'dnnl.hpp')));
if (!oneDnnInclude) skip(`oneDNN headers not found in ${includeCandidates.join(', ')} (apt-get install libdnnl-dev, or set DNNL_ROOT)`);
// On Linux the addon's own folder comes first ($ORIGIN), as DT_RPATH rather than DT_RUNPATH: an
// RPATH also serves the libraries' own dependencies (libdnnl's libgomp and libOpenCL), so a folder
// holding the addon, libdnnl and those needs nothing from the system's library path; where they
// are not there, the usual places are searched. With DNNL_ROOT the addon also records where
// libdnnl is, so it loads without LD_LIBRARY_PATH.
const libraryArgs = [
  ...(process.platform === 'linux' ? ['-Wl,--disable-new-dtags', '-Wl,-rpath,$ORIGIN'] : []),
  ...(dnnlRoot ? [`-L${join(dnnlRoot, 'lib')}`, `-Wl,-rpath,${join(dnnlRoot, 'lib')}`] : []),
];

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
if (process.platform === 'linux') {
  // Never unmapped: Node unloads an addon when the last worker thread that loaded it exits, and
  // OpenMP's pool threads (still parked in libgomp) then crash the process (SIGSEGV, measured).
  args.push('-Wl,-z,nodelete');
  args.push('-ldl');
}
const started = Date.now();
const result = spawnSync(compiler, args, verbose ? { stdio: 'inherit' } : { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
if (result.status !== 0) {
  rmSync(temp, { force: true });
  const text = `${result.stdout ?? ''}\n${result.stderr ?? ''}`;
  const firstError = text.split('\n').find((line) => /\berror\b/i.test(line))?.trim();
  skip(`${compiler} failed (exit ${result.status}${firstError ? `: ${firstError.slice(0, 200)}` : ''}${verbose ? '' : '; --verbose shows its output'})`);
}
renameSync(temp, output);
console.log(`native accelerator built: ${output} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
