import { TensorProto_DataLocation, TensorProto_DataType as DT } from 'onnx-buf';
import { getAttr, getAttrInt, getAttrInts, getAttrString, getAttrTensor } from './graph';
import {
  broadcastShapes,
  dimProduct,
  isNumber,
  normalizeAxis,
  sliceLength,
  sliceStart,
  type Dim,
} from './shape-dims';
import { axesFrom, MAX_TRACKED_VALUE_ELEMENTS, out, rankOnly, type ShapeRule } from './shape-rule-context';
import { tensorElementCount, tensorToNumbers } from './tensor';

// Operators that move, cut, join or reduce tensors, and those that make constants. Where a shape is data
// (Reshape's target, Slice's bounds …), rules read the known values and pass values on (Shape, Gather …).

const flattenRule: ShapeRule = (c) => {
  const x = c.shape(0);
  if (!x) return [out(c.type(0), rankOnly(2))];
  const axis = getAttrInt(c.node, 'axis', 1);
  const a = axis < 0 ? axis + x.length : axis;
  if (a < 0 || a > x.length) return [out(c.type(0), rankOnly(2))];
  return [out(c.type(0), [dimProduct(x.slice(0, a)), dimProduct(x.slice(a))])];
};

/** Reshape's target: 0 copies the input dim (unless allowzero), -1 is inferred from the element count. */
function reshapeShape(input: Dim[] | null, target: Dim[], allowZero: boolean): Dim[] {
  const shape = target.map((t, i) => (t === 0 && !allowZero ? (input?.[i] ?? null) : t));
  const inferAt = shape.indexOf(-1);
  if (inferAt < 0) return shape;
  shape[inferAt] = null;
  if (!input || input.includes(null)) return shape;
  const known = shape.filter((_, i) => i !== inferAt);
  if (known.includes(null)) return shape;
  const symbolsIn = input.filter((d): d is string => typeof d === 'string');
  for (const s of known) {
    if (typeof s !== 'string') continue;
    const at = symbolsIn.indexOf(s);
    if (at < 0) return shape; // the output has a symbol the input lacks: cannot divide
    symbolsIn.splice(at, 1);
  }
  const numIn = input.filter(isNumber).reduce((n, d) => n * d, 1);
  const numOut = known.filter(isNumber).reduce((n, d) => n * d, 1);
  if (numOut === 0) return shape;
  const q = numIn / numOut;
  if (symbolsIn.length === 0 && Number.isInteger(q)) shape[inferAt] = q;
  else if (symbolsIn.length === 1 && q === 1) shape[inferAt] = symbolsIn[0]!;
  return shape;
}

const reshapeRule: ShapeRule = (c) => {
  const target = c.opset >= 5 ? c.value(1) : getAttrInts(c.node, 'shape');
  if (!target) {
    const s = c.shape(1);
    const rank = s && s.length === 1 && isNumber(s[0]) ? s[0] : undefined;
    return [out(c.type(0), rank === undefined ? null : rankOnly(rank))];
  }
  const allowZero = c.opset >= 14 && getAttrInt(c.node, 'allowzero', 0) === 1;
  return [out(c.type(0), reshapeShape(c.shape(0), target, allowZero), c.value(0))];
};

const transposeRule: ShapeRule = (c) => {
  const x = c.shape(0);
  if (!x) return [out(c.type(0), null)];
  const perm = getAttrInts(c.node, 'perm') ?? x.map((_, i) => x.length - 1 - i);
  if (perm.length !== x.length) return [out(c.type(0), rankOnly(x.length))];
  return [
    out(
      c.type(0),
      perm.map((p) => x[p] ?? null),
    ),
  ];
};

