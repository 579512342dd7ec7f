/**
 * Lesion morphology of the synthetic phantom, sampled the way the BI-RADS lexicon describes the
 * two classes: benign lesions oval or round, circumscribed, wider than tall ("parallel"), often with
 * posterior enhancement; malignant lesions irregular with angular, microlobulated or spiculated
 * margins, more often taller than wide, often with posterior shadowing. The outline is a polar
 * radius function r(theta), so every parameter has a direct geometric meaning and is stored as
 * ground truth in meta.synthetic.
 */
import { Label } from '../../types';
import { chance, deriveSeed, mulberry32, pick, Rng, uniform, randomInt } from '../random';
import { SiteProfile } from './sites';

export type MarginPattern = 'circumscribed' | 'indistinct' | 'angular' | 'microlobulated' | 'spiculated';
export type PosteriorPattern = 'enhancement' | 'shadowing' | 'no' | 'combined';

export interface LesionMorphology {
  shape: 'oval' | 'round' | 'irregular';
  margins: MarginPattern[];
  /** Centre as a fraction of the image width and height. */
  centerX: number;
  centerY: number;
  /** Radius of the circle of equal area before perturbations, millimetres. */
  radiusMm: number;
  /** Width over height of the base ellipse (< 1: taller than wide). */
  aspect: number;
  /** Tilt of the long axis from horizontal, degrees. */
  orientationDeg: number;
  /** Macrolobulation: number of lobes and relative amplitude. */
  lobes: number;
  lobeAmplitude: number;
  /** Low-order random harmonics (2..5) that make an outline irregular, relative amplitude. */
  irregularity: number;
  microlobes: number;
  microlobeAmplitude: number;
  /** Blend towards a polygon with this many corners (angular margin), 0..1. */
  angularVertices: number;
  angularity: number;
  spicules: number;
  /** Spicule length relative to the radius. */
  spiculeLength: number;
  /** Width of the edge transition in pixels (indistinct margins are wide). */
  marginBlurPx: number;
  /** Lesion echo level relative to fibroglandular tissue (hypoechoic: < 1). */
  echogenicity: number;
  /** Internal echo variation, 0..1. */
  heterogeneity: number;
  posterior: PosteriorPattern;
  posteriorStrength: number;
  /** Thin echogenic capsule (benign) and echogenic halo (malignant). */
  capsule: boolean;
  halo: boolean;
  /** Seed of the phases and spicule directions, so the outline is reproducible from meta alone. */
  shapeSeed: number;
}

export function sampleMorphology(rng: Rng, label: Exclude<Label, 'normal'>, site: SiteProfile): LesionMorphology {
  const malignant = label === 'malignant';
  const base = {
    lobes: 0,
    lobeAmplitude: 0,
    irregularity: 0,
    microlobes: 0,
    microlobeAmplitude: 0,
    angularVertices: 0,
    angularity: 0,
    spicules: 0,
    spiculeLength: 0,
    capsule: false,
    halo: false,
    shapeSeed: Math.floor(rng() * 2 ** 31),
  };
  let m: LesionMorphology;
  if (!malignant) {
    const round = chance(rng, 0.3);
    const lobulated = chance(rng, 0.25);
    const posterior: PosteriorPattern = rng() < 0.6 ? 'enhancement' : rng() < 0.9 ? 'no' : 'shadowing';
    m = {
      ...base,
      shape: round ? 'round' : 'oval',
      margins: ['circumscribed'],
      centerX: 0,
      centerY: 0,
      radiusMm: uniform(rng, 3.5, 7.5),
      aspect: round ? uniform(rng, 1.0, 1.12) : uniform(rng, 1.3, 2.0),
      orientationDeg: uniform(rng, -12, 12),
      // Gentle macrolobulation (two or three lobes) still reads as circumscribed.
      lobes: lobulated ? randomInt(rng, 2, 3) : 0,
      lobeAmplitude: lobulated ? uniform(rng, 0.03, 0.07) : 0,
      marginBlurPx: uniform(rng, 0.4, 1.0),
      echogenicity: chance(rng, 0.2) ? uniform(rng, 0.05, 0.12) : uniform(rng, 0.2, 0.45),
      heterogeneity: uniform(rng, 0.05, 0.2),
      posterior,
      posteriorStrength: posterior === 'enhancement' ? uniform(rng, 0.3, 0.7) : posterior === 'shadowing' ? uniform(rng, 0.2, 0.4) : 0,
      capsule: chance(rng, 0.4),
    };
  } else {
    const margins = new Set<MarginPattern>();
    margins.add(pick(rng, ['angular', 'microlobulated', 'spiculated'] as const));
    if (chance(rng, 0.4)) margins.add(pick(rng, ['angular', 'microlobulated', 'spiculated'] as const));
    if (chance(rng, 0.5)) margins.add('indistinct');
    const tall = chance(rng, 0.55);
    const r = rng();
    const posterior: PosteriorPattern = r < 0.6 ? 'shadowing' : r < 0.85 ? 'no' : r < 0.93 ? 'combined' : 'enhancement';
    m = {
      ...base,
      shape: 'irregular',
      margins: [...margins],
      centerX: 0,
      centerY: 0,
      radiusMm: uniform(rng, 4, 8.5),
      aspect: tall ? uniform(rng, 0.55, 0.9) : uniform(rng, 1.0, 1.5),
      orientationDeg: uniform(rng, -30, 30),
      lobes: randomInt(rng, 3, 6),
      lobeAmplitude: uniform(rng, 0.08, 0.18),
      irregularity: uniform(rng, 0.05, 0.12),
      microlobes: margins.has('microlobulated') ? randomInt(rng, 12, 20) : 0,
      microlobeAmplitude: margins.has('microlobulated') ? uniform(rng, 0.05, 0.09) : 0,
      angularVertices: margins.has('angular') ? randomInt(rng, 4, 7) : 0,
      angularity: margins.has('angular') ? uniform(rng, 0.5, 0.9) : 0,
      spicules: margins.has('spiculated') ? randomInt(rng, 7, 16) : 0,
      spiculeLength: margins.has('spiculated') ? uniform(rng, 0.35, 0.8) : 0,
      marginBlurPx: margins.has('indistinct') ? uniform(rng, 1.5, 3.0) : uniform(rng, 0.6, 1.2),
      echogenicity: uniform(rng, 0.1, 0.35),
      heterogeneity: uniform(rng, 0.2, 0.45),
      posterior,
      posteriorStrength: posterior === 'no' ? 0 : uniform(rng, 0.35, 0.75),
      halo: chance(rng, 0.35),
    };
  }
  placeLesion(rng, m, site);
  return m;
}

