// Small pure helpers shared by the benchmark scripts (compare, scaling, contention); unit-tested in
// test/unit/bench-scripts.test.ts.
import { renameSync, writeFileSync } from 'node:fs';

/** The value after `--name` in argv, else `fallback`. */
export function option(argv, name, fallback) {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
}

/** A comma-separated list of positive integers ("96,128"); throws a one-line error naming the option. */
export function integerList(text, name) {
  const values = String(text)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (values.length === 0 || !values.every((s) => /^[1-9]\d*$/.test(s))) throw new Error(`--${name} must be a comma-separated list of positive integers, got '${text}'`);
  return values.map(Number);
}

/** argv without the named options and their values (what a script forwards to `bus-lab bench`). */
export function withoutOptions(argv, names) {
  const out = [];
  for (let i = 0; i < argv.length; i++) {
    if (names.includes(argv[i].replace(/^--/, '')) && argv[i].startsWith('--')) {
      i++;
      continue;
    }
    out.push(argv[i]);
  }
  return out;
}

export function median(values) {
  const s = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (s.length === 0) return null;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** a / b, or null when either is missing or b is not positive. */
export function ratio(a, b) {
  return typeof a === 'number' && typeof b === 'number' && Number.isFinite(a) && b > 0 ? a / b : null;
}

/** A number with `digits` decimals, or '-' for null/undefined. */
export function fixed(x, digits = 2) {
  return typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '-';
}

/** A fraction as a percentage ("25.3%"), or '-' when there is none. */
export function percent(fraction, digits = 1) {
  return typeof fraction === 'number' && Number.isFinite(fraction) ? `${(100 * fraction).toFixed(digits)}%` : '-';
}

/** A markdown table. */
export function markdownTable(headers, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The last line of stdout that parses as a JSON object (the CLI's --json result). */
export function lastJsonLine(stdout) {
  const line = String(stdout)
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .pop();
  return line ? JSON.parse(line) : undefined;
}

/**
 * The order of the cases in round `round` (1-based): rotated by one each round, so that each case
 * runs first, middle and last equally often and slow drift of the machine's load hits all alike.
 */
export function rotation(cases, round) {
  const k = (round - 1) % cases.length;
  return [...cases.slice(k), ...cases.slice(0, k)];
}

/** A date as a file-name stem: 2026-11-30T20-15-00-000Z. */
export function dateStem(date) {
  return date.toISOString().replace(/[:.]/g, '-');
}

/** Writes JSON through a temporary file and a rename, so a reader never sees half a file. */
export function writeJsonAtomic(file, value) {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(value, null, 2) + '\n');
  renameSync(temp, file);
}
