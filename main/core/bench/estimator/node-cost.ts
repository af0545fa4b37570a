import type { ModelProto, NodeProto } from 'onnx-buf';
import { TensorProto_DataType as DT } from 'onnx-buf';
import {
  elemByteSize,
  getAttrInt,
  getAttrInts,
  initializerMap,
  producerMap,
  tensorDataByteLength,
} from '../../onnx';
import type { TensorShape } from './analyze-model';

/**
 * Cost of each node of ORT's optimized graph: multiply-accumulates (for GEMM-like kernels), element operations
 * (for the rest) and bytes moved (every input read once, every output written once — weights included).
 *
 * Kinds:
 * - conv: Conv/ConvTranspose and their fused, integer and QLinear forms — at the convolution throughput.
 * - matmul: MatMul/Gemm and their fused, integer and QLinear forms — at the GEMM throughput.
 * - depthwise: Conv with one input channel per group — MLAS runs it with a direct kernel.
 * - vector: element-wise math, normalization, pooling, softmax, (de)quantization.
 * - move: pure data movement (Transpose, Concat, Slice, Gather, Cast, Pad, …).
 * - free: metadata-only kernels ORT runs without copying (Reshape, Squeeze, Shape, …).
 */

type CostKind = 'conv' | 'matmul' | 'depthwise' | 'vector' | 'move' | 'free';
export type Precision = 'fp32' | 'int8' | 'fp16';

export type NodeCost = {
  name: string;
  opType: string;
  domain: string;
  kind: CostKind;
  precision: Precision;
  macs: number;
  /** Element operations for vector kinds (2·MACs for depthwise). */
  ops: number;
  /** Bytes read (activations + weights) + bytes written. */
  bytes: number;
  /** Whether all shapes the cost needs were known. */
  known: boolean;
};

type GemmSpec = { kind: 'conv' | 'convTranspose' | 'matmul' | 'gemm'; a: number; b: number; int8: boolean };

const gemmOps: Record<string, GemmSpec> = {
  Conv: { kind: 'conv', a: 0, b: 1, int8: false },
  FusedConv: { kind: 'conv', a: 0, b: 1, int8: false },
  ConvInteger: { kind: 'conv', a: 0, b: 1, int8: true },
  QLinearConv: { kind: 'conv', a: 0, b: 3, int8: true },
  ConvTranspose: { kind: 'convTranspose', a: 0, b: 1, int8: false },
  MatMul: { kind: 'matmul', a: 0, b: 1, int8: false },
  FusedMatMul: { kind: 'matmul', a: 0, b: 1, int8: false },
  MatMulInteger: { kind: 'matmul', a: 0, b: 1, int8: true },
  QLinearMatMul: { kind: 'matmul', a: 0, b: 3, int8: true },
  MatMulIntegerToFloat: { kind: 'matmul', a: 0, b: 1, int8: true },
  DynamicQuantizeMatMul: { kind: 'matmul', a: 0, b: 1, int8: true },
  Gemm: { kind: 'gemm', a: 0, b: 1, int8: false },
  FusedGemm: { kind: 'gemm', a: 0, b: 1, int8: false },
  QGemm: { kind: 'gemm', a: 0, b: 3, int8: true },
};