const concatRule: ShapeRule = (c) => {
  const shapes = c.node.input.map((_, i) => c.shape(i));
  const values = c.node.input.map((_, i) => c.value(i));
  const value = values.every((v) => v !== undefined) ? values.flat() : undefined;
  const first = shapes.find((s) => s !== null);
  if (!first) return [out(c.type(0), null, value)];
  const axis = normalizeAxis(getAttrInt(c.node, 'axis', 0), first.length);
  if (axis === undefined) return [out(c.type(0), rankOnly(first.length), value)];
  const shape = first.map((_, i) => {
    if (i === axis) {
      const parts = shapes.map((s) => (s ? s[i]! : null));
      return parts.every(isNumber) ? parts.reduce((n, d) => n + d, 0) : null;
    }
    // Any input that knows the size tells it for all (they must agree).
    const sizes = shapes.map((s) => s?.[i] ?? null);
    return sizes.find(isNumber) ?? sizes.find((d) => d !== null) ?? null;
  });
  return [out(c.type(0), shape, value)];
};

const squeezeRule: ShapeRule = (c) => {
  const x = c.shape(0);
  const axes = axesFrom(c, 13, 1);
  if (!x || axes === 'unknown') return [out(c.type(0), null, c.value(0))];
  if (axes === undefined || axes.length === 0) {
    return [out(c.type(0), x.every(isNumber) ? x.filter((d) => d !== 1) : null, c.value(0))];
  }
  const drop = new Set(axes.map((a) => normalizeAxis(a, x.length)));
  return [
    out(
      c.type(0),
      x.filter((_, i) => !drop.has(i)),
      c.value(0),
    ),
  ];
};

const unsqueezeRule: ShapeRule = (c) => {
  const x = c.shape(0);
  const axes = axesFrom(c, 13, 1);
  if (!x || axes === undefined || axes === 'unknown') return [out(c.type(0), null, c.value(0))];
  const rank = x.length + axes.length;
  const add = new Set(axes.map((a) => normalizeAxis(a, rank)));
  const shape: Dim[] = [];
  let j = 0;
  for (let i = 0; i < rank; i++) shape.push(add.has(i) ? 1 : (x[j++] ?? null));
  return [out(c.type(0), shape, c.value(0))];
};

const gatherRule: ShapeRule = (c) => {
  const data = c.shape(0);
  const indices = c.shape(1);
  if (!data || !indices) return [out(c.type(0), null)];
  const axis = normalizeAxis(getAttrInt(c.node, 'axis', 0), data.length);
  if (axis === undefined) return [out(c.type(0), null)];
  const shape = [...data.slice(0, axis), ...indices, ...data.slice(axis + 1)];
  const values = c.value(0);
  const picks = c.numbers(1);
  let value: Dim[] | undefined;
  if (values && picks && data.length === 1 && isNumber(data[0])) {
    const n = data[0];
    value = picks.map((p) => values[p < 0 ? p + n : p] ?? null);
  }
  return [out(c.type(0), shape, value)];
};

const shapeRule: ShapeRule = (c) => {
  const x = c.shape(0);
  if (!x) return [out(DT.INT64, [null])];
  const rank = x.length;
  const clampAxis = (a: number) => Math.min(Math.max(a < 0 ? a + rank : a, 0), rank);
  const start = c.opset >= 15 ? clampAxis(getAttrInt(c.node, 'start', 0)) : 0;
  const end = c.opset >= 15 ? clampAxis(getAttrInt(c.node, 'end', rank)) : rank;
  const dims = x.slice(start, Math.max(start, end));
  return [out(DT.INT64, [dims.length], dims)];
};

const sizeRule: ShapeRule = (c) => {
  const x = c.shape(0);
  return [out(DT.INT64, [], x ? [dimProduct(x)] : undefined)];
};

