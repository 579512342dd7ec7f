/**
 * Acquisition profiles of the synthetic "centres". They differ the way real sites do: probe
 * geometry, native resolution and pixel size, speckle size, gain, electronic noise and depth
 * attenuation, so that a model trained on one site meets a real domain shift on the others.
 */

export type SiteId = 'site-a' | 'site-b' | 'site-c';
export const SITE_IDS: readonly SiteId[] = ['site-a', 'site-b', 'site-c'];

export interface SiteProfile {
  id: SiteId;
  /** What the site stands in for, shown by `bus-lab datasets list`. */
  description: string;
  /** Native image size in pixels. */
  width: number;
  height: number;
  pixelSizeMm: number;
  geometry: 'linear' | 'sector';
  /** Sector probes: half opening angle of the fan (radians) and the virtual apex above row 0 (pixels). */
  fanHalfAngle: number;
  apexOffset: number;
  /** Speckle grain: standard deviation (pixels) of the smoothing of the complex scattering field. */
  speckleLateral: number;
  speckleAxial: number;
  /** Display gain multiplier after log compression. */
  gain: number;
  /** Standard deviation of additive electronic noise, in grey levels. */
  noise: number;
  /** Attenuation left after time-gain compensation, as the fraction lost at the deepest row. */
  attenuation: number;
  device: string;
}

export const SITES: Record<SiteId, SiteProfile> = {
  'site-a': {
    id: 'site-a',
    description: 'linear probe, 160x128 px at 0.25 mm, fine speckle, low noise',
    width: 160,
    height: 128,
    pixelSizeMm: 0.25,
    geometry: 'linear',
    fanHalfAngle: 0,
    apexOffset: 0,
    speckleLateral: 0.9,
    speckleAxial: 0.6,
    gain: 1.0,
    noise: 2.5,
    attenuation: 0.35,
    device: 'synthetic linear 12 MHz',
  },
  'site-b': {
    id: 'site-b',
    description: 'linear probe, 192x144 px at 0.21 mm, coarse speckle, darker, noisier',
    width: 192,
    height: 144,
    pixelSizeMm: 0.21,
    geometry: 'linear',
    fanHalfAngle: 0,
    apexOffset: 0,
    speckleLateral: 1.8,
    speckleAxial: 1.1,
    gain: 0.82,
    noise: 7,
    attenuation: 0.55,
    device: 'synthetic linear 9 MHz',
  },
  'site-c': {
    id: 'site-c',
    description: 'slightly curved sector probe, 176x144 px at 0.28 mm, elongated speckle, bright, strong noise',
    width: 176,
    height: 144,
    pixelSizeMm: 0.28,
    geometry: 'sector',
    fanHalfAngle: (22 * Math.PI) / 180,
    apexOffset: 200,
    speckleLateral: 1.4,
    speckleAxial: 2.0,
    gain: 1.08,
    noise: 11,
    attenuation: 0.25,
    device: 'synthetic curved 7 MHz',
  },
};

export function isSiteId(value: string): value is SiteId {
  return (SITE_IDS as readonly string[]).includes(value);
}