/**
 * Sizes and places the lesion: its outline (spicules included) must fit in the central part of the
 * image, below the skin and fat and above the chest wall; lesions that would not fit are shrunk.
 */
function placeLesion(rng: Rng, m: LesionMorphology, site: SiteProfile): void {
  const widthMm = site.width * site.pixelSizeMm;
  const heightMm = site.height * site.pixelSizeMm;
  const table = radiusTable(m, 256);
  let reach = 0;
  for (let i = 0; i < table.length; i++) reach = Math.max(reach, table[i]);
  const allowed = 0.28 * Math.min(widthMm, heightMm);
  if (m.radiusMm * reach > allowed) m.radiusMm = allowed / reach;
  const extent = m.radiusMm * reach + 0.5;
  const within = (lo: number, hi: number, size: number) => {
    const min = Math.max(lo * size, extent);
    const max = Math.min(hi * size, size - extent);
    return (min <= max ? uniform(rng, min, max) : size / 2) / size;
  };
  const lateral = site.geometry === 'sector' ? [0.38, 0.62] : [0.3, 0.7];
  m.centerX = within(lateral[0], lateral[1], widthMm);
  const depthLo = Math.max(0.3, 0.2 + extent / heightMm);
  const depthHi = Math.min(0.6, 0.85 - extent / heightMm);
  m.centerY = depthLo <= depthHi ? uniform(rng, depthLo, depthHi) : 0.5;
}

/**
 * The outline as a radius table over the lesion's own angle, in units of radiusMm:
 * table[k] = r(2 pi k / n). Angles are measured in the lesion frame (after removing the tilt).
 */
export function radiusTable(m: LesionMorphology, n = 1024): Float32Array {
  const rng = mulberry32(deriveSeed(m.shapeSeed, 'outline'));
  const a = Math.sqrt(m.aspect);
  const b = 1 / Math.sqrt(m.aspect);
  const lobePhase = rng() * 2 * Math.PI;
  const microPhase = rng() * 2 * Math.PI;
  const polygonPhase = rng() * 2 * Math.PI;
  const harmonics = [2, 3, 4, 5].map((k) => ({ k, amp: m.irregularity * uniform(rng, 0.4, 1), phase: rng() * 2 * Math.PI }));
  const spikes = Array.from({ length: m.spicules }, () => ({
    angle: rng() * 2 * Math.PI,
    width: uniform(rng, 0.05, 0.1),
    length: m.spiculeLength * uniform(rng, 0.6, 1.3),
  }));
  const table = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = (2 * Math.PI * i) / n;
    const c = Math.cos(t);
    const s = Math.sin(t);
    let r = (a * b) / Math.sqrt(b * c * (b * c) + a * s * (a * s));
    let f = 1 + m.lobeAmplitude * Math.cos(m.lobes * t + lobePhase) + m.microlobeAmplitude * Math.cos(m.microlobes * t + microPhase);
    for (const h of harmonics) f += h.amp * Math.cos(h.k * t + h.phase);
    r *= f;
    if (m.angularVertices > 0) {
      const sector = (2 * Math.PI) / m.angularVertices;
      const local = ((((t - polygonPhase) % sector) + sector) % sector) - sector / 2;
      const polygon = Math.cos(Math.PI / m.angularVertices) / Math.cos(local);
      r *= 1 - m.angularity + m.angularity * polygon;
    }
    for (const sp of spikes) {
      let d = Math.abs(t - sp.angle);
      if (d > Math.PI) d = 2 * Math.PI - d;
      if (d < sp.width) r += sp.length * (1 - d / sp.width) ** 2;
    }
    table[i] = r;
  }
  return table;
}

/** BI-RADS-style descriptors of a sampled lesion, spelled like the BrEaST spreadsheet. */
export function describeMorphology(m: LesionMorphology): { shape: string; margin: string; orientation: string; posteriorFeatures: string; echogenicity: string; birads: string } {
  const notCircumscribed = m.margins.filter((x) => x !== 'circumscribed');
  const margin = notCircumscribed.length === 0 ? 'circumscribed' : `not circumscribed - ${notCircumscribed.join('&')}`;
  const birads = m.shape !== 'irregular' ? '3' : m.margins.includes('spiculated') || m.aspect < 1 ? '5' : '4c';
  return {
    shape: m.shape,
    margin,
    orientation: m.aspect < 1 ? 'not parallel' : 'parallel',
    posteriorFeatures: m.posterior,
    echogenicity: m.echogenicity < 0.13 ? 'anechoic' : m.heterogeneity > 0.3 ? 'heterogeneous' : 'hypoechoic',
    birads,
  };
}