const constantRule: ShapeRule = (c) => {
  const t = getAttrTensor(c.node, 'value');
  if (t) {
    const dims = t.dims.map((d) => Number(d));
    const small =
      tensorElementCount(t) <= MAX_TRACKED_VALUE_ELEMENTS &&
      t.dataLocation !== TensorProto_DataLocation.EXTERNAL;
    return [out(t.dataType, dims, small ? tensorToNumbers(t) : undefined)];
  }
  const sparse = getAttr(c.node, 'sparse_value')?.sparseTensor;
  if (sparse)
    return [
      out(
        sparse.values?.dataType ?? 0,
        sparse.dims.map((d) => Number(d)),
      ),
    ];
  const a = c.node.attribute[0];
  switch (a?.name) {
    case 'value_float':
      return [out(DT.FLOAT, [], [a.f])];
    case 'value_floats':
      return [
        out(
          DT.FLOAT,
          [a.floats.length],
          a.floats.length <= MAX_TRACKED_VALUE_ELEMENTS ? a.floats : undefined,
        ),
      ];
    case 'value_int':
      return [out(DT.INT64, [], [Number(a.i)])];
    case 'value_ints':
      return [
        out(
          DT.INT64,
          [a.ints.length],
          a.ints.length <= MAX_TRACKED_VALUE_ELEMENTS ? a.ints.map((v) => Number(v)) : undefined,
        ),
      ];
    case 'value_string':
      return [out(DT.STRING, [])];
    case 'value_strings':
      return [out(DT.STRING, [a.strings.length])];
    default:
      return [undefined];
  }
};

const constantOfShapeRule: ShapeRule = (c) => {
  const fill = getAttrTensor(c.node, 'value');
  const shape = c.value(0);
  const s = c.shape(0);
  const rank = s && s.length === 1 && isNumber(s[0]) ? s[0] : undefined;
  const count = shape?.every(isNumber) ? shape.reduce((n, d) => n * d, 1) : undefined;
  const fillValue = fill ? tensorToNumbers(fill)?.[0] : 0;
  const value =
    count !== undefined && count <= MAX_TRACKED_VALUE_ELEMENTS && fillValue !== undefined
      ? Array.from({ length: count }, () => fillValue)
      : undefined;
  return [out(fill?.dataType ?? DT.FLOAT, shape ?? (rank === undefined ? null : rankOnly(rank)), value)];
};

/** Reductions; `axesInputFrom` is the opset where axes moved from an attribute to input 1. */
const reduceRule =
  (axesInputFrom: number): ShapeRule =>
  (c) => {
    const type = c.type(0);
    const x = c.shape(0);
    const keep = getAttrInt(c.node, 'keepdims', 1) === 1;
    const axes = axesFrom(c, axesInputFrom, 1);
    if (!x || axes === 'unknown') return [out(type, null)];
    let reduce: Set<number | undefined>;
    if (axes === undefined || axes.length === 0) {
      if (getAttrInt(c.node, 'noop_with_empty_axes', 0) === 1) return [out(type, x)];
      reduce = new Set(x.map((_, i) => i));
    } else {
      reduce = new Set(axes.map((a) => normalizeAxis(a, x.length)));
    }
    const shape = keep ? x.map((d, i) => (reduce.has(i) ? 1 : d)) : x.filter((_, i) => !reduce.has(i));
    return [out(type, shape)];
  };

const padRule: ShapeRule = (c) => {
  const x = c.shape(0);
  if (!x) return [out(c.type(0), null)];
  const pads =
    c.opset >= 11 ? c.numbers(1) : (getAttrInts(c.node, 'pads') ?? getAttrInts(c.node, 'paddings'));
  let axes = x.map((_, i) => i);
  if (c.opset >= 18 && c.has(3)) {
    const given = c.numbers(3);
    if (!given) return [out(c.type(0), rankOnly(x.length))];
    const normalized = given.map((a) => normalizeAxis(a, x.length));
    if (!normalized.every((a) => a !== undefined)) return [out(c.type(0), rankOnly(x.length))];
    axes = normalized;
  }
  if (!pads || pads.length !== 2 * axes.length) return [out(c.type(0), rankOnly(x.length))];
  const shape = [...x];
  axes.forEach((a, i) => {
    const d = shape[a];
    const added = pads[i]! + pads[i + axes.length]!;
    shape[a] = isNumber(d) ? d + added : added === 0 ? (d ?? null) : null;
  });
  return [out(c.type(0), shape)];
};

