/**
 * What the Mask Gallery's host adds to the run folders' gallery items: the run's learned phi
 * weights, the feature providers' names and descriptions, and where an image's original file is.
 * No `vscode` import (unit-tested).
 */
import { existsSync } from 'node:fs';
import { readEvaluation } from '../../engine/runs/evaluationFolder';
import { builtinFeatureProviders } from '../../engine/features';
import type { EpochPoint } from '../dashboard/viewModel';
import { resolveInside } from './pathGuard';
import type { GalleryFeatureInfo, GalleryPhiWeights } from '../protocol';

/** phi's weights at the end of the evaluated (best) epoch, else of the last epoch that logged them. */
export function phiWeightsOf(epochs: readonly EpochPoint[], bestEpoch: number | undefined): GalleryPhiWeights | undefined {
  const logged = epochs.filter((e) => e.featureWeights && Object.keys(e.featureWeights).length > 0);
  const pick = logged.find((e) => e.epoch === bestEpoch) ?? logged[logged.length - 1];
  return pick ? { epoch: pick.epoch, weights: { ...pick.featureWeights! } } : undefined;
}

/** The built-in providers' names and descriptions; a plugin's feature keeps its id. */
export function featureInfoOf(ids: readonly string[]): GalleryFeatureInfo[] {
  return ids.map((id) => {
    const p = builtinFeatureProviders.find((f) => f.id === id);
    return { id, label: p?.label ?? id, description: p?.description ?? '' };
  });
}

/**
 * The original file of one evaluated image: summary.json's dataset folder joined with the row's
 * `source` (per_image.csv), kept inside that folder. A one-line problem otherwise.
 */
export async function originalImagePath(runDir: string, slug: string, imageId: string): Promise<{ path: string } | { problem: string }> {
  const read = await readEvaluation(runDir, slug);
  if (read.kind !== 'evaluation') return { problem: `eval/${slug}/per_image.csv of this run could not be read.` };
  const row = read.evaluation.rows.find((r) => r.id === imageId);
  if (!row) return { problem: `eval/${slug}/per_image.csv has no image '${imageId}'.` };
  const folder = read.evaluation.summary?.data?.path;
  if (!row.source || !folder) return { problem: `eval/${slug}/per_image.csv names no original file for '${imageId}' (evaluated before the source column existed; evaluate again to add it).` };
  const path = resolveInside(folder, ...row.source.split('/'));
  if (!path) return { problem: `eval/${slug}/per_image.csv: source '${row.source}' of '${imageId}' leaves the dataset folder ${folder}.` };
  if (!existsSync(path)) return { problem: `The original image of '${imageId}' is not at ${path} (the dataset moved?).` };
  return { path };
}
