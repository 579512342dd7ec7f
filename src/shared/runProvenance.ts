/**
 * What a run is, in a few words, the same in the Runs tree's tooltip and every webview's header:
 * method, seed, lambda, phi's settings, image size, and the best epoch. A leaf module (plain
 * shapes, no imports) so the extension and the browser apps share one wording.
 */

export interface RunProvenance {
  method: string;
  seed?: number;
  imageSize?: number;
  lambda?: number;
  phiInit?: string;
  /** Absent: phi learns at the network's rate. */
  phiLearningRate?: number;
  phiSupervision?: number;
  maskGradient?: boolean;
  /** The epoch whose weights are the run's best (model/), and its validation Dice. */
  bestEpoch?: number;
  bestValDice?: number;
}

/** The settings that matter for a method's phi; plain methods have none. */
const USES_PHI = (method: string) => method === 'birads';

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Picks the fields from a run.json-shaped record (config + best epoch); anything malformed is left out. */
export function provenanceOf(record: { config?: Record<string, unknown> | object; bestEpoch?: unknown; bestValDice?: unknown } | undefined): RunProvenance | undefined {
  const c = record?.config as Record<string, unknown> | undefined;
  if (!c || typeof c.method !== 'string') return undefined;
  const p: RunProvenance = { method: c.method };
  if (isNum(c.seed)) p.seed = c.seed;
  if (isNum(c.imageSize)) p.imageSize = c.imageSize;
  if (isNum(c.lambda)) p.lambda = c.lambda;
  if (typeof c.phiInit === 'string') p.phiInit = c.phiInit;
  if (isNum(c.phiLearningRate)) p.phiLearningRate = c.phiLearningRate;
  if (isNum(c.phiSupervision)) p.phiSupervision = c.phiSupervision;
  if (typeof c.maskGradient === 'boolean') p.maskGradient = c.maskGradient;
  if (isNum(record?.bestEpoch)) p.bestEpoch = record.bestEpoch;
  if (isNum(record?.bestValDice)) p.bestValDice = record.bestValDice;
  return p;
}

const fmt = (x: number) => String(Number(x.toPrecision(4)));

/** phi's settings in one phrase ("φ init calibrated, lr 0.001, supervision 0.5, mask gradient on"); empty for methods without phi. */
export function phiSettingsText(p: RunProvenance): string {
  if (!USES_PHI(p.method)) return '';
  const parts: string[] = [];
  if (p.phiInit) parts.push(`init ${p.phiInit}`);
  parts.push(p.phiLearningRate !== undefined ? `lr ${fmt(p.phiLearningRate)}` : "lr the network's");
  if (p.phiSupervision !== undefined) parts.push(`supervision ${fmt(p.phiSupervision)}`);
  if (p.maskGradient !== undefined) parts.push(`mask gradient ${p.maskGradient ? 'on' : 'off'}`);
  return `φ ${parts.join(', ')}`;
}

/** The best epoch phrase ("best epoch 12 (val Dice 0.812)"), or '' before there is one. */
export function bestEpochText(p: RunProvenance): string {
  if (p.bestEpoch === undefined) return '';
  return `best epoch ${p.bestEpoch}` + (p.bestValDice !== undefined ? ` (val Dice ${p.bestValDice.toFixed(3)})` : '');
}

/** One line: "birads · seed 1 · 128 px · λ 0.1 · φ init calibrated, … · best epoch 12 (val Dice 0.812)". */
export function provenanceText(p: RunProvenance): string {
  const parts = [p.method];
  if (p.seed !== undefined) parts.push(`seed ${p.seed}`);
  if (p.imageSize !== undefined) parts.push(`${p.imageSize} px`);
  if (p.lambda !== undefined && USES_PHI(p.method)) parts.push(`λ ${fmt(p.lambda)}`);
  const phi = phiSettingsText(p);
  if (phi) parts.push(phi);
  const best = bestEpochText(p);
  if (best) parts.push(best);
  return parts.join(' · ');
}

/** Tooltip lines, one setting per line. */
export function provenanceLines(p: RunProvenance): string[] {
  const lines = [`Method: ${p.method}`];
  if (p.seed !== undefined) lines.push(`Seed: ${p.seed}`);
  if (p.imageSize !== undefined) lines.push(`Image size: ${p.imageSize} px`);
  if (USES_PHI(p.method)) {
    if (p.lambda !== undefined) lines.push(`λ (consistency weight): ${fmt(p.lambda)}`);
    const phi = phiSettingsText(p);
    if (phi) lines.push(`φ: ${phi.slice(2)}`);
  }
  lines.push(`Best epoch: ${p.bestEpoch !== undefined ? bestEpochText(p).replace(/^best epoch /, '') : '–'}`);
  return lines;
}
