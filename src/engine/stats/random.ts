/**
 * A small seeded pseudo-random generator (mulberry32). Statistics that resample (bootstrap) take
 * a seed so that every number in a report can be reproduced exactly from the run folder.
 */
import { mulberry32 } from '../data/random';

export type Random = () => number;

/** Returns a generator of uniform numbers in [0, 1) determined entirely by `seed`. */
export function seededRandom(seed: number): Random {
  // Offset from the data pipeline's streams so a bootstrap never replays an augmentation sequence.
  return mulberry32((Math.floor(seed) ^ 0x9e3779b9) >>> 0);
}

/** A uniform integer in [0, n). */
export function randomIndex(random: Random, n: number): number {
  return Math.min(n - 1, Math.floor(random() * n));
}
