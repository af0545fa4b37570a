/**
 * Which nodes and tensors static QDQ quantization touches, decided on the pre-processed model before any
 * calibration run (so "nothing to quantize" is reported at once, and only the tensors that need a range are
 * calibrated). Follows ONNX Runtime's QDQ quantizer and what its CPU provider fuses into int8 kernels:
 *
 * - compute ops get Q/DQ on their activation inputs and on their output: Conv, Gemm, MatMul (→ QLinearConv,
 *   QGemm, QLinearMatMul), Add, Mul (→ QLinearAdd/Mul), Concat, GlobalAveragePool, AveragePool, Sigmoid,
 *   LeakyRelu, Softmax (output fixed to [0, 1]) (→ QLinear*); weights int8 symmetric, biases int32;
 * - Relu/Clip right after one of those (single consumer, not a graph output) are removed and their range is
 *   given to the producer's output: the saturating QuantizeLinear does the clipping (ORT's
 *   QDQRemovableActivation), so Conv+Relu becomes one QLinearConv. With symmetric activations (zero point 0)
 *   saturation cannot clip at 0, so they stay and are quantized like other ops;
 * - data-movement ops (Reshape, Transpose, Squeeze, Unsqueeze, Flatten, MaxPool, Resize, Slice, Split, Gather)
 *   reuse their input's scale and zero point when the input is quantized, so ORT drops the Q/DQ around them;
 * - everything else (normalizations, Div, HardSigmoid …) stays float between a DequantizeLinear and the next
 *   QuantizeLinear.
 */
import { TensorProto_DataType as DT, type ModelProto, type NodeProto, type TensorProto } from 'onnx-buf';
import { isExcluded as isExcludedNode } from './graph-edit';
import type { Int8StaticConfig, PassReport } from '../../../../shared/schemas/optimize';
import {
  consumerMap,
  getAttrFloat,
  getAttrInt,
  initializerMap,
  producerMap,
  tensorToNumbers,
  topologicalOrder,
  type ValueShape,
} from '../../onnx';
import type { TensorRange } from '../calibrate';

/** Ops that get Q/DQ on their inputs and output and fuse into an int8 kernel. */
export const COMPUTE_OPS = new Set([
  'Conv',
  'Gemm',
  'MatMul',
  'Add',
  'Mul',
  'Concat',
  'GlobalAveragePool',
  'AveragePool',
  'Sigmoid',
  'LeakyRelu',
  'Softmax',
]);
/** Activations that are folded into their producer's quantization range when possible. */
const REMOVABLE_ACTIVATIONS = new Set(['Relu', 'Clip']);
/** Ops that only move or select data: their output reuses the input's scale/zero point. */
const PASS_THROUGH_OPS = new Set([
  'Reshape',
  'Transpose',
  'Squeeze',
  'Unsqueeze',
  'Flatten',
  'MaxPool',
  'Resize',
  'Slice',
  'Split',
  'Gather',
]);

export const QUANTIZABLE_OP_TYPES: readonly string[] = [
  ...COMPUTE_OPS,
  ...REMOVABLE_ACTIVATIONS,
  ...PASS_THROUGH_OPS,
];

type TensorSource =
  | { kind: 'calibrated' }
  | { kind: 'fixed'; range: TensorRange }
  | { kind: 'inherit'; from: string }
  /** Calibrated as another tensor: the output of a Relu/Clip that follows it (their range is what counts). */
  | { kind: 'range-of'; tensor: string };

export type WeightUse = { node: NodeProto; input: number; axis: number | null };
type BiasUse = {
  node: NodeProto;
  input: number;
  /** The activation whose scale multiplies the weight scale. */
  activation: string;
  weight: WeightUse;
  beta: number;
};
export type ConstantUse = { node: NodeProto; input: number };

