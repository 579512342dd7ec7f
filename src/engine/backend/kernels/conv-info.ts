/**
 * The convolution geometry (output size, padding) every convolution kernel and its gradients
 * start from, from a kernel's attributes: tfjs's computeConv2DInfo with its positional arguments
 * named once.
 */
import { backend_util, NamedAttrMap } from '@tensorflow/tfjs-core';

export type Shape4 = [number, number, number, number];

export interface ConvGeometryAttrs {
  strides: number | [number, number];
  pad: 'same' | 'valid' | number | backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  /** Absent in the gradient kernels' attributes: they are never dilated in tfjs. */
  dilations?: number | [number, number];
}

/** Geometry of a convolution of an input of `inputShape` with a filter of `filterShape` ([kh, kw, in, out]). */
export function conv2dInfo(inputShape: readonly number[], filterShape: readonly number[], attrs: ConvGeometryAttrs): backend_util.Conv2DInfo {
  return backend_util.computeConv2DInfo(
    inputShape as Shape4,
    filterShape as Shape4,
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    backend_util.convertConv2DDataFormat(attrs.dataFormat),
  );
}

/**
 * Attributes of the stride-1 NHWC convolution with explicit padding that the gradient kernels
 * run on XNNPACK (dilated by the original stride for the filter gradient).
 */
export function stride1ConvAttrs(top: number, bottom: number, left: number, right: number, dilations: [number, number] = [1, 1]): NamedAttrMap {
  return {
    strides: [1, 1],
    pad: [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0],
    ],
    dataFormat: 'NHWC',
    dilations,
  };
}
