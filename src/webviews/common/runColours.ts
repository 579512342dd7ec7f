/**
 * The one run-colour assignment every panel uses, so a run has the same colour in the dashboard,
 * the gallery and the comparison. A run's colour is its position among all runs ordered by
 * creation time (then id) in the theme palette: the runs list every snapshot carries is the same
 * in all panels, a new run never changes the colour of older ones, and up to palette-length runs
 * all differ. A run missing from the list (a comparison file from elsewhere) gets a stable hash
 * of its id. No DOM: the palette comes from theme.ts's chartTheme().palette.
 */

export interface ColouredRun {
  id: string;
  createdAt?: string;
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** The palette index of `runId`, given every run the panel knows (in any order). */
export function runColourIndex(runId: string, runs: readonly ColouredRun[], paletteSize: number): number {
  if (paletteSize <= 0) return 0;
  const ordered = [...runs].sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? '') || a.id.localeCompare(b.id));
  const i = ordered.findIndex((r) => r.id === runId);
  return (i >= 0 ? i : hash(runId)) % paletteSize;
}

/** The colour of `runId` in `palette`, given every run the panel knows. */
export function runColour(runId: string, runs: readonly ColouredRun[], palette: readonly string[]): string {
  return palette[runColourIndex(runId, runs, palette.length)] ?? palette[0] ?? '#888888';
}

/**
 * Colours for runs shown side by side (a comparison's methods, by their first run): each run's own
 * colour when every one is in `runs` and no two collide; otherwise the palette in the given order,
 * so the figure never shows two methods in one colour.
 */
export function coloursFor(runIds: readonly string[], runs: readonly ColouredRun[], palette: readonly string[]): string[] {
  if (palette.length === 0) return runIds.map(() => '#888888');
  const own = runIds.map((id) => (runs.some((r) => r.id === id) ? runColourIndex(id, runs, palette.length) : -1));
  const usable = own.every((i) => i >= 0) && new Set(own).size === own.length;
  return runIds.map((_, i) => palette[(usable ? own[i] : i) % palette.length]);
}
