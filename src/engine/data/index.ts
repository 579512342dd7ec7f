/**
 * The dataset layer's public API. Everything outside src/engine/data imports from here.
 *
 *   loadDataset(spec, { size, cacheDir?, limit?, includeNormal?, onProgress?, onWarning? })
 *   parseDatasetSpec(spec) / datasetSlug / KIND_DESCRIPTIONS
 *   checkDataset(spec) -> HealthReport
 *   splitByPatient, augmentSample, BatchLoader / packBatch, mulberry32 & co (./random)
 */
export { loadDataset, pickEvenly } from './load';
export type { LoadDatasetOptions, LoadStats } from './load';
export { parseDatasetSpec, datasetSlug, datasetName, KIND_DESCRIPTIONS, isDatasetKind } from './spec';
export type { DatasetSpec } from './spec';
export { DatasetError, DatasetSpecError, ItemError } from './errors';
export { checkDataset } from './health';
export type { HealthReport, DuplicateGroup, FileProblem, CheckOptions } from './health';
export { splitByPatient } from './split';
export { augmentSample } from './augment';
export type { AugmentOptions } from './augment';
export { BatchLoader, packBatch } from './batches';
export type { Batch, BatchLoaderOptions } from './batches';
export { mulberry32, deriveSeed, gaussian, uniform, randomInt, shuffled, chance, pick } from './random';
export type { Rng } from './random';
export { resizeImage, resizeMask, resizeBinary, resizePlane } from './image/resize';
export { SITES, SITE_IDS } from './synthetic/sites';
export type { SiteId, SiteProfile } from './synthetic/sites';
export { renderPhantom } from './synthetic/phantom';
