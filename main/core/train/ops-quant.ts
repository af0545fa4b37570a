// Quantization ops for quantization-aware training. The QAT graph (see qat.ts) replaces each
// QuantizeLinear by QatQuantize and each DequantizeLinear of a constant (int8 weight, int32 bias) by QatWeight
// over a float shadow weight; both round with a straight-through estimator (round in the forward pass,
// identity gradient), and clipping passes no gradient outside the integer range, as in standard QAT.
import type { NodeProto } from 'onnx-buf';
import { getAttrFloat, getAttrInt } from '../onnx/graph';
import type { OpImpl } from './op-types';
import { tf } from './tf';

/** Domain of the two training-only ops; never in an exported model. */
export const QAT_DOMAIN = 'edgefleet.qat';

const roundSte = tf.customGrad((x, save) => {
  void save;
  return { value: tf.round(x as tf.Tensor), gradFunc: (dy: tf.Tensor) => dy };
}) as (x: tf.Tensor) => tf.Tensor;

/** A per-axis parameter (scale, zero point) shaped to broadcast against a rank-`rank` tensor along `axis`. */
function alongAxis(p: tf.Tensor, node: NodeProto, rank: number): tf.Tensor {
  if (p.size === 1 || p.rank === 0) return p.rank === 0 ? p : tf.reshape(p, []);
  let axis = getAttrInt(node, 'axis', 1);
  if (axis < 0) axis += rank;
  const shape = Array.from({ length: rank }, (_, i) => (i === axis ? p.size : 1));
  return tf.reshape(p, shape);
}

const asFloat = (t: tf.Tensor | undefined) =>
  t ? (t.dtype === 'float32' ? t : tf.cast(t, 'float32')) : undefined;

function fakeLevels(x: tf.Tensor, scale: tf.Tensor, zp: tf.Tensor | undefined, node: NodeProto): tf.Tensor {
  const s = alongAxis(scale, node, x.rank);
  const z = zp ? alongAxis(asFloat(zp)!, node, x.rank) : tf.scalar(0);
  const qmin = getAttrFloat(node, 'qmin', 0);
  const qmax = getAttrFloat(node, 'qmax', 255);
  return tf.clipByValue(tf.add(roundSte(tf.div(x, s)), z), qmin, qmax);
}

export const quantOps: Record<string, OpImpl> = {
  // Integer levels as float32 (their dequantization follows).
  QatQuantize: (node, [x, scale, zp]) => [fakeLevels(x!, scale!, zp, node)],
  QatWeight: (node, [w, scale, zp]) => {
    const levels = fakeLevels(w!, scale!, zp, node);
    const z = zp ? alongAxis(asFloat(zp)!, node, w!.rank) : tf.scalar(0);
    return [tf.mul(tf.sub(levels, z), alongAxis(scale!, node, w!.rank))];
  },
  DequantizeLinear: (node, [x, scale, zp]) => {
    const xf = asFloat(x)!;
    const z = zp ? alongAxis(asFloat(zp)!, node, xf.rank) : tf.scalar(0);
    return [tf.mul(tf.sub(xf, z), alongAxis(scale!, node, xf.rank))];
  },
};
