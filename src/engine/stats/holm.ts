/**
 * Holm's step-down adjustment for multiple comparisons (Holm 1979), as R's
 * `p.adjust(p, "holm")`: sort ascending, multiply the i-th smallest (1-based) by m - i + 1, take the
 * running maximum, cap at 1. NaN entries stay NaN and do not count in m.
 */
export function holmAdjust(pValues: ReadonlyArray<number>): number[] {
  const present = pValues.map((p, i) => ({ p, i })).filter((e) => !Number.isNaN(e.p));
  for (const e of present) {
    if (!(e.p >= 0 && e.p <= 1)) throw new Error(`holm: p-value ${e.i} is outside [0, 1] (${e.p})`);
  }
  present.sort((a, b) => a.p - b.p);
  const m = present.length;
  const adjusted = pValues.map(() => NaN);
  let running = 0;
  present.forEach((e, k) => {
    running = Math.max(running, Math.min(1, (m - k) * e.p));
    adjusted[e.i] = running;
  });
  return adjusted;
}
