import { resolve } from 'node:path';
import { initBackend } from '../../engine/backend';
import { loadDataset } from '../../engine/data';
import { formatFeatureValidation, validateFeatures } from '../../engine/experiments/featureValidation';
import type { BackendChoice } from '../../engine/types';
import { parseArgs } from '../args';
import { CliCommand, EXIT, UsageError } from '../command';
import { defaultCacheDir } from './train';

const USAGE = `Usage: bus-lab features validate SPEC [options]

Computes the BI-RADS features on the dataset's true masks and reports each feature's AUC (DeLong
95% CI) for the radiologists' descriptors: shape irregular vs oval/round, margin not
circumscribed vs circumscribed, and malignant vs benign. Meant for BrEaST (breast:PATH), whose
metadata carries the BI-RADS lexicon descriptors.

  --size S          working size (default 128; 256 is closer to the source resolution)
  --limit N         at most N images
  --backend NAME    auto | tensorflow-gpu | tensorflow | wasm | cpu (default auto)
  --cache DIR       decoded-image cache (default ~/.cache/bus-lab/datasets); --no-cache
  --json            print the results as JSON on the last line
`;

export const featuresCommand: CliCommand = {
  name: 'features',
  summary: 'validate the BI-RADS features against radiologists\' descriptors',
  usage: USAGE,
  async run(argv, io) {
    const { positionals, options: o } = parseArgs(argv, {
      size: { type: 'number' },
      limit: { type: 'number' },
      backend: { type: 'string' },
      cache: { type: 'string' },
      'no-cache': { type: 'boolean' },
      json: { type: 'boolean' },
    });
    const [sub, spec, ...rest] = positionals;
    if (sub !== 'validate') throw new UsageError(sub ? `unknown subcommand '${sub}' (expected: validate)` : 'expected: features validate SPEC');
    if (!spec) throw new UsageError('give the dataset spec, e.g. breast:/data/BrEaST-Lesions_USG');
    if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`);
    const size = (o.size as number | undefined) ?? 128;
    if (!Number.isInteger(size) || size < 16 || size % 16 !== 0) throw new UsageError(`--size must be a multiple of 16, at least 16 (got ${size})`);
    const backend = await initBackend((o.backend ?? 'auto') as BackendChoice);
    const cacheDir = o['no-cache'] ? undefined : resolve(String(o.cache ?? defaultCacheDir()));
    const dataset = await loadDataset(spec, { size, cacheDir, limit: o.limit as number | undefined, includeNormal: false, onWarning: io.warn, signal: io.signal });
    if (io.signal.aborted) return EXIT.cancelled;
    const validation = await validateFeatures(backend.tf, dataset);
    io.info(formatFeatureValidation(validation).trimEnd());
    io.result(validation);
    return EXIT.ok;
  },
};
