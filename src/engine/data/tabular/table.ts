/**
 * A spreadsheet or CSV file as rows of strings keyed by column title. Column titles are matched
 * without regard to case or surrounding spaces, because the published files are not consistent.
 */
import { DatasetError } from '../errors';

export interface Table {
  /** The file it came from, for error messages. */
  file: string;
  /** Column titles as written in the file. */
  columns: string[];
  /** One record per data row, keyed by the column title as written; empty cells are ''. */
  rows: Record<string, string>[];
}

function normalise(title: string): string {
  return title.trim().toLowerCase();
}

/** Builds a table from a header row and data rows; wholly empty rows are dropped. */
export function tableFromRows(file: string, header: unknown[], data: unknown[][]): Table {
  const columns = header.map((h) => cellText(h));
  const rows: Record<string, string>[] = [];
  for (const raw of data) {
    const cells = raw.map((c) => cellText(c));
    if (cells.every((c) => c === '')) continue;
    const row: Record<string, string> = {};
    columns.forEach((col, i) => {
      if (col !== '') row[col] = cells[i] ?? '';
    });
    rows.push(row);
  }
  return { file, columns, rows };
}

/** Text of one cell: numbers without exponent noise, dates as ISO, empty for null. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  return String(value).trim();
}

/**
 * Checks that every required column exists and returns a getter that reads a column from a row by
 * its canonical name. The error names the file and every missing column.
 */
export function columnReader(table: Table, required: readonly string[]): (row: Record<string, string>, column: string) => string {
  const byNorm = new Map<string, string>();
  for (const c of table.columns) if (c !== '') byNorm.set(normalise(c), c);
  const missing = required.filter((r) => !byNorm.has(normalise(r)));
  if (missing.length > 0) {
    const found = table.columns.filter((c) => c !== '').join(', ') || 'none';
    throw new DatasetError(`${table.file}: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (found: ${found})`);
  }
  return (row, column) => {
    const actual = byNorm.get(normalise(column));
    return actual === undefined ? '' : (row[actual] ?? '');
  };
}
