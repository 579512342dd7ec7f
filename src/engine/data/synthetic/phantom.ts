/**
 * Renders one B-mode-like phantom image at a site's native resolution: layered breast tissue
 * (skin, subcutaneous fat, fibroglandular tissue, pectoral muscle), an optional hypoechoic lesion
 * with its posterior acoustic feature, Rayleigh speckle, depth attenuation, log compression,
 * electronic noise and the probe's field of view. Pure JS and deterministic for a seed.
 */
import { deriveSeed, mulberry32, Rng, uniform } from '../random';
import { approxGaussian, rayleighSpeckle, smoothNoise } from './fields';
import { LesionMorphology, radiusTable } from './morphology';
import { SiteProfile } from './sites';

export interface PhantomImage {
  width: number;
  height: number;
  /** 8-bit grey. */
  image: Uint8Array;
  /** Binary lesion mask. */
  mask: Uint8Array;
}

/** Where each pixel lies for the probe: depth along its beam, which beam, inside the field of view. */
interface ScanGeometry {
  depthMm: Float32Array;
  /** Beam index 0..beams-1 (image column for linear probes, fan angle bin for sectors). */
  beam: Int32Array;
  beams: number;
  inside: Uint8Array;
  maxDepthMm: number;
}

function scanGeometry(site: SiteProfile): ScanGeometry {
  const { width: w, height: h, pixelSizeMm: px } = site;
  const depthMm = new Float32Array(w * h);
  const beam = new Int32Array(w * h);
  const inside = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (site.geometry === 'linear') {
        depthMm[i] = y * px;
        beam[i] = x;
        inside[i] = 1;
      } else {
        const dx = x + 0.5 - w / 2;
        const dy = y + site.apexOffset;
        const rho = Math.hypot(dx, dy);
        const phi = Math.atan2(dx, dy);
        depthMm[i] = (rho - site.apexOffset) * px;
        beam[i] = Math.min(w - 1, Math.max(0, Math.floor(((phi / site.fanHalfAngle + 1) / 2) * w)));
        inside[i] = Math.abs(phi) <= site.fanHalfAngle && rho >= site.apexOffset && rho <= site.apexOffset + h ? 1 : 0;
      }
    }
  }
  return { depthMm, beam, beams: w, inside, maxDepthMm: h * px };
}

/** Echo level of normal tissue by layer, before speckle. */
function tissueEchogenicity(rng: Rng, site: SiteProfile, g: ScanGeometry): Float32Array {
  const { width: w, height: h } = site;
  const coarse = smoothNoise(rng, w, h, 6, 4);
  const fine = smoothNoise(rng, w, h, 22, 14);
  const skin = uniform(rng, 1.0, 1.8);
  const fatBase = skin + uniform(rng, 3, 7);
  const glandBase = g.maxDepthMm * uniform(rng, 0.74, 0.88);
  const wave = [uniform(rng, 0.5, 2), uniform(rng, 1, 3), rng() * 6.28, rng() * 6.28];
  const striation = uniform(rng, 1.2, 2.0);
  // Layer boundaries undulate across the image; they depend on the beam only.
  const fatEnds = new Float32Array(g.beams);
  const glandEnds = new Float32Array(g.beams);
  for (let b = 0; b < g.beams; b++) {
    const lateral = b / g.beams;
    fatEnds[b] = fatBase + wave[0] * Math.sin(2 * Math.PI * lateral * wave[1] + wave[2]);
    glandEnds[b] = glandBase + 1.5 * Math.sin(2 * Math.PI * lateral * 1.3 + wave[3]);
  }
  const e = new Float32Array(w * h);
  for (let i = 0; i < e.length; i++) {
    const d = g.depthMm[i];
    const fatEnd = fatEnds[g.beam[i]];
    const glandEnd = glandEnds[g.beam[i]];
    if (d < skin) e[i] = 1.7;
    else if (d < fatEnd) e[i] = 0.45 + 0.15 * fine[i];
    else if (d < glandEnd) e[i] = 1.0 + 0.3 * coarse[i] + 0.12 * fine[i];
    else e[i] = 0.65 + 0.25 * Math.sin((2 * Math.PI * d) / striation + coarse[i]);
  }
  return e;
}

/** Rasterises the lesion: mask, and the signed distance to its outline in pixels (inside > 0). */
function rasteriseLesion(site: SiteProfile, m: LesionMorphology): { mask: Uint8Array; distance: Float32Array } {
  const { width: w, height: h, pixelSizeMm: px } = site;
  const table = radiusTable(m);
  const n = table.length;
  let maxR = 0;
  for (let i = 0; i < n; i++) maxR = Math.max(maxR, table[i]);
  const radiusPx = m.radiusMm / px;
  const cx = m.centerX * w;
  const cy = m.centerY * h;
  const cos = Math.cos((-m.orientationDeg * Math.PI) / 180);
  const sin = Math.sin((-m.orientationDeg * Math.PI) / 180);
  const mask = new Uint8Array(w * h);
  const distance = new Float32Array(w * h).fill(-1e6);
  const reach = maxR * radiusPx + 8;
  const x0 = Math.max(0, Math.floor(cx - reach));
  const x1 = Math.min(w - 1, Math.ceil(cx + reach));
  const y0 = Math.max(0, Math.floor(cy - reach));
  const y1 = Math.min(h - 1, Math.ceil(cy + reach));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const dx = x + 0.5 - cx;
      const dy = y + 0.5 - cy;
      // Lesion frame: undo the tilt; image rows grow with depth, so flip y to keep angles counter-clockwise.
      const lx = dx * cos - dy * sin;
      const ly = -(dx * sin + dy * cos);
      const rho = Math.hypot(lx, ly);
      let t = Math.atan2(ly, lx);
      if (t < 0) t += 2 * Math.PI;
      const r = table[Math.floor((t / (2 * Math.PI)) * n) % n] * radiusPx;
      const i = y * w + x;
      distance[i] = r - rho;
      if (rho <= r) mask[i] = 1;
    }
  }
  return { mask, distance };
}

