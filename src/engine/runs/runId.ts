/**
 * A run id names one folder directly inside the runs folder. `--resume ../../x` or an id with a
 * separator would reach outside it, so such ids are refused wherever an id becomes a path.
 */
import { isAbsolute } from 'node:path';

/** Why `id` is not a usable run id, or undefined when it is one. */
export function runIdProblem(id: string): string | undefined {
  if (typeof id !== 'string' || id.trim() === '') return 'a run id must not be empty';
  if (id === '.' || id === '..' || /[/\\]/.test(id) || isAbsolute(id) || id.includes('\0')) {
    return `run id '${id}' is not a folder name inside the runs folder (give the id as listed in --out, not a path)`;
  }
  return undefined;
}
