/**
 * The one typed message contract between the extension host and the webviews (Training
 * Dashboard, Mask Gallery, Ablation Comparison, Segmentation). Both sides import this module; it has no
 * `vscode` or Node imports so it bundles into the browser apps as well.
 *
 * Conduct:
 *  - A webview posts `{ type: 'ready' }` once its script has run; only then does the host send,
 *    and it always answers `ready` with a full `snapshot` (so reloads, hide/show and mid-run opens
 *    all show the whole history).
 *  - Every message a webview sends is validated on the host with `parse<Panel>Message`; anything
 *    unknown or malformed is dropped (and logged by the caller).
 *  - Webviews never send file paths, only run ids, dataset slugs and file names, which the host
 *    resolves inside the runs folder itself.
 */
import type { RunStatus } from '../engine/types';
import type { EpochPoint, StepPoint } from './dashboard/viewModel';
import type { GalleryItem } from './gallery/viewModel';
import type { Comparison, ComparisonCell } from '../engine/experiments/comparisonTypes';
import type { ImagePrediction } from '../engine/predict/predictionTypes';
import { isRecord } from '../shared/isRecord';
import type { RunProvenance } from '../shared/runProvenance';

/** New points of one run since the last post (the dashboard host batches them, dashboard/throttle.ts). */
export interface RunDelta {
  runId: string;
  steps: StepPoint[];
  epochs: EpochPoint[];
  status?: RunStatus;
  totalSteps?: number;
  totalEpochs?: number;
}

export type PanelKind = 'dashboard' | 'gallery' | 'comparison' | 'prediction';

/** A run as offered in pickers. */
export interface RunOption {
  id: string;
  name: string;
  method: string;
  status: RunStatus;
  createdAt: string;
  /** Dataset slugs evaluated into eval/<slug>/. */
  evaluated: string[];
  /** Method, seed, lambda, phi settings, image size, best epoch: each view's header (shared/runProvenance.ts). */
  provenance?: RunProvenance;
}

// ------------------------------------------------------------------------------------------
// Messages every webview may send
// ------------------------------------------------------------------------------------------

export interface ReadyMessage {
  type: 'ready';
}
export type ExportFormat = 'png' | 'csv' | 'md' | 'svg';
/** Asks the host to show a save dialog and write the file. `data` is text (svg too), or base64 for png. */
export interface SaveFileMessage {
  type: 'saveFile';
  fileName: string;
  format: ExportFormat;
  data: string;
}
export interface ClientLogMessage {
  type: 'log';
  level: 'info' | 'warn' | 'error';
  message: string;
}
type CommonToHost = ReadyMessage | SaveFileMessage | ClientLogMessage;

/** Replies every host sends. */
export type CommonToWebview =
  | { type: 'saved'; fileName: string }
  | { type: 'error'; message: string };

// ------------------------------------------------------------------------------------------
// Training Dashboard
// ------------------------------------------------------------------------------------------

/** Everything the dashboard knows about one run. */
export interface DashboardRunData {
  run: RunOption;
  steps: StepPoint[];
  epochs: EpochPoint[];
  totalSteps?: number;
  totalEpochs?: number;
  /** True when `steps` was thinned for the snapshot (every record is kept for epochs). */
  thinned?: boolean;
}

export type DashboardToHost = CommonToHost | { type: 'selectRuns'; runIds: string[]; follow?: boolean };

export type HostToDashboard =
  | CommonToWebview
  | {
      type: 'snapshot';
      runs: RunOption[];
      selected: string[];
      data: DashboardRunData[];
      /** The dashboard adds new runs as they start (opened without a run id). */
      follow: boolean;
    }
  | ({ type: 'append' } & RunDelta)
  | { type: 'runs'; runs: RunOption[] };

/** What the dashboard keeps in `vscode.setState` (and gets back through the serializer). */
export interface DashboardState {
  selected: string[];
  follow: boolean;
  smoothing: number;
}

// ------------------------------------------------------------------------------------------
// Mask Gallery
// ------------------------------------------------------------------------------------------