/** Deepest lesion depth per beam and how much of each beam's neighbourhood the lesion covers. */
function posteriorProfile(g: ScanGeometry, mask: Uint8Array): { bottom: Float32Array; cover: Float32Array } {
  const bottom = new Float32Array(g.beams).fill(-1);
  for (let i = 0; i < mask.length; i++) if (mask[i] && g.depthMm[i] > bottom[g.beam[i]]) bottom[g.beam[i]] = g.depthMm[i];
  // Soften the lateral edges of shadows and enhancement over a few beams.
  const radius = 2;
  const cover = new Float32Array(g.beams);
  const smoothBottom = new Float32Array(g.beams).fill(-1);
  for (let b = 0; b < g.beams; b++) {
    let hits = 0;
    for (let k = -radius; k <= radius; k++) {
      const bb = b + k;
      if (bb < 0 || bb >= g.beams || bottom[bb] < 0) continue;
      hits++;
      smoothBottom[b] = Math.max(smoothBottom[b], bottom[bb]);
    }
    cover[b] = hits / (2 * radius + 1);
  }
  return { bottom: smoothBottom, cover };
}

/**
 * Renders the image. `lesion` undefined gives a normal (lesion-free) image. The pixel noise comes
 * from `seed`; the same site, lesion and seed always give the same bytes.
 */
export function renderPhantom(site: SiteProfile, lesion: LesionMorphology | undefined, seed: number): PhantomImage {
  const { width: w, height: h } = site;
  const rng = mulberry32(deriveSeed(seed, site.id, 'pixels'));
  const g = scanGeometry(site);
  const echo = tissueEchogenicity(rng, site, g);
  let mask: Uint8Array = new Uint8Array(w * h);

  if (lesion) {
    const raster = rasteriseLesion(site, lesion);
    mask = raster.mask;
    const texture = smoothNoise(rng, w, h, 30, 24);
    const blur = Math.max(0.4, lesion.marginBlurPx);
    for (let i = 0; i < echo.length; i++) {
      const s = raster.distance[i];
      if (s < -12) continue;
      // Smooth edge: weight 0.5 on the outline, spreading over the margin blur width.
      const weight = Math.min(1, Math.max(0, 0.5 + s / (2 * blur)));
      const inner = lesion.echogenicity * (1 + lesion.heterogeneity * texture[i]);
      let e = echo[i] * (1 - weight) + inner * weight;
      if (lesion.capsule && Math.abs(s) < 0.8) e *= 1.6;
      if (lesion.halo && s < 0 && s > -3 - 1.5 * texture[i]) e *= 1.45;
      echo[i] = e;
    }
    if (lesion.posterior !== 'no') {
      const { bottom, cover } = posteriorProfile(g, mask);
      for (let i = 0; i < echo.length; i++) {
        const b = g.beam[i];
        if (bottom[b] < 0 || g.depthMm[i] <= bottom[b] || mask[i]) continue;
        const below = g.depthMm[i] - bottom[b];
        const strength = lesion.posteriorStrength * cover[b];
        let f = 1;
        if (lesion.posterior === 'enhancement') f = 1 + strength * Math.exp(-below / 14);
        else if (lesion.posterior === 'shadowing') f = 1 - strength * (1 - Math.exp(-below / 1.5));
        // Combined: enhancement close behind the lesion, a shadow farther down.
        else f = below < 4 ? 1 + strength * 0.6 : 1 - strength * 0.7 * (1 - Math.exp(-(below - 4) / 2));
        echo[i] *= f;
      }
    }
  }

  const speckle = rayleighSpeckle(rng, w, h, site.speckleLateral, site.speckleAxial);
  // Attenuation left after time-gain compensation, tabulated over depth (smooth, so 1024 steps suffice).
  const attenuationRate = -Math.log(1 - site.attenuation) / g.maxDepthMm;
  const steps = 1024;
  const attenuation = new Float32Array(steps + 1);
  for (let k = 0; k <= steps; k++) attenuation[k] = Math.exp((-attenuationRate * g.maxDepthMm * k) / steps);
  const toStep = steps / g.maxDepthMm;
  const compress = (255 * site.gain) / Math.log(1 + 4 * 3);
  const image = new Uint8Array(w * h);
  for (let i = 0; i < image.length; i++) {
    if (!g.inside[i]) {
      mask[i] = 0;
      continue;
    }
    const step = Math.min(steps, Math.max(0, Math.round(g.depthMm[i] * toStep)));
    const amplitude = Math.max(0, echo[i]) * speckle[i] * attenuation[step];
    const v = compress * Math.log(1 + 4 * amplitude) + site.noise * approxGaussian(rng);
    image[i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
  }
  return { width: w, height: h, image, mask };
}
