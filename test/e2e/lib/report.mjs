// Reading the extension-host report file (BUS_LAB_E2E_REPORT): which tests were skipped, so that
// the summary says so instead of folding them into a PASS.

/** `[suite]   SKIP name — reason` lines of a report, as { suite, test } ('name — reason'). */
export function skippedTests(reportText) {
  const out = [];
  for (const line of reportText.split('\n')) {
    const m = /^\[([\w-]+)\]\s+SKIP\s+(.+)$/.exec(line.trim());
    if (m) out.push({ suite: m[1], test: m[2] });
  }
  return out;
}
