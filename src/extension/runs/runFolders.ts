/** Where a run folder may be: directly inside the runs folder (guards Delete Run). No `vscode` import. */
import { isAbsolute, relative } from 'node:path';

/** True when `dir` is a folder directly inside `runsDir` (never delete anything else). */
export function isRunFolderOf(runsDir: string, dir: string): boolean {
  const rel = relative(runsDir, dir);
  return rel.length > 0 && !rel.startsWith('..') && !isAbsolute(rel) && !/[\\/]/.test(rel);
}
