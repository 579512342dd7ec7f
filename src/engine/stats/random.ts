/**
 * A small seeded pseudo-random generator (mulberry32). Statistics that resample (bootstrap) take
 * a seed so that every number in a report can be reproduced exactly from the run folder.
 */
export type Random = () => number;

/** Returns a generator of uniform numbers in [0, 1) determined entirely by `seed`. */
export function seededRandom(seed: number): Random {
  let state = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniform integer in [0, n). */
export function randomIndex(random: Random, n: number): number {
  return Math.min(n - 1, Math.floor(random() * n));
}
