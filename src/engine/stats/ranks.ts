/** Mid-ranks (average ranks for ties), the ranking every rank test here uses. */

export interface Ranking {
  /** 1-based ranks, ties sharing the mean of the ranks they span. */
  ranks: Float64Array;
  /** Size of every group of tied values with more than one member. */
  tieSizes: number[];
}

export function midRanks(values: ArrayLike<number>): Ranking {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Float64Array(n);
  const tieSizes: number[] = [];
  let i = 0;
  while (i < n) {
    let j = i + 1;
    while (j < n && values[order[j]] === values[order[i]]) j++;
    const rank = (i + 1 + j) / 2; // mean of ranks i+1 .. j
    for (let k = i; k < j; k++) ranks[order[k]] = rank;
    if (j - i > 1) tieSizes.push(j - i);
    i = j;
  }
  return { ranks, tieSizes };
}
