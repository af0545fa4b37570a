// Quantization ops for quantization-aware training. The QAT graph (see qat.ts) replaces each
// QuantizeLinear by QatQuantize (its scale learned through QatScale) and each DequantizeLinear of a constant
// (int8 weight, int32 bias) by QatWeight over a trainable shadow; both round with a straight-through estimator
// (round in the forward pass, identity gradient), and clipping passes no gradient outside the integer range.
import type { NodeProto } from 'onnx-buf';
import { getAttrFloat, getAttrInt } from '../onnx/graph';
import type { OpImpl } from './op-types';
import { fakeQuantize, fakeQuantizeLevels, type FakeQuantSpec } from './fake-quant-kernel';
import { tf } from './tf';

/** Domain of the training-only ops; never in an exported model. */
export const QAT_DOMAIN = 'edgefleet.qat';

/** A scale or zero point on the host (constants of the graph, small). */
const hostValues = (t: tf.Tensor | undefined, fallback: number) =>
  t ? Float32Array.from(t.dataSync(), Number) : Float32Array.of(fallback);

function specOf(node: NodeProto, scale: tf.Tensor, zp: tf.Tensor | undefined): FakeQuantSpec {
  return {
    scale: hostValues(scale, 1),
    zeroPoint: hostValues(zp, 0),
    axis: getAttrInt(node, 'axis', 1),
    qmin: getAttrFloat(node, 'qmin', 0),
    qmax: getAttrFloat(node, 'qmax', 255),
  };
}

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

export const quantOps: Record<string, OpImpl> = {
  // Integer levels as float32 (their dequantization follows).
  QatQuantize: (node, [x, scale, zp]) => {
    const spec = specOf(node, scale!, zp);
    if (getAttrInt(node, 'learn_scale', 0) === 1 && scale!.size === 1) {
      return [fakeQuantizeLevels(x!, tf.reshape(scale!, []), spec.zeroPoint[0]!, spec.qmin, spec.qmax)];
    }
    return [fakeQuantize(x!, spec, true)];
  },
  // A learned activation scale: exp(u·k) (see qat.ts).
  QatScale: (node, [u]) => [tf.exp(tf.mul(u!, getAttrFloat(node, 'k', 1)))],
  // `step_units` k: the shadow holds (level − zp)/k, not the float weight (see qat.ts).
  QatWeight: (node, [w, scale, zp]) => {
    const k = getAttrFloat(node, 'step_units', 0);
    return [fakeQuantize(w!, specOf(node, scale!, zp), false, k > 0 ? k : null)];
  },
  DequantizeLinear: (node, [x, scale, zp]) => {
    const xf = asFloat(x)!;
    const z = zp ? alongAxis(asFloat(zp)!, node, xf.rank) : tf.scalar(0);
    return [tf.mul(tf.sub(xf, z), alongAxis(scale!, node, xf.rank))];
  },
};
