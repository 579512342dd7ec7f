/** CSV reading and writing (RFC 4180: quotes, doubled quotes, CRLF), and Markdown tables. */

export interface CsvTable {
  header: string[];
  rows: string[][];
}

/** Parses CSV text. Blank lines are skipped; rows shorter than the header are padded with ''. */
export function parseCsv(text: string): CsvTable {
  const records: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const endRow = () => {
    row.push(field);
    field = '';
    if (!(row.length === 1 && row[0] === '')) records.push(row);
    row = [];
  };
  while (i < src.length) {
    const c = src[i];
    if (quoted) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
      i++;
    } else if (c === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (c === '\r' || c === '\n') {
      endRow();
      i += c === '\r' && src[i + 1] === '\n' ? 2 : 1;
    } else {
      field += c;
      i++;
    }
  }
  if (field !== '' || row.length > 0) endRow();
  const header = (records.shift() ?? []).map((h) => h.trim());
  const rows = records.map((r) => (r.length < header.length ? [...r, ...new Array<string>(header.length - r.length).fill('')] : r));
  return { header, rows };
}

export function csvEscape(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
  // Neutralise spreadsheet formulas in text cells (CSV injection).
  const safe = typeof v === 'string' && /^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [header, ...rows].map((r) => r.map(csvEscape).join(',')).join('\n') + '\n';
}

function mdCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** A GitHub-flavoured Markdown table; `align` per column: 'l' | 'r' | 'c'. */
export function toMarkdownTable(header: readonly string[], rows: readonly (readonly unknown[])[], align?: readonly ('l' | 'r' | 'c')[]): string {
  const sep = header.map((_, i) => {
    const a = align?.[i] ?? 'l';
    return a === 'r' ? '---:' : a === 'c' ? ':---:' : '---';
  });
  const line = (cells: readonly unknown[]) => `| ${cells.map(mdCell).join(' | ')} |`;
  return [line(header), `| ${sep.join(' | ')} |`, ...rows.map(line)].join('\n') + '\n';
}
