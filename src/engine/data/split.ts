/**
 * Patient-level train/validation split: all images of one patient land on the same side, so the
 * validation score never rewards remembering a patient. Patients are stratified by label (the
 * most severe label among their images) so both sides keep the class mix.
 */
import { Label, Sample } from '../types';
import { deriveSeed, mulberry32, shuffled } from './random';

const SEVERITY: Record<Label, number> = { normal: 0, benign: 1, malignant: 2 };

export function splitByPatient<T extends Pick<Sample, 'patientId' | 'label'>>(samples: readonly T[], valShare: number, seed: number): { train: T[]; val: T[] } {
  if (!(valShare >= 0 && valShare < 1)) throw new RangeError(`splitByPatient: valShare must be in [0, 1), got ${valShare}`);
  const patientLabel = new Map<string, Label>();
  for (const s of samples) {
    const prev = patientLabel.get(s.patientId);
    if (prev === undefined || SEVERITY[s.label] > SEVERITY[prev]) patientLabel.set(s.patientId, s.label);
  }
  const patients = [...patientLabel.keys()].sort();
  const valPatients = new Set<string>();
  if (valShare > 0 && patients.length > 1) {
    for (const label of ['malignant', 'benign', 'normal'] as const) {
      const group = patients.filter((p) => patientLabel.get(p) === label);
      const take = Math.round(group.length * valShare);
      for (const p of shuffled(mulberry32(deriveSeed(seed, 'split', label)), group).slice(0, take)) valPatients.add(p);
    }
    // Small datasets: rounding can leave one side empty; keep at least one patient on each side.
    if (valPatients.size === 0) valPatients.add(shuffled(mulberry32(deriveSeed(seed, 'split')), patients)[0]);
    if (valPatients.size === patients.length) valPatients.delete(patients[0]);
  }
  const train: T[] = [];
  const val: T[] = [];
  for (const s of samples) (valPatients.has(s.patientId) ? val : train).push(s);
  return { train, val };
}