export interface GalleryDataset {
  slug: string;
  name: string;
  /** asWebviewUri of `<run>/eval/<slug>`; images live at `${baseUri}/images/<png>` etc. */
  baseUri: string;
  items: GalleryItem[];
  /** Names of the BI-RADS feature columns (true_<name> / pred_<name>). */
  features: string[];
  /** Which overlays exist on disk. */
  has: { images: boolean; truth: boolean; masks: boolean; prob: boolean };
  summary?: unknown;
}

/** The phi (BI-RADS prior) weights of the evaluated model: the best epoch's, from metrics.jsonl. */
export interface GalleryPhiWeights {
  epoch: number;
  weights: Record<string, number>;
}

export interface GalleryRunData {
  run: RunOption;
  datasets: GalleryDataset[];
  phi?: GalleryPhiWeights;
}

/** A BI-RADS feature as its provider describes it (the webview does not import the engine). */
export interface GalleryFeatureInfo {
  id: string;
  label: string;
  description: string;
}

export type GalleryToHost =
  | CommonToHost
  | { type: 'selectCompareRun'; runId: string | null }
  /** Opens the dataset's original file of one image (per_image.csv `source`) in the editor. */
  | { type: 'openOriginal'; runId: string; dataset: string; imageId: string };

export type HostToGallery =
  | CommonToWebview
  | {
      type: 'snapshot';
      runs: RunOption[];
      primary: GalleryRunData;
      compare: GalleryRunData | null;
      /** Asks for this tab; sent once after the gallery is opened (again) on a dataset, never with a mere refresh. */
      activeDataset?: string;
      features?: GalleryFeatureInfo[];
    }
  /** Switches to a dataset's tab and opens one image's detail (sent after a snapshot). */
  | { type: 'showImage'; dataset: string; imageId: string };

export interface GalleryState {
  runId: string;
  dataset?: string;
  compareRunId?: string | null;
  sort?: string;
  label?: string;
  search?: string;
  page?: number;
  /** Each tab's own filter, search and page (the webview's; the host does not read it). */
  views?: Record<string, { label: string; search: string; page: number; delta: string }>;
}

// ------------------------------------------------------------------------------------------
// Ablation Comparison
// ------------------------------------------------------------------------------------------

export type ComparisonSource =
  | { kind: 'none' }
  | { kind: 'computed'; runIds: string[] }
  | { kind: 'file'; label: string };

/** The engine's comparison (comparison.json, compareRuns), shown as it is: the view computes no statistics. */
export type { Comparison, ComparisonCell };

export type ComparisonToHost =
  | CommonToHost
  | { type: 'compare'; runIds: string[]; baseline?: string }
  /** Asks the engine for the same comparison against another baseline (a ComparisonMethod id). */
  | { type: 'rebase'; baseline: string }
  /** Opens one image's detail in the Mask Gallery of a run (a strip-plot point was clicked). */
  | { type: 'openImage'; runId: string; dataset: string; imageId: string }
  | { type: 'openComparisonFile' }
  | { type: 'loadComparisonFile'; file: string };

export type HostToComparison =
  | CommonToWebview
  | {
      type: 'snapshot';
      runs: RunOption[];
      /** comparison.json files found under the runs folder, relative to it. */
      files: string[];
      source: ComparisonSource;
      comparison: Comparison | null;
      /** The baseline the source was made with (the ablation runner's, or the one Compare Runs asked for). */
      sourceBaseline: string | null;
      busy: boolean;
    }
  | { type: 'busy'; busy: boolean };

export interface ComparisonState {
  runIds?: string[];
  file?: string;
  /** ComparisonMethod id of the baseline shown. */
  baseline?: string;
}

// ------------------------------------------------------------------------------------------
// Validation (host side)
// ------------------------------------------------------------------------------------------

export const LIMITS = {
  idLength: 200,
  runIds: 200,
  fileName: 200,
  logMessage: 4000,
  /** 40 MB of text or base64 for an export. */
  exportData: 40 * 1024 * 1024,
} as const;

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A run id: one path segment of safe characters (never `..`, never a separator). */
export function isRunId(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= LIMITS.idLength && RUN_ID.test(v) && !v.includes('..');
}

