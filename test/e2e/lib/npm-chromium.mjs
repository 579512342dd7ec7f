// The Chromium that ships inside the @sparticuz/chromium npm package (a devDependency), so that a
// bare machine runs the end-to-end suite without a system browser. The package keeps brotli-packed
// files in bin/: the browser, SwiftShader's GL libraries (looked up next to the binary), a font
// set with its fonts.conf, and the NSS/NSPR/expat libraries it links (built for Amazon Linux 2023;
// with them the browser needs only libc and libgcc from the system). Its own executablePath()
// unpacks into a fixed /tmp/chromium shared by every user and version, so this unpacks once into
// a versioned cache folder instead, and hands the library and font paths to the browser alone.
import { spawnSync } from 'node:child_process';
import { chmodSync, createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress } from 'node:zlib';

const PACKAGE = '@sparticuz/chromium';

/** The package's folder and version, or undefined when it is not installed. */
export function npmChromiumPackage() {
  const require = createRequire(import.meta.url);
  let main;
  try {
    main = require.resolve(PACKAGE);
  } catch {
    return undefined;
  }
  // Its exports map hides package.json; walk up from the entry point.
  for (let dir = dirname(main); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const m = JSON.parse(readFileSync(manifest, 'utf8'));
      if (m.name === PACKAGE) return { dir, version: m.version };
    }
  }
  return undefined;
}

async function unbrotli(file, target) {
  await pipeline(createReadStream(file), createBrotliDecompress(), createWriteStream(target, { mode: 0o755 }));
}

async function untarBrotli(file, targetDir) {
  // Through a file: tar stops reading at the archive's end marker, which a stream pipe reports
  // as a premature close.
  const tarFile = `${targetDir}.tar`;
  await unbrotli(file, tarFile);
  mkdirSync(targetDir, { recursive: true });
  const r = spawnSync('tar', ['-xf', tarFile, '-C', targetDir], { encoding: 'utf8' });
  rmSync(tarFile, { force: true });
  if (r.status !== 0) throw new Error(`tar failed on ${file} (exit ${r.status}): ${(r.stderr || r.error?.message || '').trim().split('\n')[0]}`);
}

/**
 * Unpacks the package's browser into `<cacheBase>/chromium-npm-<version>` once (a partial folder
 * renamed at the end, so a killed unpack never looks complete). Returns { executablePath, env,
 * version }: `env` holds what the browser process needs besides the caller's environment.
 */
export async function npmChromium(cacheBase, log = () => {}) {
  const pkg = npmChromiumPackage();
  if (!pkg) throw new Error(`${PACKAGE} is not installed (it is a devDependency: run npm install)`);
  if (process.platform !== 'linux' || !['x64', 'arm64'].includes(process.arch)) {
    throw new Error(`${PACKAGE} ships a Linux browser only (this is ${process.platform}-${process.arch}); set BUS_LAB_E2E_CHROMIUM to a Chromium binary`);
  }
  const dir = join(cacheBase, `chromium-npm-${pkg.version}`);
  const executablePath = join(dir, 'chromium');
  if (!existsSync(executablePath)) {
    const t0 = Date.now();
    log(`Unpacking ${PACKAGE} ${pkg.version} into ${dir} (once)...`);
    const bin = join(pkg.dir, 'bin');
    const work = `${dir}.partial-${process.pid}`;
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    try {
      await unbrotli(join(bin, 'chromium.br'), join(work, 'chromium'));
      chmodSync(join(work, 'chromium'), 0o755);
      await untarBrotli(join(bin, 'swiftshader.tar.br'), work);
      await untarBrotli(join(bin, 'fonts.tar.br'), join(work, 'fonts'));
      // The packaged fonts.conf names Lambda's folders; point it at the unpacked fonts (and the
      // system's, where there are any).
      writeFileSync(
        join(work, 'fonts', 'fonts.conf'),
        `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <dir>${join(dir, 'fonts', 'fonts')}</dir>\n  <dir>/usr/share/fonts</dir>\n  <cachedir>${join(dir, 'fonts-cache')}</cachedir>\n</fontconfig>\n`,
      );
      await untarBrotli(join(bin, 'al2023.tar.br'), join(work, 'al2023'));
      rmSync(dir, { recursive: true, force: true });
      renameSync(work, dir);
    } catch (e) {
      rmSync(work, { recursive: true, force: true });
      throw e;
    }
    log(`  unpacked in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  const libDir = join(dir, 'al2023', 'lib');
  const env = {
    LD_LIBRARY_PATH: [libDir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
    FONTCONFIG_PATH: join(dir, 'fonts'),
  };
  return { executablePath, env, version: pkg.version };
}
