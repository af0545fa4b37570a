import { TensorProto_DataType as DT, type NodeProto } from 'onnx-buf';
import { getAttrInt, getAttrInts, getAttrString } from './graph';
import {
  broadcastShapes,
  isNumber,
  normalizeAxis,
  transposedWindowOutputDim,
  windowOutputDim,
  type Dim,
} from './shape-dims';
import { out, rankOnly, type RuleContext, type ShapeRule } from './shape-rule-context';

// Neural-network layers: MatMul/Gemm, Conv and pooling windows, normalization.

function matMulShape(a: Dim[] | null, b: Dim[] | null): Dim[] | null {
  if (!a || !b || a.length === 0 || b.length === 0) return null;
  const aa = a.length === 1 ? [1, a[0]!] : a;
  const bb = b.length === 1 ? [b[0]!, 1] : b;
  const batch = broadcastShapes([aa.slice(0, -2), bb.slice(0, -2)]);
  if (!batch) return null;
  const shape: Dim[] = [...batch];
  if (a.length > 1) shape.push(aa[aa.length - 2]!);
  if (b.length > 1) shape.push(bb[bb.length - 1]!);
  return shape;
}

const matMulRule =
  (a: number, b: number, type: (c: RuleContext) => number): ShapeRule =>
  (c) => [out(type(c), matMulShape(c.shape(a), c.shape(b)))];

const gemmRule: ShapeRule = (c) => {
  const a = c.shape(0);
  const b = c.shape(1);
  if (!a || !b || a.length !== 2 || b.length !== 2) return [out(c.type(0), a && b ? rankOnly(2) : null)];
  const m = getAttrInt(c.node, 'transA', 0) ? a[1]! : a[0]!;
  const n = getAttrInt(c.node, 'transB', 0) ? b[0]! : b[1]!;
  return [out(c.type(0), [m, n])];
};

// ---- windows: Conv, pooling ----

type WindowAttrs = {
  kernel: number[];
  strides: number[];
  dilations: number[];
  pads: number[];
  autoPad: string;
};

function windowAttrs(
  node: NodeProto,
  spatial: number,
  kernel: number[] | undefined,
): WindowAttrs | undefined {
  const k = getAttrInts(node, 'kernel_shape') ?? kernel;
  if (!k || k.length !== spatial) return undefined;
  const ones = Array.from({ length: spatial }, () => 1);
  return {
    kernel: k,
    strides: getAttrInts(node, 'strides') ?? ones,
    dilations: getAttrInts(node, 'dilations') ?? ones,
    pads: getAttrInts(node, 'pads') ?? Array.from({ length: 2 * spatial }, () => 0),
    autoPad: getAttrString(node, 'auto_pad', 'NOTSET'),
  };
}

function windowedSpatial(x: Dim[], w: WindowAttrs, ceilMode: boolean): Dim[] {
  return x.slice(2).map((d, i) =>
    windowOutputDim(d, {
      kernel: w.kernel[i]!,
      stride: w.strides[i] ?? 1,
      dilation: w.dilations[i] ?? 1,
      padBegin: w.pads[i] ?? 0,
      padEnd: w.pads[i + w.kernel.length] ?? 0,
      autoPad: w.autoPad,
      ceilMode,
    }),
  );
}

/** Conv and its quantized forms: x and w at the given input positions. */
const convRule =
  (xi: number, wi: number, type: (c: RuleContext) => number): ShapeRule =>
  (c) => {
    const x = c.shape(xi);
    const wShape = c.shape(wi);
    if (!x || x.length < 3) return [out(type(c), null)];
    const spatial = x.length - 2;
    const kernelFromW = wShape && wShape.length === x.length ? wShape.slice(2) : undefined;
    const w = windowAttrs(
      c.node,
      spatial,
      kernelFromW?.every(isNumber) ? (kernelFromW as number[]) : undefined,
    );
    const channels = wShape && wShape.length === x.length ? wShape[0]! : null;
    if (!w) return [out(type(c), [x[0]!, channels, ...rankOnly(spatial)])];
    return [out(type(c), [x[0]!, channels, ...windowedSpatial(x, w, false)])];
  };

