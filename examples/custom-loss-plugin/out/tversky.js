// @ts-check
/**
 * A Tversky loss for BUS Lab: 1 - TI, with TI = TP / (TP + alpha*FP + beta*FN) on soft masks,
 * averaged over the batch. beta > alpha weighs missed lesion pixels (FN) more than false alarms.
 *
 * The engine worker `require`s this module and calls `createLoss(tf, options)` with its own
 * TensorFlow.js namespace: use only `tf` ops on the tensors you are given, so the loss is
 * differentiable and runs on whichever backend the engine chose.
 */
'use strict';

/**
 * @param {any} tf the engine's @tensorflow/tfjs-core namespace
 * @param {{ alpha?: number, beta?: number, smooth?: number }} options
 */
function createLoss(tf, options) {
  const alpha = typeof options.alpha === 'number' ? options.alpha : 0.3;
  const beta = typeof options.beta === 'number' ? options.beta : 0.7;
  const smooth = typeof options.smooth === 'number' ? options.smooth : 1;
  /**
   * @param {{ mask: any }} batch  batch.mask: [B, S, S, 1] in {0, 1}
   * @param {{ seg: any }} outputs outputs.seg: [B, S, S, 1] predicted probabilities
   * @returns {any} a scalar tensor
   */
  return function tverskyLoss(batch, outputs) {
    return tf.tidy(() => {
      const p = outputs.seg;
      const g = tf.cast(batch.mask, 'float32');
      const axes = [1, 2, 3];
      const tp = tf.sum(tf.mul(p, g), axes);
      const fp = tf.sum(tf.mul(p, tf.sub(1, g)), axes);
      const fn = tf.sum(tf.mul(tf.sub(1, p), g), axes);
      const denominator = tf.add(tf.add(tf.add(tp, tf.mul(alpha, fp)), tf.mul(beta, fn)), smooth);
      const index = tf.div(tf.add(tp, smooth), denominator);
      return tf.mean(tf.sub(1, index));
    });
  };
}

module.exports = { createLoss };
