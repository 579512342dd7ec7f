import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitByPatient } from '../../src/engine/data';
import { Label } from '../../src/engine/types';

function samples(): { id: string; patientId: string; label: Label }[] {
  const out: { id: string; patientId: string; label: Label }[] = [];
  for (let p = 0; p < 60; p++) {
    const label: Label = p % 3 === 0 ? 'malignant' : p % 10 === 1 ? 'normal' : 'benign';
    for (let k = 0; k < 1 + (p % 3); k++) out.push({ id: `p${p}-${k}`, patientId: `p${p}`, label });
  }
  return out;
}

test('no patient is on both sides and every sample lands somewhere', () => {
  const all = samples();
  const { train, val } = splitByPatient(all, 0.2, 1);
  const trainPatients = new Set(train.map((s) => s.patientId));
  assert.ok(val.every((s) => !trainPatients.has(s.patientId)));
  assert.equal(train.length + val.length, all.length);
});

test('patients are stratified by label', () => {
  const { val } = splitByPatient(samples(), 0.2, 1);
  const patients = (label: Label) => new Set(val.filter((s) => s.label === label).map((s) => s.patientId)).size;
  assert.equal(patients('malignant'), 4); // 20 malignant patients
  assert.equal(patients('normal'), 1); // 6 -> round(1.2)
  assert.equal(patients('benign'), 7); // 34 -> round(6.8)
});

test('deterministic for a seed, different for another; tiny sets keep both sides non-empty', () => {
  const a = splitByPatient(samples(), 0.25, 3);
  assert.deepEqual(splitByPatient(samples(), 0.25, 3), a);
  assert.notDeepEqual(splitByPatient(samples(), 0.25, 4).val, a.val);
  const two = [
    { id: 'a', patientId: 'A', label: 'benign' as Label },
    { id: 'b', patientId: 'B', label: 'benign' as Label },
  ];
  const t = splitByPatient(two, 0.1, 0);
  assert.deepEqual([t.train.length, t.val.length], [1, 1]);
  assert.throws(() => splitByPatient(two, 1, 0), /valShare must be in \[0, 1\)/);
});
