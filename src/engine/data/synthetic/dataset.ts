/**
 * The synthetic dataset of one site: labels assigned by a seeded shuffle (exact class counts),
 * morphology sampled per image from its own seed (so image i does not depend on the count), and
 * pixels rendered on demand at the site's native resolution.
 */
import { ItemMeta, Label } from '../../types';
import { deriveSeed, mulberry32, shuffled } from '../random';
import { DatasetIndex, SourceItem } from '../source';
import { DatasetSpec } from '../spec';
import { describeMorphology, LesionMorphology, sampleMorphology } from './morphology';
import { SyntheticOptions } from './options';
import { renderPhantom } from './phantom';
import { SITES } from './sites';

/** Labels for `count` images with exact normal and malignant counts, in a seeded order. */
export function syntheticLabels(o: SyntheticOptions): Label[] {
  const lesions = o.count - o.normal;
  const malignant = Math.round(lesions * o.malignant);
  const labels: Label[] = [
    ...Array<Label>(o.normal).fill('normal'),
    ...Array<Label>(malignant).fill('malignant'),
    ...Array<Label>(lesions - malignant).fill('benign'),
  ];
  return shuffled(mulberry32(deriveSeed(o.seed, o.site, 'labels')), labels);
}

function morphologyMeta(m: LesionMorphology): Record<string, number | string | boolean> {
  const out: Record<string, number | string | boolean> = {};
  for (const [k, v] of Object.entries(m)) {
    if (Array.isArray(v)) out[k] = v.join('&');
    else if (typeof v === 'number') out[k] = Math.round(v * 1e4) / 1e4;
    else out[k] = v;
  }
  out.tallerThanWide = m.aspect < 1;
  return out;
}

export async function listSynthetic(spec: DatasetSpec): Promise<DatasetIndex> {
  const o = spec.synthetic;
  if (!o) throw new Error(`listSynthetic: spec '${spec.spec}' has no synthetic options`);
  const site = SITES[o.site];
  const labels = syntheticLabels(o);
  const items: SourceItem[] = labels.map((label, i) => {
    const id = `${o.site}-${String(i + 1).padStart(4, '0')}`;
    const lesion = label === 'normal' ? undefined : sampleMorphology(mulberry32(deriveSeed(o.seed, o.site, i, 'lesion')), label, site);
    const pixelSeed = deriveSeed(o.seed, o.site, i);
    const meta: ItemMeta = {
      pixelSizeMm: site.pixelSizeMm,
      device: site.device,
      ...(lesion ? describeMorphology(lesion) : {}),
      synthetic: { site: o.site, seed: o.seed, index: i, geometry: site.geometry, ...(lesion ? morphologyMeta(lesion) : { lesion: false }) },
    };
    return {
      id,
      patientId: id,
      label,
      meta,
      files: [],
      read: async () => ({ ...renderPhantom(site, lesion, pixelSeed), nonBinaryMaskPixels: 0 }),
    };
  });
  return { items, problems: [], notes: [] };
}
