/**
 * The one plain-object guard. It lives in src/shared, a leaf that imports nothing, so that the
 * engine, the extension, the webview host and the webview apps (which may not import the engine)
 * all use the same definition.
 */

/** True for a non-null, non-array object: something JSON parsed into `{...}`. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