function scaledShape(
  x: Dim[],
  axes: number[],
  scales: number[] | undefined,
  sizes: number[] | undefined,
): Dim[] {
  const shape = [...x];
  axes.forEach((a, i) => {
    const d = x[a];
    if (sizes) shape[a] = sizes[i] ?? null;
    else if (scales) {
      const s = scales[i]!;
      shape[a] = isNumber(d) ? Math.floor(d * s + 1e-6) : s === 1 ? (d ?? null) : null;
    }
  });
  return shape;
}

const resizeRule: ShapeRule = (c) => {
  const x = c.shape(0);
  if (!x) return [out(c.type(0), null)];
  const nonEmpty = (v: number[] | undefined) => (v && v.length > 0 ? v : undefined);
  const scales = nonEmpty(c.opset >= 11 ? (c.has(2) ? c.numbers(2) : undefined) : c.numbers(1));
  const sizes = nonEmpty(c.opset >= 11 && c.has(3) ? c.numbers(3) : undefined);
  const axes = (c.opset >= 18 ? getAttrInts(c.node, 'axes') : undefined) ?? x.map((_, i) => i);
  const policy = getAttrString(c.node, 'keep_aspect_ratio_policy', 'stretch');
  if ((!scales && !sizes) || (sizes && policy !== 'stretch')) return [out(c.type(0), rankOnly(x.length))];
  const normalized = axes.map((a) => normalizeAxis(a, x.length));
  const given = sizes ?? scales ?? [];
  if (given.length !== normalized.length || !normalized.every((a) => a !== undefined)) {
    return [out(c.type(0), rankOnly(x.length))];
  }
  return [out(c.type(0), scaledShape(x, normalized, scales, sizes))];
};

const upsampleRule: ShapeRule = (c) => {
  const x = c.shape(0);
  if (!x) return [out(c.type(0), null)];
  const scales = c.opset >= 9 ? c.numbers(1) : getAttr(c.node, 'scales')?.floats;
  if (!scales || scales.length !== x.length) return [out(c.type(0), rankOnly(x.length))];
  return [
    out(
      c.type(0),
      scaledShape(
        x,
        x.map((_, i) => i),
        scales,
        undefined,
      ),
    ),
  ];
};

const splitRule: ShapeRule = (c) => {
  const x = c.shape(0);
  const n = c.node.output.length;
  if (!x) return c.node.output.map(() => out(c.type(0), null));
  const axis = normalizeAxis(getAttrInt(c.node, 'axis', 0), x.length);
  if (axis === undefined) return c.node.output.map(() => out(c.type(0), null));
  const given = c.opset >= 13 ? c.has(1) : getAttr(c.node, 'split') !== undefined;
  let parts: Dim[] | undefined = c.opset >= 13 ? c.numbers(1) : getAttrInts(c.node, 'split');
  const d = x[axis]!;
  if (!given && isNumber(d)) {
    const chunk = Math.ceil(d / n);
    parts = Array.from({ length: n }, (_, i) => (i < n - 1 ? chunk : d - chunk * (n - 1)));
  }
  return c.node.output.map((_, i) =>
    out(
      c.type(0),
      x.map((dim, j) => (j === axis ? (parts?.[i] ?? null) : dim)),
    ),
  );
};

