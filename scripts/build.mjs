// Bundles the extension host, the engine worker, the CLI and the webviews with esbuild, copies the
// wasm binaries next to the bundles so both the CLI and the packaged extension find them, and
// builds the optional native accelerator where its prerequisites are present (build-native.mjs).
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

// A production build (the .vsix) starts from an empty dist/ so no stale bundle or source map ships.
if (production) rmSync(join(root, 'dist'), { recursive: true, force: true });

const nodeTargets = [
  { in: 'src/extension/extension.ts', out: 'extension' },
  { in: 'src/engine/worker/engineWorker.ts', out: 'engine-worker' },
  { in: 'src/cli/main.ts', out: 'cli' },
  // Extension-host tests, loaded by the e2e harness inside VS Code (dist/test/extension-host.js).
  { in: 'test/e2e/extension-host/index.ts', out: 'test/extension-host' },
].filter((e) => existsSync(join(root, e.in)));

// Each webview is a folder under src/webviews; the one with an app/main.ts is bundled for the browser
// into dist/webview/<name>.js (the path the panels' HTML loads).
const webviewDir = join(root, 'src/webviews');
const webviewTargets = existsSync(webviewDir)
  ? readdirSync(webviewDir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(webviewDir, d.name, 'app', 'main.ts')))
      .map((d) => ({ in: `src/webviews/${d.name}/app/main.ts`, out: `webview/${d.name}` }))
  : [];

// In watch mode the VS Code task's problem matcher needs to see when each rebuild starts and ends.
const watchMarkers = {
  name: 'watch-markers',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => console.log(`[watch] build finished with ${result.errors.length} error(s)`));
  },
};

const common = {
  bundle: true,
  plugins: watch ? [watchMarkers] : [],
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  absWorkingDir: root,
};

const contexts = [
  await esbuild.context({
    ...common,
    entryPoints: nodeTargets,
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // vscode is provided by the host; the native TensorFlow bindings are optional and loaded at
    // run time from node_modules or a user-configured folder.
    external: ['vscode', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
  }),
];
if (webviewTargets.length > 0) {
  contexts.push(
    await esbuild.context({
      ...common,
      entryPoints: webviewTargets,
      outdir: 'dist',
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
      loader: { '.css': 'text' },
    }),
  );
}

function copyWasm() {
  const src = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  const dest = join(root, 'dist/wasm');
  mkdirSync(dest, { recursive: true });
  for (const f of readdirSync(src).filter((f) => f.endsWith('.wasm'))) cpSync(join(src, f), join(dest, f));
  const own = join(root, 'native/build');
  if (existsSync(own)) for (const f of readdirSync(own).filter((f) => f.endsWith('.wasm'))) cpSync(join(own, f), join(dest, f));
}

function buildNative() {
  const result = spawnSync(process.execPath, [join(root, 'scripts', 'build-native.mjs')], { stdio: 'inherit' });
  if (result.status !== 0) process.exitCode = result.status ?? 1;
}

if (watch) {
  copyWasm();
  buildNative();
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
  copyWasm();
  buildNative();
}
