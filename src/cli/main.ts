/**
 * `bus-lab` command-line entry. Dispatches to one subcommand per file in ./commands.
 * Exit codes: 0 done, 1 failed, 2 bad usage, 130 cancelled.
 */
import { isMainThread } from 'node:worker_threads';
import { CliCommand, CliIO, EXIT, UsageError } from './command';
// Each subcommand registers with one import and one entry in COMMANDS below.
// (keep this list sorted by name)
import { trainCommand } from './commands/train';
import { benchCommand } from './commands/bench';
import { ablateCommand } from './commands/ablate';
import { compareCommand } from './commands/compare';
import { datasetsCommand } from './commands/datasets';
import { evaluateCommand } from './commands/evaluate';
import { exportCommand } from './commands/export';
import { featuresCommand } from './commands/features';
import { predictCommand } from './commands/predict';
import { runsCommand } from './commands/runs';

const COMMANDS: CliCommand[] = [
  ablateCommand,
  benchCommand,
  compareCommand,
  datasetsCommand,
  evaluateCommand,
  exportCommand,
  featuresCommand,
  predictCommand,
  runsCommand,
  trainCommand,
];

function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length), 8);
  return [
    'Usage: bus-lab <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `bus-lab <command> --help` for the options of one command.',
  ].join('\n');
}

function makeIO(json: boolean, signal: AbortSignal): CliIO {
  return {
    json,
    signal,
    isTTY: Boolean(process.stderr.isTTY),
    info: (line) => (json ? process.stderr : process.stdout).write(line + '\n'),
    warn: (line) => process.stderr.write(`warning: ${line}\n`),
    result: (value) => {
      if (json) process.stdout.write(JSON.stringify(value) + '\n');
    },
  };
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(helpText() + '\n');
    return name ? EXIT.ok : EXIT.usage;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`bus-lab: unknown command '${name}' (see bus-lab --help)\n`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.usage.trimEnd() + '\n');
    return EXIT.ok;
  }
  const controller = new AbortController();
  let interrupts = 0;
  // SIGTERM (schedulers, kill) stops as cleanly as Ctrl-C. Trainings run in a worker thread
  // (trainInWorker.ts), so this thread answers even when the training is stuck; a second signal
  // quits at once, and the run, whose lock dies with this process, resumes from its checkpoint.
  const onSignal = () => {
    interrupts++;
    if (interrupts > 1) process.exit(EXIT.cancelled);
    process.stderr.write('\nStopping at the next step (Ctrl-C again to quit at once)...\n');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await command.run(rest, makeIO(rest.includes('--json'), controller.signal));
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`bus-lab ${name}: ${err.message}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`bus-lab ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    if (process.env.BUS_LAB_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
    return EXIT.failed;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

// (In a worker thread this bundle is loaded as the training worker, not as the CLI.)
if (require.main === module && isMainThread) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`bus-lab: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = EXIT.failed;
    },
  );
}
