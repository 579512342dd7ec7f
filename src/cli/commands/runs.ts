import { resolve } from 'node:path';
import { listRuns } from '../../engine/runs/runFolder';
import { describeHolder, readRunLock } from '../../engine/runs/runLock';
import { isResumable } from '../../engine/runs/runStatus';
import type { RunStatus } from '../../engine/types';
import { parseArgs } from '../args';
import { CliCommand, EXIT, UsageError } from '../command';

const USAGE = `Usage: bus-lab runs [--out DIR] [--json]

Lists the runs in a runs folder, newest first: id, status, epochs done, best validation Dice.
A run whose process died while training shows as 'interrupted' (its run.json still says running,
but nobody holds its lock): resume it with bus-lab train --resume ID --out DIR. A running run
names the process that holds it.

  --out DIR   runs folder (default ./runs)
  --json      print the list as JSON on the last line
`;

export interface RunListing {
  id: string;
  dir: string;
  status: RunStatus;
  epochsCompleted: number;
  epochs: number;
  bestValDice?: number;
  /** Who holds the run, for a running one. */
  heldBy?: string;
  resumable: boolean;
}

export const runsCommand: CliCommand = {
  name: 'runs',
  summary: 'list runs with their status (interrupted runs are resumable)',
  usage: USAGE,
  async run(argv, io) {
    const { positionals, options: o } = parseArgs(argv, { out: { type: 'string' }, json: { type: 'boolean' } });
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const runsDir = resolve(String(o.out ?? 'runs'));
    const { runs, problems } = await listRuns(runsDir);
    for (const p of problems) io.warn(p);
    const listing: RunListing[] = runs.map(({ dir, record, status }) => {
      const lock = status === 'running' ? readRunLock(dir) : undefined;
      return {
        id: record.id,
        dir,
        status,
        epochsCompleted: record.epochsCompleted,
        epochs: record.config.epochs,
        bestValDice: record.bestValDice,
        heldBy: lock ? describeHolder(lock.holder) : undefined,
        resumable: isResumable(status),
      };
    });
    if (listing.length === 0) io.info(`no runs in ${runsDir}`);
    const width = Math.max(2, ...listing.map((r) => r.id.length));
    for (const r of listing) {
      const dice = r.bestValDice === undefined ? '' : `  val Dice ${r.bestValDice.toFixed(4)}`;
      io.info(`${r.id.padEnd(width)}  ${r.status.padEnd(11)}  epoch ${r.epochsCompleted}/${r.epochs}${dice}${r.heldBy ? `  (${r.heldBy})` : ''}`);
    }
    const interrupted = listing.filter((r) => r.status === 'interrupted');
    if (interrupted.length > 0) io.info(`resume an interrupted run with: bus-lab train --resume ${interrupted[0].id} --out ${runsDir}`);
    io.result(listing);
    return EXIT.ok;
  },
};
