// Builds the platform package: the universal .vsix's files plus the native accelerator
// (dist/native/bus-lab-accelerator.node), the shared libraries it loads that a bare Debian or
// Ubuntu lacks (oneDNN, and what oneDNN links: libgomp, libOpenCL), and their licences and
// notices. The addon finds the libraries beside it through its RPATH of $ORIGIN
// (build-native.mjs), so the package needs nothing from the system's library path.
//
// It packages what `npm run build` (or `build --production`) left in dist/, from a staging folder,
// so dist/ stays as it was. Linux only: the libraries are the ones this machine's addon links.
//
//   node scripts/package-platform.mjs [--target linux-x64] [--out FILE.vsix]
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const arg = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const target = arg('--target') ?? 'linux-x64';
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const out = resolve(arg('--out') ?? join(root, `${manifest.name}-${target}-${manifest.version}.vsix`));
const addonFile = 'bus-lab-accelerator.node';
const addon = join(root, 'dist', 'native', addonFile);

function fail(message) {
  console.error(`package-platform: ${message}`);
  process.exit(1);
}

const here = `${process.platform}-${process.arch}`;
if (target !== 'linux-x64' && target !== 'linux-arm64') fail(`no recipe for target ${target} (linux-x64 and linux-arm64 are packaged on a machine of that platform)`);
if (target !== here) fail(`target ${target} must be packaged on ${target}; this machine is ${here}`);
if (!existsSync(join(root, 'dist', 'extension.js'))) fail('dist/extension.js is missing: run npm run build first');
if (!existsSync(addon)) fail(`${addon} is missing: install libdnnl-dev (or set DNNL_ROOT) and run npm run build:native`);
// Builds from before the RPATH would load the system's oneDNN, not the one shipped beside them.
if (!readFileSync(addon).includes('$ORIGIN')) fail(`${addon} has no RPATH $ORIGIN (an older build): run npm run build:native`);

// Libraries every Debian or Ubuntu has (glibc, the C++ runtime; the Node binary itself links the
// last two), and the loader's own entries. Everything else the addon loads travels with it.
const SYSTEM = /^(linux-vdso\.so|ld-linux.*\.so|libc\.so|libm\.so|libdl\.so|librt\.so|libpthread\.so|libstdc\+\+\.so|libgcc_s\.so)/;

/** The shared libraries the addon loads (its own and theirs), as { soname, path }, from ldd. */
function linkedLibraries(file) {
  const r = spawnSync('ldd', [file], { encoding: 'utf8' });
  if (r.status !== 0) fail(`ldd ${file} failed: ${(r.stderr || r.error?.message || '').trim().split('\n')[0]}`);
  const libs = [];
  for (const line of r.stdout.split('\n')) {
    const m = /^\s*(\S+)\s+=>\s+(.+?)(?:\s+\(0x[0-9a-f]+\))?\s*$/.exec(line);
    if (!m) continue;
    if (m[2] === 'not found') fail(`${file} needs ${m[1]}, which this machine lacks`);
    libs.push({ soname: m[1], path: m[2] });
  }
  return libs;
}

