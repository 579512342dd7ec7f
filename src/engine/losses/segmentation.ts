import type { LossProvider } from '../plugins/providers';
import type { Scalar, Tensor, TF } from '../tf';

const EPS = 1e-6;

/** Binary cross-entropy on probabilities, clipped away from 0 and 1 to stay finite. */
export function binaryCrossEntropy(tf: TF, p: Tensor, y: Tensor): Tensor {
  const pc = tf.clipByValue(p, 1e-7, 1 - 1e-7);
  return tf.neg(tf.add(tf.mul(y, tf.log(pc)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, pc)))));
}

/** Soft Dice loss per image, averaged over the batch (images without lesion contribute via eps). */
export function softDiceLoss(tf: TF, p: Tensor, g: Tensor): Scalar {
  const inter = tf.sum(tf.mul(p, g), [1, 2, 3]);
  const denom = tf.add(tf.sum(p, [1, 2, 3]), tf.sum(g, [1, 2, 3]));
  const dice = tf.div(tf.add(tf.mul(inter, 2), 1), tf.add(denom, 1));
  return tf.mean(tf.sub(1, dice)) as Scalar;
}

export const segmentationLoss: LossProvider = {
  id: 'segmentation',
  label: 'Segmentation (Dice + BCE)',
  description: 'Soft Dice loss plus pixel-wise binary cross-entropy on the predicted mask.',
  source: 'builtin',
  create: (tf) => (batch, outputs) =>
    tf.add(softDiceLoss(tf, outputs.seg, batch.mask), tf.mean(binaryCrossEntropy(tf, outputs.seg, batch.mask))) as Scalar,
};

export const classificationLoss: LossProvider = {
  id: 'classification',
  label: 'Classification (BCE)',
  description: 'Binary cross-entropy of the malignancy probability against the benign/malignant label.',
  source: 'builtin',
  needsClassifier: true,
  create: (tf) => (batch, outputs) => {
    if (!outputs.pMalignant) throw new Error('the classification loss needs a classification head');
    const per = binaryCrossEntropy(tf, outputs.pMalignant, batch.label);
    // Normal images carry no malignancy target: mask them out of the mean.
    return tf.div(tf.sum(tf.mul(per, batch.hasLabel)), tf.add(tf.sum(batch.hasLabel), EPS)) as Scalar;
  },
};
