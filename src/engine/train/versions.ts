import type { TF } from '../tf';

/** Versions that decide a run's numbers, stored in run.json for reproducibility. */
export function collectVersions(tf: TF): Record<string, string> {
  const versions: Record<string, string> = { node: process.versions.node, platform: `${process.platform}-${process.arch}` };
  const core = (tf as { version_core?: string }).version_core;
  if (core) versions['tfjs-core'] = core;
  try {
    versions['bus-lab'] = String(require('../../../package.json').version);
  } catch {
    // Bundled builds may not carry package.json next to them; the tfjs versions still identify the maths.
  }
  return versions;
}
