/**
 * Error types of the dataset layer. Messages are one line and name the file, field or spec at
 * fault, because they are shown as-is in the CLI and in VS Code notifications.
 */

/** A malformed dataset spec (unknown kind, missing path, bad option): a usage problem. */
export class DatasetSpecError extends Error {
  override name = 'DatasetSpecError';
}

/** The dataset on disk is unusable as a whole (missing spreadsheet, wrong columns, no images). */
export class DatasetError extends Error {
  override name = 'DatasetError';
}

/** Why one item could not be read; the health check sorts problems by this code. */
export type ItemProblemCode = 'unreadable' | 'size-mismatch';

/** One item is broken (the loader skips it with a warning; other items still load). */
export class ItemError extends Error {
  override name = 'ItemError';
  constructor(
    readonly code: ItemProblemCode,
    /** The file at fault, absolute. */
    readonly file: string,
    message: string,
  ) {
    super(message);
  }
}

/** Message of any thrown value, on one line. */
export function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