/** Element operations per output element (per input element where noted) — rough instruction counts. */
const vectorCost: Record<string, number> = {
  Add: 1,
  Sub: 1,
  Mul: 1,
  Div: 1,
  Neg: 1,
  Abs: 1,
  Relu: 1,
  Max: 1,
  Min: 1,
  Sum: 1,
  Mean: 1,
  Clip: 1,
  LeakyRelu: 2,
  PRelu: 2,
  Where: 1,
  Equal: 1,
  Less: 1,
  Greater: 1,
  LessOrEqual: 1,
  GreaterOrEqual: 1,
  And: 1,
  Or: 1,
  Not: 1,
  Xor: 1,
  Sqrt: 4,
  Reciprocal: 4,
  Floor: 1,
  Ceil: 1,
  Round: 1,
  Sign: 1,
  BitShift: 1,
  Mod: 4,
  HardSigmoid: 2,
  HardSwish: 3,
  Sigmoid: 8,
  Tanh: 8,
  Exp: 8,
  Log: 8,
  Erf: 10,
  Pow: 10,
  Softplus: 10,
  Elu: 8,
  Selu: 8,
  Celu: 8,
  Gelu: 12,
  FastGelu: 12,
  BiasGelu: 12,
  QuickGelu: 9,
  BiasAdd: 1,
  Softmax: 10,
  LogSoftmax: 12,
  LayerNormalization: 8,
  SimplifiedLayerNormalization: 6,
  SkipLayerNormalization: 9,
  SkipSimplifiedLayerNormalization: 7,
  InstanceNormalization: 8,
  GroupNorm: 8,
  BatchNormalization: 2,
  LpNormalization: 4,
  QuantizeLinear: 2,
  DequantizeLinear: 2,
  DynamicQuantizeLinear: 3,
  QLinearAdd: 3,
  QLinearMul: 3,
  QLinearSigmoid: 4,
  QLinearLeakyRelu: 4,
  QLinearSoftmax: 12,
  Resize: 4,
  Upsample: 4,
  ArgMax: 1,
  ArgMin: 1,
  CumSum: 1,
  TopK: 4,
  Einsum: 2,
};
/** Reductions and global pools: per input element. */
const perInputElement = new Set([
  'GlobalAveragePool',
  'GlobalMaxPool',
  'GlobalLpPool',
  'QLinearGlobalAveragePool',
  'ReduceMean',
  'ReduceSum',
  'ReduceMax',
  'ReduceMin',
  'ReduceProd',
  'ReduceL1',
  'ReduceL2',
  'ReduceSumSquare',
  'ReduceLogSumExp',
  'ReduceLogSum',
]);
/** Windowed pools: per output element × kernel size. */
const windowPools = new Set(['MaxPool', 'AveragePool', 'LpPool', 'QLinearAveragePool', 'NhwcMaxPool']);
const moveOps = new Set([
  'Transpose',
  'Concat',
  'QLinearConcat',
  'Split',
  'Slice',
  'Gather',
  'GatherElements',
  'GatherND',
  'Pad',
  'Tile',
  'Expand',
  'Cast',
  'CastLike',
  'DepthToSpace',
  'SpaceToDepth',
  'ReorderInput',
  'ReorderOutput',
  'ScatterND',
  'ScatterElements',
  'Trilu',
  'ConstantOfShape',
  'Range',
  'OneHot',
  'NonZero',
]);
const freeOps = new Set([
  'Reshape',
  'Squeeze',
  'Unsqueeze',
  'Flatten',
  'Identity',
  'Shape',
  'Size',
  'Constant',
  'Dropout',
]);

function product(dims: readonly number[]): number {
  return dims.reduce((n, d) => n * d, 1);
}

function tensorBytes(t: TensorShape | undefined): number {
  if (!t) return 0;
  const size = elemByteSize(t.elemType);
  return product(t.dims) * (size > 0 ? size : 4);
}

function gemmMacs(
  node: NodeProto,
  spec: GemmSpec,
  shape: (name: string | undefined) => TensorShape | undefined,
) {
  const a = shape(node.input[spec.a])?.dims;
  const b = shape(node.input[spec.b])?.dims;
  const y = shape(node.output[0])?.dims;
  switch (spec.kind) {
    case 'conv':
      return y && b ? product(y) * product(b.slice(1)) : undefined;
    case 'convTranspose':
      return a && b ? product(a) * product(b.slice(1)) : undefined;
    case 'matmul': {
      if (!a || !y || a.length === 0) return undefined;
      const transA = node.opType === 'FusedMatMul' && getAttrInt(node, 'transA', 0) === 1;
      const k = transA && a.length >= 2 ? a[a.length - 2] : a[a.length - 1];
      return k === undefined ? undefined : product(y) * k;
    }
    case 'gemm': {
      if (!a || !y || a.length !== 2) return undefined;
      const k = getAttrInt(node, 'transA', 0) === 1 ? a[0] : a[1];
      return k === undefined ? undefined : product(y) * k;
    }
  }
}

/** Conv whose weight has one input channel per group and group > 1 (depthwise, as in MobileNets). */
function isDepthwise(
  node: NodeProto,
  spec: GemmSpec,
  shape: (name: string | undefined) => TensorShape | undefined,
) {
  if (spec.kind !== 'conv') return false;
  const group = getAttrInt(node, 'group', 1);
  const w = shape(node.input[spec.b])?.dims;
  return group > 1 && w !== undefined && w[1] === 1;
}

