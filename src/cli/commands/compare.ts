import { resolve } from 'node:path';
import { formatComparisonMarkdown } from '../../engine/experiments/comparisonMarkdown';
import { compareRuns, writeComparison } from '../../engine/experiments/compare';
import { parseArgs } from '../args';
import { CliCommand, EXIT, UsageError } from '../command';

const USAGE = `Usage: bus-lab compare RUN_DIR RUN_DIR... [options]

Compares evaluated runs on every dataset they were evaluated on: Dice/IoU/HD95 with bootstrap
CIs, AUC with DeLong CIs, and against the baseline the median per-image Dice difference, the
Wilcoxon signed-rank test (Holm-adjusted across datasets), rank-biserial r and DeLong's test.
Runs that differ only in their seed are grouped as one method. See docs/STATISTICS.md.

  --baseline ID     run id or method name to compare against (default: the first run)
  --seed N          seed of the bootstrap CIs (default 0)
  --out DIR         write comparison.json and comparison.md there (default: print only)
  --json            print the comparison as JSON on the last line
`;

export const compareCommand: CliCommand = {
  name: 'compare',
  summary: 'compare evaluated runs (paired tests, CIs, Holm)',
  usage: USAGE,
  async run(argv, io) {
    const { positionals, options: o } = parseArgs(argv, {
      baseline: { type: 'string' },
      seed: { type: 'number' },
      out: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length < 1) throw new UsageError('give at least one run folder (two or more to compare)');
    let comparison;
    try {
      comparison = await compareRuns(
        positionals.map((p) => resolve(p)),
        { baseline: o.baseline as string | undefined, seed: o.seed as number | undefined },
      );
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    io.info(formatComparisonMarkdown(comparison).trimEnd());
    if (o.out) {
      const files = await writeComparison(resolve(String(o.out)), comparison);
      io.info(`wrote ${files.json} and ${files.markdown}`);
    }
    io.result(comparison);
    return EXIT.ok;
  },
};
