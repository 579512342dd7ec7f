/**
 * The pure helpers of the benchmark scripts (bench/lib.mjs): medians that ignore missing values,
 * ratios and percentages that print '-' rather than inventing a figure, the rotated order of
 * cases, argument pass-through, and atomic result files.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { dateStem, fixed, integerList, lastJsonLine, markdownTable, median, option, percent, ratio, rotation, withoutOptions, writeJsonAtomic } from '../../bench/lib.mjs';

describe('benchmark script helpers', () => {
  it('takes medians of the numbers present, null when there are none', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 2, 3]), 2.5);
    assert.equal(median([5, null, undefined, 1]), 3);
    assert.equal(median([null]), null);
    assert.equal(median([]), null);
  });

  it('gives ratios only where the denominator is a positive number', () => {
    assert.equal(ratio(3, 2), 1.5);
    assert.equal(ratio(3, 0), null);
    assert.equal(ratio(null, 2), null);
    assert.equal(ratio(3, null), null);
  });

  it("formats numbers and fractions, '-' for a missing one", () => {
    assert.equal(fixed(1.234), '1.23');
    assert.equal(fixed(1.25, 1), '1.3');
    assert.equal(fixed(null), '-');
    assert.equal(percent(0.2534), '25.3%');
    assert.equal(percent(null), '-');
  });

  it('writes a markdown table', () => {
    assert.equal(markdownTable(['a', 'b'], [[1, '2']]), '| a | b |\n| --- | --- |\n| 1 | 2 |');
  });

  it('rotates the order of cases each round, each case first once per cycle', () => {
    const cases = ['solo', 'pair', 'busy'];
    assert.deepEqual(rotation(cases, 1), ['solo', 'pair', 'busy']);
    assert.deepEqual(rotation(cases, 2), ['pair', 'busy', 'solo']);
    assert.deepEqual(rotation(cases, 3), ['busy', 'solo', 'pair']);
    assert.deepEqual(rotation(cases, 4), rotation(cases, 1));
  });

  it('reads options and passes the rest through', () => {
    const argv = ['--rounds', '2', '--threads', '2', '--cases', 'solo,busy', '--steps', '3'];
    assert.equal(option(argv, 'rounds', '3'), '2');
    assert.equal(option(argv, 'size', '128'), '128');
    assert.deepEqual(withoutOptions(argv, ['rounds', 'cases']), ['--threads', '2', '--steps', '3']);
    assert.deepEqual(integerList('96, 128,256', 'sizes'), [96, 128, 256]);
    assert.throws(() => integerList('96,x', 'sizes'), /--sizes must be a comma-separated list/);
    assert.throws(() => integerList('0', 'batches'), /--batches/);
  });

  it("finds the CLI's JSON line after other output", () => {
    assert.deepEqual(lastJsonLine('backend wasm\n{"a":1}\n{"b":2}\n'), { b: 2 });
    assert.equal(lastJsonLine('no json here'), undefined);
  });

  it('names result files by date and writes them whole', () => {
    assert.equal(dateStem(new Date('2026-11-30T20:15:00.123Z')), '2026-11-30T20-15-00-123Z');
    const dir = mkdtempSync(join(tmpdir(), 'bus-lab-bench-'));
    try {
      const file = join(dir, 'r.json');
      writeJsonAtomic(file, { x: 1 });
      assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { x: 1 });
      assert.deepEqual(readdirSync(dir), ['r.json'], 'no temporary file left');
      assert.ok(existsSync(file));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
