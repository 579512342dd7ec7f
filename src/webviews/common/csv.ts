/**
 * The webviews' exports: CSV (RFC 4180 quoting; text cells that a spreadsheet would run as a
 * formula are neutralised) and Markdown tables, built in the browser. Files are read by the
 * engine's one CSV reader (src/engine/data/tabular/csv.ts), never here.
 */
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
