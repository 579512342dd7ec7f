/** Options of a synthetic dataset, from the spec's query: `synthetic:site-b?count=40&malignant=0.4&seed=7`. */
import { DatasetSpecError } from '../errors';
import { isSiteId, SITE_IDS, SiteId } from './sites';

export interface SyntheticOptions {
  site: SiteId;
  /** Number of images in the dataset (lesion and normal together). */
  count: number;
  /** Share of malignant lesions among the lesion images. */
  malignant: number;
  /** Number of lesion-free (normal) images among `count`. */
  normal: number;
  seed: number;
}

export const SYNTHETIC_DEFAULTS = { count: 96, malignant: 0.4, normal: 0, seed: 1 } as const;

function integerOption(spec: string, key: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new DatasetSpecError(`dataset spec '${spec}': ${key} must be an integer >= ${min}, got '${text}'`);
  return n;
}

/** Validates the site and query of a synthetic spec; every problem names the key at fault. */
export function parseSyntheticOptions(spec: string, site: string, query: Record<string, string>): SyntheticOptions {
  const siteId = site === '' ? 'site-a' : site;
  if (!isSiteId(siteId)) throw new DatasetSpecError(`dataset spec '${spec}': unknown synthetic site '${site}' (valid: ${SITE_IDS.join(', ')})`);
  const out: SyntheticOptions = { site: siteId, ...SYNTHETIC_DEFAULTS };
  for (const [key, value] of Object.entries(query)) {
    switch (key) {
      case 'count':
        out.count = integerOption(spec, key, value, 1);
        break;
      case 'normal':
        out.normal = integerOption(spec, key, value, 0);
        break;
      case 'seed':
        out.seed = integerOption(spec, key, value, 0);
        break;
      case 'malignant': {
        const share = Number(value);
        if (!Number.isFinite(share) || share < 0 || share > 1) throw new DatasetSpecError(`dataset spec '${spec}': malignant must be a share between 0 and 1, got '${value}'`);
        out.malignant = share;
        break;
      }
      default:
        throw new DatasetSpecError(`dataset spec '${spec}': unknown option '${key}' (valid: count, malignant, normal, seed)`);
    }
  }
  if (out.normal > out.count) throw new DatasetSpecError(`dataset spec '${spec}': normal (${out.normal}) exceeds count (${out.count})`);
  return out;
}
