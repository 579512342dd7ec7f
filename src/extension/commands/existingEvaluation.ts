/**
 * Evaluate asks before it replaces an evaluation: the engine refuses when `eval/<slug>/` already
 * holds a finished one (EngineError `evaluationExists`, naming the slugs, before it evaluates
 * anything); then the user picks overwrite, keep both (the engine writes `eval/<slug>@<time>/`)
 * or cancel, and the evaluation runs again with that choice. No `vscode` import: the question is
 * passed in, so the flow is unit-tested.
 */
import type { ExistingEvaluation } from '../../engine/eval/evaluationTypes';
import { EngineError } from '../workerClient/engineJob';

export interface ExistingChoiceItem {
  label: string;
  description: string;
  choice: ExistingEvaluation | undefined;
}

/** The quick pick's items, in order. */
export function existingEvaluationItems(slugs: readonly string[]): ExistingChoiceItem[] {
  const where = slugs.map((s) => `eval/${s}`).join(', ');
  return [
    { label: 'Overwrite', description: `replace ${where}`, choice: 'overwrite' },
    { label: 'Keep both', description: `keep ${where} and write the new one next to it (eval/<slug>@<time>)`, choice: 'keepBoth' },
    { label: 'Cancel', description: 'evaluate nothing', choice: undefined },
  ];
}

/**
 * Runs `evaluate` refusing to replace; when the engine reports existing evaluations, asks and
 * runs it again with the answer. Returns false when the user cancelled (nothing evaluated).
 */
export async function evaluateAsking<T>(
  evaluate: (existing: ExistingEvaluation) => Promise<T>,
  ask: (slugs: readonly string[]) => Promise<ExistingEvaluation | undefined>,
): Promise<{ result: T } | false> {
  try {
    return { result: await evaluate('refuse') };
  } catch (error) {
    if (!(error instanceof EngineError) || error.code !== 'evaluationExists') throw error;
    const choice = await ask(error.slugs);
    if (!choice || choice === 'refuse') return false;
    return { result: await evaluate(choice) };
  }
}