const sliceRule: ShapeRule = (c) => {
  const x = c.shape(0);
  if (!x) return [out(c.type(0), null)];
  const fromInputs = c.opset >= 10;
  const starts = fromInputs ? c.numbers(1) : getAttrInts(c.node, 'starts');
  const ends = fromInputs ? c.numbers(2) : getAttrInts(c.node, 'ends');
  const axesGiven = fromInputs ? (c.has(3) ? c.numbers(3) : undefined) : getAttrInts(c.node, 'axes');
  const steps = fromInputs && c.has(4) ? c.numbers(4) : undefined;
  if ((fromInputs && c.has(3) && !axesGiven) || (fromInputs && c.has(4) && !steps)) {
    return [out(c.type(0), rankOnly(x.length))];
  }
  const axes = axesGiven ?? starts?.map((_, i) => i);
  if (!starts || !ends || !axes) {
    // Unknown bounds: only the listed axes change size.
    const changed = new Set(axes?.map((a) => normalizeAxis(a, x.length)));
    return [
      out(
        c.type(0),
        x.map((d, i) => (axes && !changed.has(i) ? d : null)),
      ),
    ];
  }
  const shape = [...x];
  const input = c.value(0);
  let value: Dim[] | undefined;
  axes.forEach((a, i) => {
    const axis = normalizeAxis(a, x.length);
    if (axis === undefined) return;
    const d = x[axis];
    const step = steps?.[i] ?? 1;
    const start = starts[i] ?? 0;
    const end = ends[i] ?? 0;
    if (isNumber(d)) {
      const len = sliceLength(d, start, end, step);
      shape[axis] = len;
      if (input && x.length === 1 && step !== 0) {
        const first = sliceStart(d, start, step);
        value = Array.from({ length: len }, (_, k) => input[first + k * step] ?? null);
      }
    } else {
      shape[axis] = start === 0 && step === 1 && end >= 2 ** 31 - 1 ? (d ?? null) : null;
    }
  });
  return [out(c.type(0), shape, value)];
};

const expandRule: ShapeRule = (c) => {
  const target = c.value(1);
  const x = c.shape(0);
  return [out(c.type(0), target ? broadcastShapes([x, target]) : null)];
};

const tileRule: ShapeRule = (c) => {
  const x = c.shape(0);
  const repeats = c.numbers(1);
  if (!x || !repeats || repeats.length !== x.length) return [out(c.type(0), x ? rankOnly(x.length) : null)];
  return [
    out(
      c.type(0),
      x.map((d, i) => (isNumber(d) ? d * repeats[i]! : repeats[i] === 1 ? d : null)),
    ),
  ];
};

const argReduceRule: ShapeRule = (c) => {
  const x = c.shape(0);
  if (!x) return [out(DT.INT64, null)];
  const axis = normalizeAxis(getAttrInt(c.node, 'axis', 0), x.length);
  const keep = getAttrInt(c.node, 'keepdims', 1) === 1;
  const shape = keep ? x.map((d, i) => (i === axis ? 1 : d)) : x.filter((_, i) => i !== axis);
  return [out(DT.INT64, shape)];
};

const reduceOps = [
  'ReduceMean',
  'ReduceMax',
  'ReduceMin',
  'ReduceProd',
  'ReduceL1',
  'ReduceL2',
  'ReduceLogSum',
  'ReduceLogSumExp',
  'ReduceSumSquare',
];

export const shapeOpRules = new Map<string, ShapeRule>([
  ['Flatten', flattenRule],
  ['Reshape', reshapeRule],
  ['Transpose', transposeRule],
  ['Concat', concatRule],
  ['Squeeze', squeezeRule],
  ['Unsqueeze', unsqueezeRule],
  ['Gather', gatherRule],
  ['Shape', shapeRule],
  ['Size', sizeRule],
  ['Constant', constantRule],
  ['ConstantOfShape', constantOfShapeRule],
  ['Pad', padRule],
  ['Resize', resizeRule],
  ['Upsample', upsampleRule],
  ['Split', splitRule],
  ['Slice', sliceRule],
  ['Expand', expandRule],
  ['Tile', tileRule],
  // Axes moved from an attribute to an input at opset 13 for ReduceSum, at 18 for the others.
  ['ReduceSum', reduceRule(13)],
  ...reduceOps.map((op): [string, ShapeRule] => [op, reduceRule(18)]),
  ['ArgMax', argReduceRule],
  ['ArgMin', argReduceRule],
]);
