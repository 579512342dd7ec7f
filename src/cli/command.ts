/**
 * The contract every `bus-lab` subcommand implements. Subcommands live in `src/cli/commands/`,
 * one file each, and are listed in `src/cli/main.ts`.
 */
export interface CliIO {
  /** Human-readable progress and tables (stderr when --json is set, so stdout stays parseable). */
  info(line: string): void;
  warn(line: string): void;
  /** Final machine-readable result: printed as one JSON line on stdout with --json. */
  result(value: unknown): void;
  /** True when stderr is a terminal (progress bars allowed). */
  isTTY: boolean;
  json: boolean;
  /** Aborted on SIGINT: long commands stop at the next step and exit with 130. */
  signal: AbortSignal;
}

export interface CliCommand {
  name: string;
  summary: string;
  /** Full `--help` text. */
  usage: string;
  /** Returns the exit code: 0 done, 1 failed, 2 bad usage, 130 cancelled. */
  run(argv: string[], io: CliIO): Promise<number>;
}

/** Thrown for bad usage or configuration: printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const EXIT = { ok: 0, failed: 1, usage: 2, cancelled: 130 } as const;