/** A file name the webview suggests for an export: no separators, no control characters. */
export function isSafeFileName(v: unknown): v is string {
  return (
    typeof v === 'string' &&
    v.length > 0 &&
    v.length <= LIMITS.fileName &&
    !/[\\/:*?"<>|\p{Cc}]/u.test(v) &&
    v !== '.' &&
    v !== '..'
  );
}

/** A path relative to the runs folder as the host listed it (forward slashes, no `..`). */
export function isRelativeRunsPath(v: unknown): v is string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 1000) return false;
  if (v.startsWith('/') || v.includes('\\') || /^[A-Za-z]:/.test(v) || /\p{Cc}/u.test(v)) return false;
  return v.split('/').every((seg) => seg.length > 0 && seg !== '.' && seg !== '..');
}

/** A comparison method id (a run id, or a method name, maybe suffixed "#2"), a dataset slug or an image id: short, no control characters. */
function isShortName(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= LIMITS.idLength && !/\p{Cc}/u.test(v);
}

function isRunIdList(v: unknown): v is string[] {
  return Array.isArray(v) && v.length <= LIMITS.runIds && v.every(isRunId);
}

const FORMATS: readonly ExportFormat[] = ['png', 'csv', 'md', 'svg'];
const LEVELS = ['info', 'warn', 'error'] as const;

function parseCommon(m: Record<string, unknown>): CommonToHost | undefined {
  switch (m.type) {
    case 'ready':
      return { type: 'ready' };
    case 'saveFile':
      if (!isSafeFileName(m.fileName)) return undefined;
      if (typeof m.format !== 'string' || !FORMATS.includes(m.format as ExportFormat)) return undefined;
      if (typeof m.data !== 'string' || m.data.length > LIMITS.exportData) return undefined;
      if (m.format === 'png' && !/^[A-Za-z0-9+/=\s]*$/.test(m.data.slice(0, 4096))) return undefined;
      return { type: 'saveFile', fileName: m.fileName, format: m.format as ExportFormat, data: m.data };
    case 'log':
      if (typeof m.level !== 'string' || !(LEVELS as readonly string[]).includes(m.level)) return undefined;
      if (typeof m.message !== 'string') return undefined;
      return { type: 'log', level: m.level as ClientLogMessage['level'], message: m.message.slice(0, LIMITS.logMessage) };
    default:
      return undefined;
  }
}

/** Validates a message from the dashboard webview; undefined means drop it. */
export function parseDashboardMessage(raw: unknown): DashboardToHost | undefined {
  if (!isRecord(raw) || typeof raw.type !== 'string') return undefined;
  if (raw.type === 'selectRuns') {
    if (!isRunIdList(raw.runIds) || (raw.follow !== undefined && typeof raw.follow !== 'boolean')) return undefined;
    return raw.follow === undefined ? { type: 'selectRuns', runIds: [...raw.runIds] } : { type: 'selectRuns', runIds: [...raw.runIds], follow: raw.follow };
  }
  return parseCommon(raw);
}

export function parseGalleryMessage(raw: unknown): GalleryToHost | undefined {
  if (!isRecord(raw) || typeof raw.type !== 'string') return undefined;
  if (raw.type === 'selectCompareRun') {
    if (raw.runId === null) return { type: 'selectCompareRun', runId: null };
    return isRunId(raw.runId) ? { type: 'selectCompareRun', runId: raw.runId } : undefined;
  }
  if (raw.type === 'openOriginal') {
    return isRunId(raw.runId) && isShortName(raw.dataset) && isShortName(raw.imageId) ? { type: 'openOriginal', runId: raw.runId, dataset: raw.dataset, imageId: raw.imageId } : undefined;
  }
  return parseCommon(raw);
}

