/**
 * scripts/build-native.mjs: optional by default (a missing prerequisite is a message and exit 0,
 * so `npm run build` works everywhere), an error with --require (what CI uses), and never a stale
 * or half-written addon left loadable. Every case builds into a temporary folder, never the
 * project's dist/native, which other tests load.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';

const root = join(__dirname, '..', '..');
const script = join(root, 'scripts', 'build-native.mjs');

describe('build-native', () => {
  let dir = '';
  let out = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bus-lab-build-native-'));
    out = join(dir, 'out');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const build = (args: string[], env: Record<string, string>) =>
    spawnSync(process.execPath, [script, '--out', out, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } });

  /** A shell-script "compiler": answers --version, then runs `body` with the arguments in $*. */
  const fakeCompiler = (body: string) => {
    const cxx = join(dir, 'cxx');
    writeFileSync(cxx, `#!/bin/sh\n[ "$1" = "--version" ] && exit 0\n${body}\n`);
    chmodSync(cxx, 0o755);
    return cxx;
  };

  /** An addon file from an "older build" in the output folder. */
  const olderBuild = () => {
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'bus-lab-accelerator.node'), 'an older build');
  };

  it('skips with a one-line reason and exit 0 when the compiler is missing', () => {
    const r = build(['--force'], { CXX: '/nonexistent/c++' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout.trim(), /^native accelerator not built: no C\+\+ compiler \(\/nonexistent\/c\+\+\); the engine uses its wasm kernels/);
    assert.equal(r.stdout.trim().split('\n').length, 1);
  });

  it('fails with --require when the compiler is missing', () => {
    const r = build(['--force', '--require'], { CXX: '/nonexistent/c++' });
    assert.equal(r.status, 1);
    assert.match(r.stderr.trim(), /^error: native accelerator not built: no C\+\+ compiler/);
  });

  it('removes an older build when a rebuild is due and cannot happen', () => {
    olderBuild();
    const r = build(['--force'], { CXX: '/nonexistent/c++' });
    assert.equal(r.status, 0);
    assert.match(r.stdout, /removed the previous build/);
    assert.deepEqual(readdirSync(out), []);
  });

  it('removes an older build and leaves no temporary file when compilation fails', (t) => {
    if (!existsSync('/usr/include/oneapi/dnnl/dnnl.hpp')) {
      t.skip('oneDNN headers not installed: the build stops before compiling');
      return;
    }
    olderBuild();
    // A "compiler" that answers --version, passes the OpenMP probe and fails on the addon itself
    // with a page of errors, as a real one would.
    const cxx = fakeCompiler('case "$*" in *-shared*) for i in 1 2 3 4 5 6 7 8 9 10; do echo "src.cc:$i:1: error: deliberate failure $i" >&2; done; exit 1;; esac\nexit 0');
    const r = build(['--force'], { CXX: cxx });
    assert.equal(r.status, 0);
    assert.equal(r.stdout.trim().split('\n').length, 1, 'one line, not the compiler\'s error wall');
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /native accelerator not built: .*cxx failed \(exit 1: src\.cc:1:1: error: deliberate failure 1; --verbose shows its output\); removed the previous build/);
    assert.deepEqual(readdirSync(out), [], 'neither the older addon nor a temporary file is left');
  });

  it('says in one line that a compiler without OpenMP (macOS\'s default clang) cannot build it', () => {
    olderBuild();
    // Like Apple's clang: answers --version, rejects -fopenmp with errors.
    const cxx = fakeCompiler('case "$*" in *-fopenmp*) echo "clang: error: unsupported option \'-fopenmp\'" >&2; exit 1;; esac\nexit 0');
    const r = build(['--force'], { CXX: cxx });
    assert.equal(r.status, 0);
    assert.equal(r.stderr, '');
    assert.match(r.stdout.trim(), /^native accelerator not built: .*cxx has no OpenMP \(-fopenmp failed\); removed the previous build; the engine uses its wasm kernels/);
    assert.equal(r.stdout.trim().split('\n').length, 1);
    assert.deepEqual(readdirSync(out), []);
  });

  it('shows the compiler\'s output with --verbose', (t) => {
    if (!existsSync('/usr/include/oneapi/dnnl/dnnl.hpp')) {
      t.skip('oneDNN headers not installed: the build stops before compiling');
      return;
    }
    const cxx = fakeCompiler('case "$*" in *-shared*) echo "src.cc:1:1: error: deliberate failure" >&2; exit 1;; esac\nexit 0');
    const r = build(['--force', '--verbose'], { CXX: cxx });
    assert.equal(r.status, 0);
    assert.match(r.stderr, /src\.cc:1:1: error: deliberate failure/);
  });
});