/** The Debian package that installed `path`, or undefined (another installation, e.g. DNNL_ROOT). */
function debianPackage(path) {
  const real = realpathSync(path);
  for (const p of [...new Set([path, real, path.replace(/^\/lib\//, '/usr/lib/'), real.replace(/^\/lib\//, '/usr/lib/')])]) {
    const r = spawnSync('dpkg-query', ['-S', p], { encoding: 'utf8' });
    if (r.status === 0) {
      const pkg = r.stdout.split(':')[0].trim();
      const version = spawnSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' }).stdout.trim();
      return { name: pkg, version };
    }
  }
  return undefined;
}

/**
 * Copies a library's licence and notices into `dir`; returns the files written (relative to dir).
 * Debian: the package's copyright file plus the common licence texts it refers to. Elsewhere:
 * LICENSE and THIRD-PARTY-PROGRAMS-like files under <prefix>/share/doc/ (oneDNN's release layout).
 */
function copyLicences(lib, pkg, dir) {
  const written = [];
  const copy = (from, name) => {
    cpSync(realpathSync(from), join(dir, name), { dereference: true });
    written.push(name);
  };
  if (pkg) {
    const copyright = `/usr/share/doc/${pkg.name}/copyright`;
    if (!existsSync(copyright)) fail(`${copyright} is missing: cannot ship ${lib.soname} without its licence`);
    copy(copyright, `${pkg.name}.copyright.txt`);
    const text = readFileSync(copyright, 'utf8');
    for (const m of new Set(text.match(/\/usr\/share\/common-licenses\/[A-Za-z0-9.+_-]*[A-Za-z0-9+]/g) ?? [])) {
      if (existsSync(m) && !written.includes(`common-licenses/${basename(m)}`)) {
        mkdirSync(join(dir, 'common-licenses'), { recursive: true });
        copy(m, `common-licenses/${basename(m)}`);
      }
    }
    return written;
  }
  const prefix = dirname(dirname(realpathSync(lib.path)));
  const docs = join(prefix, 'share', 'doc');
  const found = spawnSync('find', [docs, '-maxdepth', '2', '-type', 'f', '(', '-iname', 'LICENSE*', '-o', '-iname', 'THIRD-PARTY*', '-o', '-iname', 'NOTICE*', ')'], { encoding: 'utf8' });
  const files = found.status === 0 ? found.stdout.split('\n').filter(Boolean) : [];
  if (files.length === 0) fail(`no licence found for ${lib.path} (looked for LICENSE/THIRD-PARTY-PROGRAMS under ${docs})`);
  for (const f of files) copy(f, `${lib.soname}.${basename(dirname(f))}.${basename(f)}`);
  return written;
}

const started = Date.now();
const stage = mkdtempSync(join(tmpdir(), 'bus-lab-package-'));
// On every exit, fail() included.
process.on('exit', () => rmSync(stage, { recursive: true, force: true }));
{
  // The universal package's files (the same .vscodeignore decides what goes in).
  for (const p of ['package.json', 'README.md', 'LICENSE', '.vscodeignore', 'api', 'media', 'docs', 'dist']) {
    if (existsSync(join(root, p))) cpSync(join(root, p), join(stage, p), { recursive: true, filter: (src) => !src.startsWith(join(root, 'dist', 'native')) });
  }
  const native = join(stage, 'dist', 'native');
  const licences = join(native, 'licenses');
  mkdirSync(licences, { recursive: true });
  cpSync(addon, join(native, addonFile));

  const bundled = linkedLibraries(addon).filter((l) => !SYSTEM.test(l.soname));
  if (!bundled.some((l) => l.soname.startsWith('libdnnl.so'))) fail(`${addon} does not link libdnnl (ldd shows ${bundled.map((l) => l.soname).join(', ') || 'no other library'})`);
  const notices = [
    '# Third-party libraries in dist/native',
    '',
    `The native accelerator (${addonFile}, MIT like the rest of BUS Lab) loads these libraries from this`,
    'folder. Each keeps its own licence; the texts are in licenses/.',
    '',
    '| file | from | licence files |',
    '|---|---|---|',
  ];
  for (const lib of bundled) {
    cpSync(realpathSync(lib.path), join(native, lib.soname));
    const pkg = debianPackage(lib.path);
    const files = copyLicences(lib, pkg, licences);
    const from = pkg ? `Debian/Ubuntu package ${pkg.name} ${pkg.version}` : realpathSync(lib.path);
    notices.push(`| ${lib.soname} | ${from} | ${files.map((f) => `licenses/${f}`).join(', ')} |`);
  }
  writeFileSync(join(native, 'THIRD-PARTY-NOTICES.md'), notices.join('\n') + '\n');

  // The universal rules plus the native folder.
  const ignore = readFileSync(join(stage, '.vscodeignore'), 'utf8') + [`!dist/native/${addonFile}`, '!dist/native/*.so*', '!dist/native/THIRD-PARTY-NOTICES.md', '!dist/native/licenses/**', ''].join('\n');
  writeFileSync(join(stage, '.vscodeignore'), ignore);

  const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  if (!existsSync(vsce)) fail('@vscode/vsce is not installed (npm install)');
  const temp = join(stage, 'package.vsix');
  const r = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--target', target, '--out', temp], { cwd: stage, encoding: 'utf8' });
  if (r.status !== 0) fail(`vsce failed (exit ${r.status}): ${`${r.stderr}\n${r.stdout}`.trim().split('\n').find((l) => /error/i.test(l)) ?? r.stderr.trim().split('\n')[0]}`);
  mkdirSync(dirname(out), { recursive: true });
  // Into place by rename (same folder), so a reader never sees a half-written package.
  cpSync(temp, `${out}.${process.pid}.tmp`);
  renameSync(`${out}.${process.pid}.tmp`, out);
  const mb = (statSync(out).size / 1024 / 1024).toFixed(1);
  console.log(`${out}: ${mb} MB, ${target}, with ${addonFile} and ${bundled.map((l) => l.soname).join(', ')} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