const isDq = (n: NodeProto | undefined) => n?.opType === 'DequantizeLinear';

export function nodeCosts(model: ModelProto, shapes: ReadonlyMap<string, TensorShape>): NodeCost[] {
  const graph = model.graph;
  if (!graph) return [];
  const producers = producerMap(graph);
  const initializers = initializerMap(graph);
  const shape = (name: string | undefined) =>
    name === undefined || name === '' ? undefined : shapes.get(name);
  const bytesOf = (names: readonly string[]) => names.reduce((n, name) => n + tensorBytes(shape(name)), 0);

  // QDQ groups ORT did not fuse at this level still run as int8 kernels at "all": DQ → op → Q is one kernel.
  const qdqAbsorbed = new Set<NodeProto>();
  const qdqInt8 = new Set<NodeProto>();
  for (const node of graph.node) {
    const spec = gemmOps[node.opType];
    if (!spec || spec.int8) continue;
    const a = producers.get(node.input[spec.a] ?? '');
    const b = producers.get(node.input[spec.b] ?? '');
    const bIsInt8Init = initializers.get(node.input[spec.b] ?? '')?.dataType === DT.INT8;
    if (isDq(a) && (isDq(b) || bIsInt8Init)) {
      qdqInt8.add(node);
      if (a) qdqAbsorbed.add(a);
      if (b && isDq(b)) qdqAbsorbed.add(b);
    }
  }

  return graph.node.map((node): NodeCost => {
    const inputs = node.input.filter((n) => n !== '');
    const outputs = node.output.filter((n) => n !== '');
    const known = [...inputs, ...outputs].every((n) => shapes.has(n));
    const base = {
      name: node.name,
      opType: node.opType,
      domain: node.domain,
      bytes: bytesOf(inputs) + bytesOf(outputs),
      known,
    };
    const outElems = outputs.length > 0 ? product(shape(outputs[0])?.dims ?? [0]) : 0;
    const inputType = shape(inputs[0])?.elemType;
    const float16 = inputType === DT.FLOAT16;

    if (qdqAbsorbed.has(node)) return { ...base, kind: 'free', precision: 'int8', macs: 0, ops: 0, bytes: 0 };
    const spec = gemmOps[node.opType];
    if (spec) {
      const macs = gemmMacs(node, spec, shape) ?? 0;
      const precision: Precision = spec.int8 || qdqInt8.has(node) ? 'int8' : float16 ? 'fp16' : 'fp32';
      if (isDepthwise(node, spec, shape))
        return { ...base, kind: 'depthwise', precision, macs, ops: 2 * macs };
      const kind: CostKind = spec.kind === 'conv' || spec.kind === 'convTranspose' ? 'conv' : 'matmul';
      return { ...base, kind, precision, macs, ops: 2 * macs, known: known && macs > 0 };
    }
    const precision: Precision = node.opType.startsWith('QLinear') ? 'int8' : float16 ? 'fp16' : 'fp32';
    if (freeOps.has(node.opType)) return { ...base, kind: 'free', precision, macs: 0, ops: 0, bytes: 0 };
    if (moveOps.has(node.opType)) return { ...base, kind: 'move', precision, macs: 0, ops: outElems };
    if (perInputElement.has(node.opType)) {
      return { ...base, kind: 'vector', precision, macs: 0, ops: product(shape(inputs[0])?.dims ?? [0]) };
    }
    if (windowPools.has(node.opType)) {
      const kernel = product(getAttrInts(node, 'kernel_shape') ?? [1]);
      return { ...base, kind: 'vector', precision, macs: 0, ops: outElems * kernel };
    }
    // Unknown ops count as one operation per output element: at least their memory traffic is right.
    return { ...base, kind: 'vector', precision, macs: 0, ops: outElems * (vectorCost[node.opType] ?? 1) };
  });
}

/** Bytes of every initializer (the weights ORT holds). */
export function weightBytes(model: ModelProto): number {
  return (model.graph?.initializer ?? []).reduce(
    (n, t) => n + tensorDataByteLength(t.dataType, product(t.dims.map(Number))),
    0,
  );
}
