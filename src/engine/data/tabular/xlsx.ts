/** Reads the first sheet of an .xlsx workbook (read-excel-file, pure JS) as a table. */
import { access } from 'node:fs/promises';
import { readSheet } from 'read-excel-file/node';
import { DatasetError, oneLine } from '../errors';
import { Table, tableFromRows } from './table';

export async function readXlsxTable(file: string): Promise<Table> {
  try {
    await access(file);
  } catch {
    throw new DatasetError(`${file}: file not found`);
  }
  let data: unknown[][];
  try {
    data = (await readSheet(file)) as unknown[][];
  } catch (err) {
    throw new DatasetError(`${file}: not a readable .xlsx workbook (${oneLine(err)})`);
  }
  if (data.length === 0) throw new DatasetError(`${file}: the first sheet is empty, expected a header row`);
  return tableFromRows(file, data[0], data.slice(1));
}
