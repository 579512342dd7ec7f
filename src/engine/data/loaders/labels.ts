/** Label spellings in the published files (Benign, MALIGNANT, normal ...) to the engine's Label. */
import { Label } from '../../types';

const SPELLINGS: Record<string, Label> = {
  benign: 'benign',
  b: 'benign',
  malignant: 'malignant',
  m: 'malignant',
  normal: 'normal',
  n: 'normal',
  none: 'normal',
};

export function parseLabel(text: string): Label | undefined {
  return SPELLINGS[text.trim().toLowerCase()];
}
