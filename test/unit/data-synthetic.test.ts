import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadDataset, renderPhantom, SITES } from '../../src/engine/data';
import { mulberry32 } from '../../src/engine/data/random';
import { sampleMorphology } from '../../src/engine/data/synthetic/morphology';
import { FullResolutionItem, LoadedDataset } from '../../src/engine/types';

/** 1 - 4 pi A / P^2 with P the number of pixel edges between lesion and background. */
function irregularity(mask: Uint8Array, w: number, h: number): number {
  let area = 0;
  let perimeter = 0;
  const at = (x: number, y: number) => (x < 0 || y < 0 || x >= w || y >= h ? 0 : mask[y * w + x]);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      if (!at(x, y)) continue;
      area++;
      perimeter += 4 - at(x - 1, y) - at(x + 1, y) - at(x, y - 1) - at(x, y + 1);
    }
  return 1 - (4 * Math.PI * area) / (perimeter * perimeter);
}

async function fullItems(ds: LoadedDataset): Promise<FullResolutionItem[]> {
  return Promise.all(ds.items.map((s) => ds.readFullResolution(s.id)));
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

test('deterministic for a seed; another seed gives other images; image i does not depend on count', async () => {
  const a = await loadDataset('synthetic:site-a?count=6&seed=5', { size: 32 });
  const b = await loadDataset('synthetic:site-a?count=6&seed=5', { size: 32 });
  assert.deepEqual(a.items, b.items);
  const c = await loadDataset('synthetic:site-a?count=6&seed=6', { size: 32 });
  assert.notDeepEqual(c.items.map((s) => s.image), a.items.map((s) => s.image));
  const morph = sampleMorphology(mulberry32(9), 'benign', SITES['site-a']);
  assert.deepEqual(renderPhantom(SITES['site-a'], morph, 3), renderPhantom(SITES['site-a'], morph, 3));
});

test('labels follow the options exactly; one patient per image; morphology stored in meta.synthetic', async () => {
  const ds = await loadDataset('synthetic:site-c?count=50&malignant=0.3&normal=5', { size: 32 });
  assert.equal(ds.items.filter((s) => s.label === 'normal').length, 5);
  assert.equal(ds.items.filter((s) => s.label === 'malignant').length, Math.round(45 * 0.3));
  assert.equal(new Set(ds.items.map((s) => s.patientId)).size, 50);
  for (const s of ds.items) {
    const syn = s.meta.synthetic!;
    assert.equal(syn.site, 'site-c');
    if (s.label === 'normal') {
      assert.equal(syn.lesion, false);
      assert.equal(s.mask.reduce((x, v) => x + v, 0), 0);
    } else {
      for (const key of ['lobes', 'spicules', 'aspect', 'radiusMm', 'tallerThanWide', 'posterior', 'margins']) assert.ok(key in syn, `${key} in meta.synthetic`);
      assert.ok(s.mask.reduce((x, v) => x + v, 0) > 0, `${s.id} has a lesion`);
    }
  }
  const benign = ds.items.filter((s) => s.label === 'benign');
  assert.ok(benign.every((s) => s.meta.shape === 'oval' || s.meta.shape === 'round'));
  assert.ok(benign.every((s) => s.meta.margin === 'circumscribed'));
  assert.ok(ds.items.filter((s) => s.label === 'malignant').every((s) => s.meta.shape === 'irregular'));
});

test('BI-RADS morphology: malignant lesions are more irregular, more often taller than wide, more often shadowed', async () => {
  const ds = await loadDataset('synthetic:site-a?count=80&malignant=0.5&seed=2', { size: 64 });
  const full = await fullItems(ds);
  const irr = { benign: [] as number[], malignant: [] as number[] };
  ds.items.forEach((s, i) => {
    if (s.label !== 'normal') irr[s.label].push(irregularity(full[i].mask, full[i].width, full[i].height));
  });
  assert.ok(mean(irr.malignant) > mean(irr.benign) + 0.1, `malignant ${mean(irr.malignant)} vs benign ${mean(irr.benign)}`);
  const share = (label: string, key: string, value: unknown) => {
    const group = ds.items.filter((s) => s.label === label);
    return group.filter((s) => s.meta.synthetic![key] === value).length / group.length;
  };
  assert.equal(share('benign', 'tallerThanWide', true), 0);
  assert.ok(share('malignant', 'tallerThanWide', true) > 0.3);
  assert.ok(share('malignant', 'posterior', 'shadowing') > share('benign', 'posterior', 'shadowing'));
  assert.ok(share('benign', 'posterior', 'enhancement') > share('malignant', 'posterior', 'enhancement'));
});

/** Mean, coefficient of variation and lag-1 horizontal autocorrelation of tissue pixels. */
function speckleStats(items: FullResolutionItem[]) {
  const m: number[] = [];
  const cv: number[] = [];
  const rho: number[] = [];
  for (const it of items) {
    const vals: number[] = [];
    let num = 0;
    let den = 0;
    const y0 = Math.floor(it.height * 0.25);
    const y1 = Math.floor(it.height * 0.45);
    const x0 = Math.floor(it.width * 0.35);
    const x1 = Math.floor(it.width * 0.65);
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (!it.mask[y * it.width + x]) vals.push(it.image[y * it.width + x]);
    const mu = mean(vals);
    const sd = Math.sqrt(mean(vals.map((v) => (v - mu) ** 2)));
    for (let y = y0; y < y1; y++)
      for (let x = x0; x < x1 - 1; x++) {
        const a = it.image[y * it.width + x] - mu;
        const b = it.image[y * it.width + x + 1] - mu;
        num += a * b;
        den += a * a;
      }
    m.push(mu);
    cv.push(sd / mu);
    rho.push(num / den);
  }
  return { mean: mean(m), cv: mean(cv), rho: mean(rho) };
}

test('sites differ measurably in brightness, speckle size and geometry', async () => {
  const stats: Record<string, ReturnType<typeof speckleStats>> = {};
  const sizes: Record<string, string> = {};
  for (const site of ['site-a', 'site-b', 'site-c']) {
    const ds = await loadDataset(`synthetic:${site}?count=8&seed=3`, { size: 32 });
    const full = await fullItems(ds);
    stats[site] = speckleStats(full);
    sizes[site] = `${full[0].width}x${full[0].height}`;
    if (site === 'site-c') assert.equal(full[0].image[0], 0, 'sector probe: corners outside the fan are black');
  }
  assert.equal(new Set(Object.values(sizes)).size, 3, JSON.stringify(sizes));
  // Coarser speckle (site-b) correlates neighbouring pixels more than the fine speckle of site-a.
  assert.ok(stats['site-b'].rho > stats['site-a'].rho + 0.1, JSON.stringify(stats));
  // Gain: site-c brighter than site-a, site-b darker.
  assert.ok(stats['site-c'].mean > stats['site-a'].mean + 10, JSON.stringify(stats));
  assert.ok(stats['site-b'].mean < stats['site-a'].mean - 10, JSON.stringify(stats));
});

