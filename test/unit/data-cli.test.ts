import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CliIO, UsageError } from '../../src/cli/command';
import { datasetsCommand } from '../../src/cli/commands/datasets';
import { makeBusiFixture, tempDir } from '../helpers/datasets';

function fakeIO(json = false): CliIO & { lines: string[]; warnings: string[]; results: unknown[] } {
  const lines: string[] = [];
  const warnings: string[] = [];
  const results: unknown[] = [];
  return {
    lines,
    warnings,
    results,
    json,
    isTTY: false,
    signal: new AbortController().signal,
    info: (l) => lines.push(l),
    warn: (l) => warnings.push(l),
    result: (v) => results.push(v),
  };
}

test('datasets list prints every kind with a description', async () => {
  const io = fakeIO();
  assert.equal(await datasetsCommand.run(['list'], io), 0);
  assert.equal(io.lines.length, 7);
  assert.match(io.lines.join('\n'), /^synthetic +built-in B-mode phantom/m);
});

test('datasets check prints a table and returns the report; --strict fails on findings', async () => {
  const { dir, cleanup } = tempDir();
  try {
    makeBusiFixture(dir);
    const io = fakeIO(true);
    assert.equal(await datasetsCommand.run(['check', `busi:${dir}`, '--json'], io), 0);
    const text = io.lines.join('\n');
    assert.match(text, /benign +2/);
    assert.match(text, /exact duplicate groups +0/);
    assert.match(text, /no problems found/);
    const report = io.results[0] as { counts: Record<string, number>; problems: number };
    assert.deepEqual(report.counts, { benign: 2, malignant: 1, normal: 1 });
    assert.equal(await datasetsCommand.run(['check', 'synthetic:site-a?count=2', '--strict'], fakeIO()), 0);
    rmSync(join(dir, 'Dataset_BUSI_with_GT', 'benign', 'benign (2)_mask.png'));
    const strict = fakeIO();
    assert.equal(await datasetsCommand.run(['check', `busi:${dir}`, '--strict'], strict), 1);
    assert.match(strict.lines.join('\n'), /images without masks +1/);
  } finally {
    cleanup();
  }
});

test('datasets load reports counts and cache use', async () => {
  const { dir, cleanup } = tempDir();
  try {
    makeBusiFixture(dir);
    const cache = `${dir}/cache`;
    const first = fakeIO();
    await datasetsCommand.run(['load', `busi:${dir}`, '--size', '16', '--cache-dir', cache], first);
    const second = fakeIO();
    await datasetsCommand.run(['load', `busi:${dir}`, '--size', '16', '--cache-dir', cache], second);
    assert.match(second.lines.join('\n'), /from cache +4/);
    assert.deepEqual((second.results[0] as { counts: unknown }).counts, { benign: 2, malignant: 1, normal: 1 });
  } finally {
    cleanup();
  }
});

test('bad usage and bad specs are UsageErrors (main maps them to exit code 2)', async () => {
  await assert.rejects(datasetsCommand.run([], fakeIO()), UsageError);
  await assert.rejects(datasetsCommand.run(['frobnicate'], fakeIO()), /unknown action 'frobnicate'/);
  await assert.rejects(datasetsCommand.run(['check'], fakeIO()), /needs a SPEC/);
  await assert.rejects(datasetsCommand.run(['check', 'imagenet:/x'], fakeIO()), (err: Error) => err instanceof UsageError && /unknown dataset kind 'imagenet'/.test(err.message));
  await assert.rejects(datasetsCommand.run(['load', 'busi:/no/such/dir'], fakeIO()), (err: Error) => err instanceof UsageError && /\/no\/such\/dir does not exist/.test(err.message));
});
