import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCsv, readCsvTable } from '../../src/engine/data/tabular/csv';
import { columnReader } from '../../src/engine/data/tabular/table';
import { readXlsxTable } from '../../src/engine/data/tabular/xlsx';
import { tempDir, writeXlsx } from '../helpers/datasets';

test('CSV: quotes, embedded delimiters and newlines, CRLF, BOM, other delimiters', () => {
  assert.deepEqual(parseCsv('\ufeffa,b\r\n1,"x, ""y"""\n2,"two\nlines"\n'), [
    ['a', 'b'],
    ['1', 'x, "y"'],
    ['2', 'two\nlines'],
  ]);
  assert.deepEqual(parseCsv('Image;Label\nA_001.png;Benign', ';'), [
    ['Image', 'Label'],
    ['A_001.png', 'Benign'],
  ]);
});

test('columns match without regard to case and spaces; missing ones are named with the file', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'labels.csv');
    writeFileSync(file, ' File ,LABEL\na.png,benign\n');
    const table = await readCsvTable(file);
    const col = columnReader(table, ['file', 'label']);
    assert.equal(col(table.rows[0], 'label'), 'benign');
    assert.throws(() => columnReader(table, ['file', 'patient', 'side']), new RegExp(`${file}: missing columns patient, side \\(found: File, LABEL\\)$`));
    await assert.rejects(readCsvTable(join(dir, 'nope.csv')), /nope.csv: file not found/);
  } finally {
    cleanup();
  }
});

test('xlsx: first sheet as strings; numbers keep their value; a missing or broken file is named', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'clinical.xlsx');
    await writeXlsx(file, [
      ['CaseID', 'Pixel_size', 'BIRADS', 'Empty'],
      [1, 0.0078125, '4a', null],
      [2, 0.01, 3, null],
    ]);
    const table = await readXlsxTable(file);
    assert.deepEqual(table.columns, ['CaseID', 'Pixel_size', 'BIRADS', 'Empty']);
    assert.deepEqual(table.rows[0], { CaseID: '1', Pixel_size: '0.0078125', BIRADS: '4a', Empty: '' });
    assert.equal(table.rows[1].BIRADS, '3');
    await assert.rejects(readXlsxTable(join(dir, 'missing.xlsx')), /missing.xlsx: file not found/);
    writeFileSync(join(dir, 'bad.xlsx'), 'not a zip');
    await assert.rejects(readXlsxTable(join(dir, 'bad.xlsx')), /bad.xlsx: not a readable .xlsx workbook/);
  } finally {
    cleanup();
  }
});
