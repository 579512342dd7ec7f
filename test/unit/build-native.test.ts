/**
 * scripts/build-native.mjs: optional by default (a missing prerequisite is a message and exit 0,
 * so `npm run build` works everywhere), an error with --require (what CI uses), and never a
 * half-written addon.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const root = join(__dirname, '..', '..');
const script = join(root, 'scripts', 'build-native.mjs');

function build(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, [script, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } });
}

describe('build-native', () => {
  it('skips with a one-line reason and exit 0 when the compiler is missing', () => {
    const r = build(['--force'], { CXX: '/nonexistent/c++' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout.trim(), /^native accelerator not built: no C\+\+ compiler \(\/nonexistent\/c\+\+\); the engine uses its wasm kernels/);
  });

  it('fails with --require when the compiler is missing', () => {
    const r = build(['--force', '--require'], { CXX: '/nonexistent/c++' });
    assert.equal(r.status, 1);
    assert.match(r.stderr.trim(), /^error: native accelerator not built: no C\+\+ compiler/);
  });

  it('removes a previous (now stale) addon and leaves no temporary file when compilation fails', (t) => {
    if (!existsSync('/usr/include/oneapi/dnnl/dnnl.hpp')) {
      t.skip('oneDNN headers not installed: the build stops before compiling');
      return;
    }
    // A "compiler" that answers --version and fails to compile.
    const dir = mkdtempSync(join(tmpdir(), 'bus-lab-cxx-'));
    const cxx = join(dir, 'cxx');
    writeFileSync(cxx, '#!/bin/sh\n[ "$1" = "--version" ] && exit 0\necho "cxx: deliberate failure" >&2\nexit 1\n');
    chmodSync(cxx, 0o755);
    const out = join(dir, 'out');
    mkdirSync(out);
    const output = join(out, 'bus-lab-accelerator.node');
    writeFileSync(output, 'an older build');
    try {
      const r = build(['--force', '--out', out], { CXX: cxx });
      assert.equal(r.status, 0);
      assert.match(r.stdout, /native accelerator not built: .*cxx failed \(exit 1\); removed the previous build/);
      assert.deepEqual(readdirSync(out), [], 'neither the stale addon nor a temporary file is left');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