export function parseComparisonMessage(raw: unknown): ComparisonToHost | undefined {
  if (!isRecord(raw) || typeof raw.type !== 'string') return undefined;
  switch (raw.type) {
    case 'compare':
      if (!isRunIdList(raw.runIds) || raw.runIds.length < 1) return undefined;
      if (raw.baseline === undefined) return { type: 'compare', runIds: [...raw.runIds] };
      return isShortName(raw.baseline) ? { type: 'compare', runIds: [...raw.runIds], baseline: raw.baseline } : undefined;
    case 'rebase':
      return isShortName(raw.baseline) ? { type: 'rebase', baseline: raw.baseline } : undefined;
    case 'openImage':
      return isRunId(raw.runId) && isShortName(raw.dataset) && isShortName(raw.imageId) ? { type: 'openImage', runId: raw.runId, dataset: raw.dataset, imageId: raw.imageId } : undefined;
    case 'openComparisonFile':
      return { type: 'openComparisonFile' };
    case 'loadComparisonFile':
      return isRelativeRunsPath(raw.file) && raw.file.endsWith('.json') ? { type: 'loadComparisonFile', file: raw.file } : undefined;
    default:
      return parseCommon(raw);
  }
}

// ------------------------------------------------------------------------------------------
// Segmentation (BUS: Segment Image...): predictions on images without ground truth
// ------------------------------------------------------------------------------------------

export interface PredictionView {
  runId: string;
  runName: string;
  method: string;
  /** What was segmented: the image's or the folder's name. */
  source: string;
  /** asWebviewUri of the output folder: `${baseUri}/overlays/<name>.png`, `masks/`, `prob/`. */
  baseUri: string;
  rows: ImagePrediction[];
  featureIds: string[];
  skipped: { file: string; reason: string }[];
}

export type PredictionOutputKind = 'mask' | 'overlay';

export type PredictionToHost = CommonToHost | { type: 'saveOutput'; name: string; kind: PredictionOutputKind };

export type HostToPrediction = CommonToWebview | { type: 'snapshot'; view: PredictionView };

export function parsePredictionMessage(raw: unknown): PredictionToHost | undefined {
  if (!isRecord(raw) || typeof raw.type !== 'string') return undefined;
  if (raw.type === 'saveOutput') {
    // `name` is an output base name (no extension); the host resolves it inside the output folder.
    if (!isSafeFileName(raw.name) || (raw.kind !== 'mask' && raw.kind !== 'overlay')) return undefined;
    return { type: 'saveOutput', name: raw.name, kind: raw.kind };
  }
  return parseCommon(raw);
}

// State coming back from the serializer is webview-controlled too: validate it the same way.

function clampNumber(v: unknown, lo: number, hi: number, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : fallback;
}

export function parseDashboardState(raw: unknown): DashboardState | undefined {
  if (!isRecord(raw)) return undefined;
  return {
    selected: isRunIdList(raw.selected) ? [...raw.selected] : [],
    follow: typeof raw.follow === 'boolean' ? raw.follow : true,
    smoothing: clampNumber(raw.smoothing, 0, 0.999, 0.6),
  };
}

export function parseGalleryState(raw: unknown): GalleryState | undefined {
  if (!isRecord(raw) || !isRunId(raw.runId)) return undefined;
  const s: GalleryState = { runId: raw.runId };
  if (typeof raw.dataset === 'string' && raw.dataset.length <= LIMITS.idLength) s.dataset = raw.dataset;
  if (raw.compareRunId === null || isRunId(raw.compareRunId)) s.compareRunId = raw.compareRunId as string | null;
  if (typeof raw.sort === 'string' && raw.sort.length <= 50) s.sort = raw.sort;
  if (typeof raw.label === 'string' && raw.label.length <= 50) s.label = raw.label;
  if (typeof raw.search === 'string' && raw.search.length <= 500) s.search = raw.search;
  if (typeof raw.page === 'number' && Number.isInteger(raw.page) && raw.page >= 0) s.page = raw.page;
  return s;
}

export function parseComparisonState(raw: unknown): ComparisonState | undefined {
  if (!isRecord(raw)) return undefined;
  const s: ComparisonState = {};
  if (isRunIdList(raw.runIds)) s.runIds = [...raw.runIds];
  if (isRelativeRunsPath(raw.file) && raw.file.endsWith('.json')) s.file = raw.file;
  if (isShortName(raw.baseline)) s.baseline = raw.baseline;
  return s;
}
