/**
 * Dataset health check: reads every item at full resolution and reports what would silently hurt
 * training or evaluation: unreadable files, image/mask size mismatches, empty lesion masks,
 * non-binary masks, orphans on either side, and exact duplicates (by decoded pixels), especially
 * duplicates filed under two different labels (BUSI has some, see Pawłowska et al. 2023).
 */
import { createHash } from 'node:crypto';
import { DatasetKind, Label } from '../types';
import { mapLimit } from './concurrency';
import { ItemError, oneLine } from './errors';
import { listDataset } from './loaders/registry';
import { SourceItem } from './source';
import { datasetName, parseDatasetSpec } from './spec';

export interface FileProblem {
  file: string;
  reason: string;
}

export interface DuplicateGroup {
  ids: string[];
  files: string[];
  labels: Label[];
}

export interface HealthReport {
  spec: string;
  kind: DatasetKind;
  name: string;
  path: string;
  /** Items listed by the dataset's index (readable or not). */
  items: number;
  counts: Record<Label, number>;
  unreadable: FileProblem[];
  sizeMismatch: FileProblem[];
  /** Lesion (benign or malignant) images whose mask is empty. */
  emptyMasks: FileProblem[];
  /** Normal images whose mask is not empty. */
  masksOnNormal: FileProblem[];
  /** Masks with pixels other than the format's allowed values (0/255, or the colour code). */
  nonBinaryMasks: FileProblem[];
  imagesWithoutMasks: FileProblem[];
  masksWithoutImages: FileProblem[];
  /** Images without a label, and spreadsheet rows that could not be used. */
  unlabelled: FileProblem[];
  duplicates: DuplicateGroup[];
  /** Duplicate groups whose members carry different labels. */
  conflictingDuplicates: DuplicateGroup[];
  /** Number of findings over all categories (a duplicate group counts once). */
  problems: number;
  seconds: number;
}

export interface CheckOptions {
  onProgress?: (done: number, total: number) => void;
  concurrency?: number;
  signal?: AbortSignal;
}

interface ItemFinding {
  item: SourceItem;
  label: Label;
  hash?: string;
}

function mainFile(item: SourceItem): string {
  return item.files[0] ?? item.id;
}

export async function checkDataset(spec: string, options: CheckOptions = {}): Promise<HealthReport> {
  const started = Date.now();
  const parsed = parseDatasetSpec(spec);
  const index = await listDataset(parsed);
  const report: HealthReport = {
    spec: parsed.spec,
    kind: parsed.kind,
    name: datasetName(parsed),
    path: parsed.path,
    items: index.items.length,
    counts: { benign: 0, malignant: 0, normal: 0 },
    unreadable: [],
    sizeMismatch: [],
    emptyMasks: [],
    masksOnNormal: [],
    nonBinaryMasks: [],
    imagesWithoutMasks: [],
    masksWithoutImages: [],
    unlabelled: [],
    duplicates: [],
    conflictingDuplicates: [],
    problems: 0,
    seconds: 0,
  };
  for (const p of index.problems) {
    const entry = { file: p.file, reason: p.reason };
    if (p.code === 'image-without-mask') report.imagesWithoutMasks.push(entry);
    else if (p.code === 'mask-without-image') report.masksWithoutImages.push(entry);
    else if (p.code === 'missing-file') report.unreadable.push(entry);
    else report.unlabelled.push(entry);
  }

  let done = 0;
  const findings = await mapLimit(
    index.items,
    options.concurrency ?? 4,
    async (item): Promise<ItemFinding> => {
      try {
        const raw = await item.read();
        let lesion = 0;
        for (let i = 0; i < raw.mask.length; i++) lesion += raw.mask[i];
        const label: Label = item.labelFromMask ? (lesion > 0 ? 'benign' : 'normal') : item.label;
        if (label !== 'normal' && lesion === 0) report.emptyMasks.push({ file: item.files[1] ?? mainFile(item), reason: `${label} image ${item.id} has an empty lesion mask` });
        if (label === 'normal' && lesion > 0) report.masksOnNormal.push({ file: item.files[1] ?? mainFile(item), reason: `normal image ${item.id} has ${lesion} lesion pixels` });
        if (raw.nonBinaryMaskPixels > 0) report.nonBinaryMasks.push({ file: item.files.slice(1).join(', ') || item.id, reason: `${raw.nonBinaryMaskPixels} pixels are neither background nor lesion` });
        const size = Buffer.alloc(8);
        size.writeUInt32LE(raw.width, 0);
        size.writeUInt32LE(raw.height, 4);
        const hash = createHash('sha1').update(size).update(raw.image).digest('hex');
        return { item, label, hash };
      } catch (err) {
        const problem = { file: err instanceof ItemError ? err.file : mainFile(item), reason: oneLine(err) };
        if (err instanceof ItemError && err.code === 'size-mismatch') report.sizeMismatch.push(problem);
        else report.unreadable.push(problem);
        return { item, label: item.label };
      } finally {
        options.onProgress?.(++done, index.items.length);
      }
    },
    options.signal,
  );

  const byHash = new Map<string, ItemFinding[]>();
  for (const f of findings) {
    report.counts[f.label]++;
    if (f.hash) byHash.set(f.hash, [...(byHash.get(f.hash) ?? []), f]);
  }
  for (const group of byHash.values()) {
    if (group.length < 2) continue;
    const dup: DuplicateGroup = { ids: group.map((g) => g.item.id), files: group.map((g) => mainFile(g.item)), labels: group.map((g) => g.label) };
    report.duplicates.push(dup);
    if (new Set(dup.labels).size > 1) report.conflictingDuplicates.push(dup);
  }
  const byFile = (a: FileProblem, b: FileProblem) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0);
  for (const list of [report.unreadable, report.sizeMismatch, report.emptyMasks, report.masksOnNormal, report.nonBinaryMasks]) list.sort(byFile);
  report.duplicates.sort((a, b) => (a.files[0] < b.files[0] ? -1 : 1));
  report.conflictingDuplicates.sort((a, b) => (a.files[0] < b.files[0] ? -1 : 1));
  report.problems =
    report.unreadable.length +
    report.sizeMismatch.length +
    report.emptyMasks.length +
    report.masksOnNormal.length +
    report.nonBinaryMasks.length +
    report.imagesWithoutMasks.length +
    report.masksWithoutImages.length +
    report.unlabelled.length +
    report.duplicates.length;
  report.seconds = (Date.now() - started) / 1000;
  return report;
}
