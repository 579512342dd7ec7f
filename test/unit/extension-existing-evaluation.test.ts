/**
 * Evaluate asks before overwriting: the first request refuses; an `evaluationExists` answer
 * leads to the question, and the evaluation runs again with the choice (overwrite, keep both),
 * or not at all (cancel). Other errors pass through without a question.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExistingEvaluation } from '../../src/engine/eval/evaluationTypes';
import { evaluateAsking, existingEvaluationItems } from '../../src/extension/commands/existingEvaluation';
import { EngineError } from '../../src/extension/workerClient/engineJob';

function engine(existingSlugs: string[]) {
  const calls: ExistingEvaluation[] = [];
  const evaluate = async (existing: ExistingEvaluation) => {
    calls.push(existing);
    if (existing === 'refuse' && existingSlugs.length) throw new EngineError(`eval/${existingSlugs[0]} exists`, 'evaluationExists', existingSlugs);
    return `done with ${existing}`;
  };
  return { calls, evaluate };
}

describe('Evaluate with an existing evaluation', () => {
  it('nothing there: evaluates once, asks nothing', async () => {
    const e = engine([]);
    let asked = 0;
    assert.deepEqual(await evaluateAsking(e.evaluate, async () => (asked++, 'overwrite')), { result: 'done with refuse' });
    assert.deepEqual(e.calls, ['refuse']);
    assert.equal(asked, 0);
  });

  for (const choice of ['overwrite', 'keepBoth'] as const) {
    it(`asks, naming the folders, and runs again with ${choice}`, async () => {
      const e = engine(['busi']);
      let askedFor: readonly string[] = [];
      const out = await evaluateAsking(e.evaluate, async (slugs) => ((askedFor = slugs), choice));
      assert.deepEqual(askedFor, ['busi']);
      assert.deepEqual(e.calls, ['refuse', choice]);
      assert.deepEqual(out, { result: `done with ${choice}` });
    });
  }

  it('cancel (or a dismissed pick): nothing evaluated', async () => {
    const e = engine(['busi']);
    assert.equal(await evaluateAsking(e.evaluate, async () => undefined), false);
    assert.deepEqual(e.calls, ['refuse']);
  });

  it('other engine errors are not questions', async () => {
    const evaluate = async () => {
      throw new EngineError('Dataset folder not found', 'failed');
    };
    await assert.rejects(evaluateAsking(evaluate, async () => 'overwrite'), /Dataset folder not found/);
  });

  it('the pick offers overwrite, keep both, cancel, naming eval/<slug>', () => {
    const items = existingEvaluationItems(['busi', 'bus-bra']);
    assert.deepEqual(items.map((i) => [i.label, i.choice]), [['Overwrite', 'overwrite'], ['Keep both', 'keepBoth'], ['Cancel', undefined]]);
    assert.match(items[0].description, /eval\/busi, eval\/bus-bra/);
  });
});