export type QdqPlan = {
  /** The pre-processed model with the folded Relu/Clip removed (a copy; the caller's model is untouched). */
  model: ModelProto;
  /** Activation tensors to quantize (names valid in both models), in graph order. */
  activations: Map<string, TensorSource>;
  weights: WeightUse[];
  biases: BiasUse[];
  constants: ConstantUse[];
  /** Nodes now running on quantized data, by op type (removed Relu/Clip included). */
  converted: Record<string, number>;
  skipped: PassReport['skipped'];
  warnings: string[];
  /** Activation tensors that need a calibrated range. */
  toCalibrate: string[];
  /**
   * Nodes excluded by the configuration. They keep reading the float tensors (not the DequantizeLinear
   * outputs): otherwise ORT's WeightBiasQuantization would quantize an excluded Conv/Gemm found between a
   * DequantizeLinear and a QuantizeLinear, and fuse it after all.
   */
  excluded: Set<NodeProto>;
};

type Check = { ok: true } | { ok: false; reason: string };

type PlanOptions = Pick<Int8StaticConfig, 'perChannel' | 'symmetricActivations' | 'exclude'> & {
  /** Default-domain opset of the model (uint8/int8 MaxPool needs 12). */
  opset: number;
};

/**
 * Plans the quantization of `model` (already a private copy: removed activations are deleted from it).
 */
