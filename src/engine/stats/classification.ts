/**
 * Binary decisions from a score: a case is called positive when score >= threshold. Used for
 * benign vs malignant (positive = malignant) at 0.5 and at a threshold chosen on internal
 * validation (Youden), never on the external set it is reported for.
 */

export interface ThresholdMetrics {
  threshold: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  /** undefined when there are no cases. */
  accuracy?: number;
  /** True-positive rate; undefined without positives. */
  sensitivity?: number;
  /** True-negative rate; undefined without negatives. */
  specificity?: number;
}

function checkPairs(scores: ArrayLike<number>, positive: ArrayLike<boolean>, what: string): void {
  if (scores.length !== positive.length) throw new Error(`${what}: ${scores.length} scores against ${positive.length} labels`);
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i])) throw new Error(`${what}: score ${i} is not a finite number (${scores[i]})`);
  }
}

export function metricsAtThreshold(scores: ArrayLike<number>, positive: ArrayLike<boolean>, threshold: number): ThresholdMetrics {
  checkPairs(scores, positive, 'threshold metrics');
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < scores.length; i++) {
    const called = scores[i] >= threshold;
    if (positive[i]) {
      if (called) tp++;
      else fn++;
    } else if (called) fp++;
    else tn++;
  }
  const total = tp + fp + tn + fn;
  return {
    threshold,
    tp,
    fp,
    tn,
    fn,
    accuracy: total > 0 ? (tp + tn) / total : undefined,
    sensitivity: tp + fn > 0 ? tp / (tp + fn) : undefined,
    specificity: tn + fp > 0 ? tn / (tn + fp) : undefined,
  };
}

export interface YoudenChoice {
  threshold: number;
  /** Youden's J = sensitivity + specificity - 1 at the threshold. */
  j: number;
  sensitivity: number;
  specificity: number;
}

/**
 * The threshold maximising Youden's J. Candidates are the midpoints between consecutive distinct
 * scores (as pROC), so the choice does not sit on a training case's exact score. Among equal J,
 * the lowest threshold wins: in cancer work a missed malignancy costs more than a false alarm.
 */
export function youdenThreshold(scores: ArrayLike<number>, positive: ArrayLike<boolean>): YoudenChoice {
  checkPairs(scores, positive, 'Youden threshold');
  let nPos = 0;
  for (let i = 0; i < positive.length; i++) if (positive[i]) nPos++;
  const nNeg = positive.length - nPos;
  if (nPos === 0 || nNeg === 0) throw new Error(`Youden threshold: needs positive and negative cases (got ${nPos} and ${nNeg})`);
  const distinct = Array.from(new Set(Array.from(scores))).sort((a, b) => a - b);
  const candidates = distinct.length === 1 ? distinct : distinct.slice(1).map((v, i) => (v + distinct[i]) / 2);
  let best: YoudenChoice | undefined;
  for (const threshold of candidates) {
    const m = metricsAtThreshold(scores, positive, threshold);
    const sensitivity = m.sensitivity as number;
    const specificity = m.specificity as number;
    const j = sensitivity + specificity - 1;
    if (!best || j > best.j + 1e-12) best = { threshold, j, sensitivity, specificity };
  }
  return best as YoudenChoice;
}
