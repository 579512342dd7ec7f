/**
 * The project's one CSV reader and writer for Node code (RFC 4180 quoting, any one-character
 * delimiter, BOM and CRLF tolerant): dataset tables, per_image.csv, predictions.csv.
 */
import { readFile } from 'node:fs/promises';
import { DatasetError, oneLine } from '../errors';
import { Table, tableFromRows } from './table';

/** Splits CSV text into rows of cells. Quoted cells may hold delimiters, quotes ("") and newlines. */
export function parseCsv(text: string, delimiter = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += ch;
    } else if (ch === '"' && cell === '') {
      quoted = true;
    } else if (ch === delimiter) {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** One CSV line (no newline): cells holding a quote, comma or line break are quoted, quotes doubled. */
export function csvLine(cells: readonly string[]): string {
  return cells.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',');
}

/** Reads a CSV file whose first row holds the column titles. */
export async function readCsvTable(file: string, delimiter = ','): Promise<Table> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DatasetError(code === 'ENOENT' ? `${file}: file not found` : `${file}: cannot read (${oneLine(err)})`);
  }
  const rows = parseCsv(text, delimiter);
  if (rows.length === 0) throw new DatasetError(`${file}: empty file, expected a header row`);
  return tableFromRows(file, rows[0], rows.slice(1));
}
