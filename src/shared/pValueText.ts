/**
 * p-values and significance marks as comparison.md and the Ablation Comparison view print them.
 * Formatting only (the tests are the engine's); a leaf in src/shared so the engine and the webview
 * apps, which may not import the engine, print the same text.
 */

/** "<0.001", 4 decimals below 0.01, else 3; "" when there is no p. */
export function formatP(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '';
  if (p < 0.001) return '<0.001';
  return p < 0.01 ? p.toFixed(4) : p.toFixed(3);
}

/** "***" p < 0.001, "**" p < 0.01, "*" p < 0.05, "" otherwise or when there is no p. */
export function significanceMark(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '';
  return p < 0.001 ? '***' : p < 0.01 ? '**' : p < 0.05 ? '*' : '';
}