export function planQdq(
  model: ModelProto,
  shapes: ReadonlyMap<string, ValueShape>,
  opts: PlanOptions,
): QdqPlan {
  const graph = model.graph!;
  const inits = initializerMap(graph);
  const graphOutputs = new Set(graph.output.map((o) => o.name));
  const excluded = new Set(opts.exclude);
  const isExcluded = (n: NodeProto) => isExcludedNode(n, opts.exclude);
  const isFloat = (t: string) => t !== '' && shapes.get(t)?.elemType === DT.FLOAT;
  const floatInit = (t: string): TensorProto | undefined => {
    const init = inits.get(t);
    return init && init.dataType === DT.FLOAT ? init : undefined;
  };
  const isActivation = (t: string) => isFloat(t) && !inits.has(t);
  const label = (n: NodeProto) => n.name || n.output[0] || n.opType;

  const converted: Record<string, number> = {};
  const count = (op: string) => (converted[op] = (converted[op] ?? 0) + 1);
  const skipped: PassReport['skipped'] = [];
  const skip = (n: NodeProto, reason: string) => skipped.push({ node: label(n), opType: n.opType, reason });
  const warnings: string[] = [];

  const unknownExcludes = [...excluded].filter((e) => !graph.node.some((n) => isExcludedNode(n, [e])));
  if (unknownExcludes.length > 0) {
    warnings.push(`Exclude entries matching no op type or node name: ${unknownExcludes.join(', ')}.`);
  }

  // Step 1: which compute nodes can be quantized (needed before removing activations after them).
  const checkCompute = (n: NodeProto): Check => {
    const x = n.input[0] ?? '';
    const out = n.output[0] ?? '';
    if (!isFloat(out)) return { ok: false, reason: `output '${out}' is not a float32 tensor of known type` };
    switch (n.opType) {
      case 'Conv': {
        if (!isActivation(x))
          return { ok: false, reason: `input '${x}' is not a float32 activation of known type` };
        if (!floatInit(n.input[1] ?? '')) return { ok: false, reason: 'weight is not a float32 initializer' };
        const b = n.input[2] ?? '';
        if (b !== '' && (!floatInit(b) || floatInit(b)!.dims.length !== 1)) {
          return { ok: false, reason: 'bias is not a 1-D float32 initializer' };
        }
        return { ok: true };
      }
      case 'Gemm': {
        if (!isActivation(x))
          return { ok: false, reason: `input '${x}' is not a float32 activation of known type` };
        const w = floatInit(n.input[1] ?? '');
        if (!w || w.dims.length !== 2) return { ok: false, reason: 'B is not a 2-D float32 initializer' };
        const c = n.input[2] ?? '';
        if (c !== '') {
          const cols = Number(getAttrInt(n, 'transB', 0) ? w.dims[0] : w.dims[1]);
          const ct = floatInit(c);
          const cdims = ct?.dims.map(Number) ?? [];
          const perColumn =
            cdims.length === 1
              ? cdims[0] === cols
              : cdims.length === 2 && cdims[0] === 1 && cdims[1] === cols;
          if (!ct || !perColumn) return { ok: false, reason: 'C is not a constant per-column bias' };
        }
        return { ok: true };
      }
      case 'MatMul': {
        if (!isActivation(x))
          return { ok: false, reason: `input '${x}' is not a float32 activation of known type` };
        const b = n.input[1] ?? '';
        if (!floatInit(b) && !isActivation(b))
          return { ok: false, reason: `input '${b}' is not float32 of known type` };
        return { ok: true };
      }
      case 'Add':
      case 'Mul':
      case 'Concat': {
        const ins = n.input.filter((i) => i !== '');
        if (!ins.some(isActivation)) return { ok: false, reason: 'no float32 activation input' };
        const bad = ins.find((i) => !isActivation(i) && !floatInit(i));
        if (bad !== undefined) return { ok: false, reason: `input '${bad}' is not float32 of known type` };
        return { ok: true };
      }
      default:
        if (!isActivation(x))
          return { ok: false, reason: `input '${x}' is not a float32 activation of known type` };
        return { ok: true };
    }
  };
  const computeOk = new Map<NodeProto, Check>();
  for (const n of graph.node) {
    if (COMPUTE_OPS.has(n.opType) && !isExcluded(n)) computeOk.set(n, checkCompute(n));
  }

  // Step 2: fold Relu/Clip into the quantization range of a single-consumer producer (asymmetric only).
  let consumers = consumerMap(graph);
  const producers = producerMap(graph);
  const removed = new Set<NodeProto>();
  const clippedBy = new Map<string, string>();
  if (!opts.symmetricActivations) {
    for (const n of graph.node) {
      if (!REMOVABLE_ACTIVATIONS.has(n.opType) || isExcluded(n)) continue;
      const x = n.input[0] ?? '';
      const y = n.output[0] ?? '';
      const p = producers.get(x);
      if (!p || p.output[0] !== x || !computeOk.get(p)?.ok) continue;
      if ((consumers.get(x) ?? []).length !== 1 || graphOutputs.has(x) || graphOutputs.has(y)) continue;
      if (n.opType === 'Clip' && !clipIncludesZero(n, inits)) continue;
      // An excluded node reads the float tensor itself, not its DequantizeLinear: the Relu/Clip stays for it
      // (on the dequantized values), but the producer's output still takes its range, as when folded.
      if ((consumers.get(y) ?? []).some(isExcluded)) {
        clippedBy.set(x, y);
        continue;
      }
      p.output[0] = y;
      removed.add(n);
      count(n.opType);
    }
    if (removed.size > 0) {
      graph.node = graph.node.filter((n) => !removed.has(n));
      consumers = consumerMap(graph);
    }
  }

  // Step 3: compute nodes and the tensors they need quantized.
  const activations = new Map<string, TensorSource>();
  const request = (t: string, source: TensorSource = { kind: 'calibrated' }) => {
    const existing = activations.get(t);
    if (!existing || (source.kind === 'fixed' && existing.kind !== 'fixed')) activations.set(t, source);
  };
  const weights: WeightUse[] = [];
  const biases: BiasUse[] = [];
  const constants: ConstantUse[] = [];
  const order = topologicalOrder(graph);
  const passThrough: NodeProto[] = [];

  for (const n of order) {
    if (isExcluded(n)) {
      skip(n, 'excluded by the configuration');
      continue;
    }
    if (PASS_THROUGH_OPS.has(n.opType)) {
      passThrough.push(n);
      continue;
    }
    if (REMOVABLE_ACTIVATIONS.has(n.opType)) {
      // Not folded: quantized in and out like any op (with uint8 zero point 0, ORT then drops the Relu).
      const x = n.input[0] ?? '';
      const y = n.output[0] ?? '';
      if (!isActivation(x) || !isFloat(y)) {
        skip(n, 'input or output is not a float32 tensor of known type');
        continue;
      }
      // Alone between float ops it would only add a Q/DQ pair (error and time) around a free op.
      if (!activations.has(x)) {
        skip(n, 'input is not quantized: a lone Relu/Clip stays float');
        continue;
      }
      request(x);
      request(y);
      count(n.opType);
      continue;
    }
    if (!COMPUTE_OPS.has(n.opType)) {
      skip(n, 'no int8 kernel for this op in ONNX Runtime (CPU): stays float');
      continue;
    }
    const check = computeOk.get(n) ?? checkCompute(n);
    if (!check.ok) {
      skip(n, check.reason);
      continue;
    }
    const out = n.output[0]!;
    switch (n.opType) {
      case 'Conv': {
        const w: WeightUse = { node: n, input: 1, axis: opts.perChannel ? 0 : null };
        const b = n.input[2] ?? '';
        if (w.axis !== null && b !== '') {
          const wDims = inits.get(n.input[1]!)!.dims;
          if (Number(wDims[0]) !== Number(inits.get(b)!.dims[0])) w.axis = null;
        }
        request(n.input[0]!);
        weights.push(w);
        if (b !== '') biases.push({ node: n, input: 2, activation: n.input[0]!, weight: w, beta: 1 });
        break;
      }
      case 'Gemm': {
        const transB = getAttrInt(n, 'transB', 0) !== 0;
        const w: WeightUse = { node: n, input: 1, axis: opts.perChannel ? (transB ? 0 : 1) : null };
        request(n.input[0]!);
        weights.push(w);
        if ((n.input[2] ?? '') !== '') {
          biases.push({
            node: n,
            input: 2,
            activation: n.input[0]!,
            weight: w,
            beta: getAttrFloat(n, 'beta', 1),
          });
        }
        break;
      }
      case 'MatMul': {
        request(n.input[0]!);
        const b = n.input[1]!;
        const w = floatInit(b);
        if (w) weights.push({ node: n, input: 1, axis: opts.perChannel && w.dims.length === 2 ? 1 : null });
        else request(b);
        break;
      }
      case 'Add':
      case 'Mul':
      case 'Concat':
        n.input.forEach((t, i) => {
          if (t === '') return;
          if (isActivation(t)) request(t);
          else constants.push({ node: n, input: i });
        });
        break;
      default:
        request(n.input[0]!);
    }
    // Softmax's output is a probability: fixed to [0, 1] whatever the calibration data.
    const clip = clippedBy.get(out);
    request(
      out,
      n.opType === 'Softmax'
        ? { kind: 'fixed', range: { min: 0, max: 1 } }
        : clip !== undefined
          ? { kind: 'range-of', tensor: clip }
          : { kind: 'calibrated' },
    );
    count(n.opType);
  }

  // Step 4: data-movement ops inherit their input's quantization (graph order, so chains resolve).
  for (const n of passThrough) {
    const x = n.input[0] ?? '';
    if (!activations.has(x)) {
      skip(n, 'input is not quantized: a data-movement op is only quantized after a quantized tensor');
      continue;
    }
    if (n.opType === 'MaxPool' && opts.opset < 12) {
      skip(n, 'MaxPool on 8-bit data needs opset ≥ 12');
      continue;
    }
    const outs = n.output.filter((o, i) => o !== '' && (n.opType !== 'MaxPool' || i === 0));
    if (!outs.every(isFloat)) {
      skip(n, 'output is not a float32 tensor of known type');
      continue;
    }
    for (const o of outs)
      if (activations.get(o)?.kind !== 'fixed') activations.set(o, { kind: 'inherit', from: x });
    count(n.opType);
  }

  const toCalibrate = [
    ...new Set(
      [...activations].flatMap(([t, s]) =>
        s.kind === 'calibrated' ? [t] : s.kind === 'range-of' ? [s.tensor] : [],
      ),
    ),
  ];
  const excludedNodes = new Set(graph.node.filter(isExcluded));
  return {
    model,
    activations,
    weights,
    biases,
    constants,
    converted,
    skipped,
    warnings,
    toCalibrate,
    excluded: excludedNodes,
  };
}

/** A Clip whose [min, max] contains 0: a saturating uint8 QuantizeLinear with that range clips the same way. */
function clipIncludesZero(n: NodeProto, inits: ReadonlyMap<string, TensorProto>): boolean {
  const bound = (input: number, attr: string): number | undefined | null => {
    const name = n.input[input] ?? '';
    if (name !== '') {
      const t = inits.get(name);
      const v = t ? tensorToNumbers(t) : undefined;
      return v && v.length === 1 ? v[0]! : null;
    }
    return getAttrFloat(n, attr);
  };
  const lo = bound(1, 'min');
  const hi = bound(2, 'max');
  if (lo === null || hi === null) return false;
  return (lo === undefined || lo <= 0) && (hi === undefined || hi >= 0);
}
