/**
 * Validates the differentiable BI-RADS features against radiologists' descriptors: on the true
 * masks of a dataset (BrEaST carries BI-RADS lexicon descriptors per lesion), how well each
 * feature separates irregular from oval/round shapes, non-circumscribed from circumscribed
 * margins, and malignant from benign lesions (AUC with DeLong 95% CI).
 */
import { BUILTIN_FEATURE_IDS, computeFeatureValues } from '../features';
import { aucWithCI } from '../stats/auc';
import type { TF } from '../tf';
import type { LoadedDataset, Sample } from '../types';

export interface FeatureTarget {
  id: 'shape' | 'margin' | 'malignancy';
  /** What counts as positive vs negative. */
  label: string;
  /** true = positive, false = negative, undefined = not usable (missing or other descriptor). */
  classify(sample: Sample): boolean | undefined;
}

const text = (v: unknown) => (typeof v === 'string' ? v.trim().toLowerCase() : '');

export const FEATURE_TARGETS: readonly FeatureTarget[] = [
  {
    id: 'shape',
    label: 'Shape irregular vs oval/round',
    classify: (s) => {
      const v = text(s.meta.shape);
      if (/irregular/.test(v)) return true;
      if (/oval|round/.test(v)) return false;
      return undefined;
    },
  },
  {
    id: 'margin',
    label: 'Margin not circumscribed vs circumscribed',
    classify: (s) => {
      // BrEaST spells non-circumscribed margins as "not circumscribed - angular/indistinct/...".
      const v = text(s.meta.margin);
      if (/not\s*circumscribed|non[-\s]*circumscribed|angular|indistinct|microlobulated|spiculated/.test(v)) return true;
      if (/circumscribed/.test(v)) return false;
      return undefined;
    },
  },
  {
    id: 'malignancy',
    label: 'Malignant vs benign',
    classify: (s) => (s.label === 'malignant' ? true : s.label === 'benign' ? false : undefined),
  },
];

export interface FeatureTargetResult {
  target: FeatureTarget['id'];
  label: string;
  positives: number;
  negatives: number;
  /** Undefined without both classes. */
  auc?: number;
  ci95?: [number, number];
}

export interface FeatureValidation {
  dataset: string;
  imageSize: number;
  /** Lesions with a non-empty mask at the working size. */
  lesions: number;
  features: { id: string; results: FeatureTargetResult[] }[];
}

export async function validateFeatures(tf: TF, dataset: LoadedDataset, featureIds: readonly string[] = BUILTIN_FEATURE_IDS): Promise<FeatureValidation> {
  const lesions = dataset.items.filter((s) => s.mask.some((v) => v));
  if (lesions.length === 0) throw new Error(`${dataset.name}: no lesion masks to compute features on`);
  const size = lesions[0].size;
  const px = size * size;
  const masks = new Float32Array(lesions.length * px);
  lesions.forEach((s, i) => masks.set(s.mask, i * px));
  const values = await computeFeatureValues(tf, masks, lesions.length, size, featureIds);
  const features = featureIds.map((id) => ({
    id,
    results: FEATURE_TARGETS.map((target): FeatureTargetResult => {
      const scores: number[] = [];
      const positive: boolean[] = [];
      lesions.forEach((s, i) => {
        const cls = target.classify(s);
        const v = values[id][i];
        if (cls === undefined || !Number.isFinite(v)) return;
        scores.push(v);
        positive.push(cls);
      });
      const positives = positive.filter(Boolean).length;
      const negatives = positive.length - positives;
      const out: FeatureTargetResult = { target: target.id, label: target.label, positives, negatives };
      if (positives > 0 && negatives > 0) {
        const a = aucWithCI(scores, positive);
        out.auc = a.auc;
        if (a.ci) out.ci95 = a.ci;
      }
      return out;
    }),
  }));
  return { dataset: dataset.name, imageSize: size, lesions: lesions.length, features };
}

/** The validation as a Markdown table (feature x target, AUC [95% CI]). */
export function formatFeatureValidation(v: FeatureValidation): string {
  const targets = v.features[0]?.results ?? [];
  const header = ['Feature', ...targets.map((t) => `${t.label} (${t.positives}/${t.negatives})`)];
  const lines = [
    `BI-RADS feature validation on ${v.dataset} true masks (${v.lesions} lesions, ${v.imageSize}x${v.imageSize}); AUC [DeLong 95% CI], (positives/negatives).`,
    '',
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
  ];
  for (const f of v.features) {
    const cells = f.results.map((r) => (r.auc === undefined ? '–' : r.ci95 ? `${r.auc.toFixed(3)} [${r.ci95[0].toFixed(3)}, ${r.ci95[1].toFixed(3)}]` : r.auc.toFixed(3)));
    lines.push(`| ${f.id} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n') + '\n';
}