const convTransposeRule: ShapeRule = (c) => {
  const x = c.shape(0);
  const wShape = c.shape(1);
  if (!x || x.length < 3) return [out(c.type(0), null)];
  const spatial = x.length - 2;
  const group = getAttrInt(c.node, 'group', 1);
  const wOut = wShape && wShape.length === x.length ? wShape[1]! : null;
  const channels = isNumber(wOut) ? wOut * group : group === 1 ? wOut : null;
  const kernelFromW = wShape && wShape.length === x.length ? wShape.slice(2) : undefined;
  const w = windowAttrs(
    c.node,
    spatial,
    kernelFromW?.every(isNumber) ? (kernelFromW as number[]) : undefined,
  );
  const outputShape = getAttrInts(c.node, 'output_shape');
  if (outputShape && outputShape.length >= spatial) {
    return [out(c.type(0), [x[0]!, channels, ...outputShape.slice(-spatial)])];
  }
  if (!w) return [out(c.type(0), [x[0]!, channels, ...rankOnly(spatial)])];
  const outputPadding = getAttrInts(c.node, 'output_padding') ?? [];
  const dims = x.slice(2).map((d, i) =>
    transposedWindowOutputDim(d, {
      kernel: w.kernel[i]!,
      stride: w.strides[i] ?? 1,
      dilation: w.dilations[i] ?? 1,
      padBegin: w.pads[i] ?? 0,
      padEnd: w.pads[i + spatial] ?? 0,
      autoPad: w.autoPad,
      ceilMode: false,
      outputPadding: outputPadding[i] ?? 0,
    }),
  );
  return [out(c.type(0), [x[0]!, channels, ...dims])];
};

const poolRule: ShapeRule = (c) => {
  const x = c.shape(0);
  if (!x || x.length < 3) return [out(c.type(0), null), out(DT.INT64, null)];
  const spatial = x.length - 2;
  const w = windowAttrs(c.node, spatial, undefined);
  const shape = w
    ? [x[0]!, x[1]!, ...windowedSpatial(x, w, getAttrInt(c.node, 'ceil_mode', 0) === 1)]
    : [x[0]!, x[1]!, ...rankOnly(spatial)];
  return [out(c.type(0), shape), out(DT.INT64, shape)];
};

const globalPoolRule: ShapeRule = (c) => {
  const x = c.shape(0);
  return [out(c.type(0), x && x.length >= 2 ? [x[0]!, x[1]!, ...x.slice(2).map(() => 1)] : null)];
};

// ---- normalization ----

const batchNormRule: ShapeRule = (c) => {
  const x = c.shape(0);
  const channel: Dim[] = [x && x.length > 1 ? x[1]! : null];
  return [
    out(c.type(0), x),
    out(c.type(1), channel),
    out(c.type(1), channel),
    out(c.type(1), channel),
    out(c.type(1), channel),
  ];
};

const layerNormRule: ShapeRule = (c) => {
  const x = c.shape(0);
  const stashType = getAttrInt(c.node, 'stash_type', DT.FLOAT);
  if (!x) return [out(c.type(0), null), out(stashType, null), out(stashType, null)];
  const axis = normalizeAxis(getAttrInt(c.node, 'axis', -1), x.length);
  const reduced = axis === undefined ? null : x.map((d, i) => (i >= axis ? 1 : d));
  return [out(c.type(0), x), out(stashType, reduced), out(stashType, reduced)];
};

const outputZeroPointType = (i: number) => (c: RuleContext) => (c.has(i) ? c.type(i) : DT.UINT8);

export const nnRules = new Map<string, ShapeRule>([
  ['MatMul', matMulRule(0, 1, (c) => c.type(0))],
  ['MatMulInteger', matMulRule(0, 1, () => DT.INT32)],
  ['QLinearMatMul', matMulRule(0, 3, outputZeroPointType(7))],
  ['Gemm', gemmRule],
  ['Conv', convRule(0, 1, (c) => c.type(0))],
  ['ConvInteger', convRule(0, 1, () => DT.INT32)],
  ['QLinearConv', convRule(0, 3, outputZeroPointType(7))],
  ['ConvTranspose', convTransposeRule],
  ...['MaxPool', 'AveragePool', 'LpPool'].map((op): [string, ShapeRule] => [op, poolRule]),
  ...['GlobalAveragePool', 'GlobalMaxPool', 'GlobalLpPool'].map((op): [string, ShapeRule] => [
    op,
    globalPoolRule,
  ]),
  ['BatchNormalization', batchNormRule],
  ['LayerNormalization', layerNormRule],
]);
