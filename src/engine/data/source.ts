/**
 * What every loader produces before any pixel is decoded: an index of source items, each knowing
 * its label, metadata and how to read itself at full resolution. The shared pipeline (resize,
 * cache, concurrency) and the health check work on this index, so a new format is one lister.
 */
import type { ItemMeta, Label } from '../types';
import type { DatasetSpec } from './spec';

/** One item read at its source resolution. */
export interface RawItem {
  width: number;
  height: number;
  /** 8-bit grey, width * height. */
  image: Uint8Array;
  /** Binary lesion mask (0/1), width * height. */
  mask: Uint8Array;
  /** Mask pixels whose value is not one the format allows (0/255, or the colour code): health check. */
  nonBinaryMaskPixels: number;
}

export interface SourceItem {
  /** File-system-safe id, unique within the dataset. */
  id: string;
  patientId: string;
  label: Label;
  meta: ItemMeta;
  /** Files the pixels come from (image first); their size and mtime key the cache. Empty: never cached. */
  files: string[];
  read(): Promise<RawItem>;
  /** The label is unknown: normal when the mask turns out empty, benign otherwise (folder without labels.csv). */
  labelFromMask?: boolean;
}

/** Index-level problems (found without decoding), by kind so the health check can sort them. */
export type IndexProblemCode = 'image-without-mask' | 'mask-without-image' | 'missing-file' | 'unlabelled' | 'bad-row';

export interface IndexProblem {
  code: IndexProblemCode;
  /** The file (or spreadsheet) at fault, absolute. */
  file: string;
  reason: string;
}

export interface DatasetIndex {
  items: SourceItem[];
  problems: IndexProblem[];
  /** Dataset-wide remarks that are not about one file (e.g. labels assumed). */
  notes: string[];
}

/** Lists the items of one dataset folder (or synthetic site). */
export type DatasetLister = (spec: DatasetSpec) => Promise<DatasetIndex>;

/** Turns a source file name into a file-system-safe id: `benign (195)` -> `benign_195`. */
export function safeId(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '') || 'item';
}
