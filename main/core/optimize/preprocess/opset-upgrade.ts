/**
 * Raises the default-domain opset of a model to 13 (what per-channel QuantizeLinear/DequantizeLinear need, and
 * what ORT's QDQ fusions are tested with) when every operator in it can be carried over with the same meaning.
 *
 * Operators whose meaning changed between opset 7 and 13, and what we do:
 *   Clip (11: min/max attributes → inputs)                    converted
 *   Slice (10: starts/ends/axes attributes → inputs)          converted
 *   Squeeze/Unsqueeze (13: axes attribute → input)            converted
 *   ReduceSum (13: axes attribute → input)                    converted
 *   Split (13: split attribute → input)                       converted
 *   Pad (11: pads/value attributes → inputs)                  converted (value needs a known element type)
 *   TopK (10: k attribute → input)                            converted
 *   Softmax/LogSoftmax/Hardmax (13: one axis instead of "flatten from axis")
 *                                                             kept when the axis is the last one, else refused
 *   Dropout (12: ratio attribute → input)                     becomes Identity when its mask is unused
 *   BatchNormalization (9: `spatial` removed)                 attribute dropped when 1, refused when 0
 *   Resize-10 (11: coordinate modes), Upsample (deprecated)   refused
 *   Resize-11 with tf_half_pixel_for_nn (gone in 13)          refused
 *   anything not in the lists below, and control flow         refused
 * Every other operator listed here has the same meaning (extra types or optional attributes only).
 */
import { clone, create } from '@bufbuild/protobuf';
import {
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  TensorProto_DataType as DT,
  type ModelProto,
  type NodeProto,
  type TensorProto,
} from 'onnx-buf';
import {
  consumerMap,
  defaultOpsetVersion,
  getAttrFloat,
  getAttrInt,
  getAttrInts,
  getAttrString,
  makeAttribute,
  subgraphsOf,
  typedArrayToTensor,
  type ValueShape,
} from '../../onnx';

export const TARGET_OPSET = 13;
/** Below this the table below was not written for (Reshape shape input 5, broadcasting 7). */
const OLDEST_UPGRADABLE = 7;

/** Same meaning from opset 7 to 13. */
const UNCHANGED = new Set([
  'Abs',
  'Acos',
  'Acosh',
  'Add',
  'And',
  'ArgMax',
  'ArgMin',
  'Asin',
  'Asinh',
  'Atan',
  'Atanh',
  'AveragePool',
  'Cast',
  'Ceil',
  'Concat',
  'Constant',
  'ConstantOfShape',
  'Conv',
  'ConvTranspose',
  'Cos',
  'Cosh',
  'CumSum',
  'DepthToSpace',
  'Div',
  'Einsum',
  'Elu',
  'Equal',
  'Erf',
  'Exp',
  'Expand',
  'EyeLike',
  'Flatten',
  'Floor',
  'Gather',
  'GatherElements',
  'GatherND',
  'Gemm',
  'GlobalAveragePool',
  'GlobalLpPool',
  'GlobalMaxPool',
  'Greater',
  'GreaterOrEqual',
  'HardSigmoid',
  'Identity',
  'InstanceNormalization',
  'IsInf',
  'IsNaN',
  'LRN',
  'LeakyRelu',
  'Less',
  'LessOrEqual',
  'Log',
  'LpNormalization',
  'LpPool',
  'MatMul',
  'MatMulInteger',
  'Max',
  'MaxPool',
  'Mean',
  'Min',
  'Mod',
  'Mul',
  'Neg',
  'NonZero',
  'Not',
  'OneHot',
  'Or',
  'PRelu',
  'Pow',
  'Range',
  'Reciprocal',
  'ReduceL1',
  'ReduceL2',
  'ReduceLogSum',
  'ReduceLogSumExp',
  'ReduceMax',
  'ReduceMean',
  'ReduceMin',
  'ReduceProd',
  'ReduceSumSquare',
  'Relu',
  'Reshape',
  'Round',
  'ScatterElements',
  'ScatterND',
  'Selu',
  'Shape',
  'Sigmoid',
  'Sign',
  'Sin',
  'Sinh',
  'Size',
  'Softplus',
  'Softsign',
  'SpaceToDepth',
  'Sqrt',
  'Sub',
  'Sum',
  'Tan',
  'Tanh',
  'ThresholdedRelu',
  'Tile',
  'Transpose',
  'Where',
  'Xor',
]);

export type OpsetUpgrade =
  | { ok: true; from: number; to: number; converted: Record<string, number> }
  | { ok: false; from: number; reasons: string[] };

type Rewrite = { node: NodeProto; initializers: TensorProto[] } | { refuse: string } | 'same';

/**
 * Upgrades `model` IN PLACE to opset 13 (returns ok: false and leaves it untouched when it cannot).
 * `shapes` (from inferShapes of this model) answers the Softmax axis and Pad value-type questions.
 */
export function upgradeOpset(model: ModelProto, shapes: ReadonlyMap<string, ValueShape>): OpsetUpgrade {
  const from = defaultOpsetVersion(model);
  const graph = model.graph;
  if (!graph || from >= TARGET_OPSET) return { ok: true, from, to: from, converted: {} };
  if (from < OLDEST_UPGRADABLE) {
    return {
      ok: false,
      from,
      reasons: [`opset ${from} is older than ${OLDEST_UPGRADABLE}, which this upgrade starts from`],
    };
  }
  const used = new Set<string>();
  for (const t of graph.initializer) used.add(t.name);
  for (const v of graph.input) used.add(v.name);
  for (const n of graph.node) for (const o of n.output) used.add(o);
  const fresh = (base: string) => {
    let name = base;
    for (let i = 1; used.has(name); i++) name = `${base}_${i}`;
    used.add(name);
    return name;
  };
  const consumers = consumerMap(graph);
  const outputs = new Set(graph.output.map((o) => o.name));
  const ctx: RewriteContext = { from, shapes, fresh, isUsed: (t) => consumers.has(t) || outputs.has(t) };

  const reasons: string[] = [];
  const newNodes: NodeProto[] = [];
  const newInits: TensorProto[] = [];
  const converted: Record<string, number> = {};
  for (const node of graph.node) {
    const label = `${node.opType} '${node.name || node.output[0]}'`;
    if (node.domain !== '' && node.domain !== 'ai.onnx') {
      newNodes.push(node);
      continue;
    }
    if (subgraphsOf(node).length > 0) {
      reasons.push(`${label} has subgraphs (control flow is not upgraded)`);
      continue;
    }
    const r = rewrite(node, ctx);
    if (r === 'same') newNodes.push(node);
    else if ('refuse' in r) reasons.push(`${label}: ${r.refuse}`);
    else {
      newNodes.push(r.node);
      newInits.push(...r.initializers);
      converted[node.opType] = (converted[node.opType] ?? 0) + 1;
    }
  }
  if (reasons.length > 0) return { ok: false, from, reasons };

  graph.node = newNodes;
  graph.initializer.push(...newInits);
  const entry = model.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (entry) entry.version = BigInt(TARGET_OPSET);
  else
    model.opsetImport.push(create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(TARGET_OPSET) }));
  // Opset 13 needs IR version 7.
  if (model.irVersion < 7n) model.irVersion = 7n;
  return { ok: true, from, to: TARGET_OPSET, converted };
}

type RewriteContext = {
  from: number;
  shapes: ReadonlyMap<string, ValueShape>;
  fresh(base: string): string;
  isUsed(tensor: string): boolean;
};

/**
 * A copy of the node with some fields replaced. (Not `{ ...node }`: ONNX is proto2, and protobuf-es keeps unset
 * fields' defaults on the prototype, which a spread loses — `domain` would become undefined.)
 */
function edited(
  node: NodeProto,
  fields: Partial<Pick<NodeProto, 'opType' | 'input' | 'output' | 'attribute'>>,
): NodeProto {
  const copy = clone(NodeProtoSchema, node);
  Object.assign(copy, fields);
  return copy;
}

function withoutAttrs(node: NodeProto, names: readonly string[], inputs: string[]): NodeProto {
  return edited(node, { input: inputs, attribute: node.attribute.filter((a) => !names.includes(a.name)) });
}

function int64Init(ctx: RewriteContext, base: string, values: readonly number[]): TensorProto {
  return typedArrayToTensor(
    ctx.fresh(base),
    DT.INT64,
    [values.length],
    BigInt64Array.from(values.map(BigInt)),
  );
}

/** Moves int-list attributes into int64 inputs appended in order (absent ones become '' when later ones exist). */
function attrsToInputs(
  node: NodeProto,
  ctx: RewriteContext,
  attrs: readonly string[],
  required: readonly string[] = [],
): Rewrite {
  const inits: TensorProto[] = [];
  const names: string[] = [];
  for (const a of attrs) {
    const values = getAttrInts(node, a);
    if (values === undefined) {
      if (required.includes(a)) return { refuse: `has no '${a}' attribute` };
      names.push('');
      continue;
    }
    const t = int64Init(ctx, `${node.name || node.output[0]}_${a}`, values);
    inits.push(t);
    names.push(t.name);
  }
  while (names.length > 0 && names[names.length - 1] === '') names.pop();
  return {
    node: withoutAttrs(node, attrs, [node.input[0] ?? '', ...node.input.slice(1), ...names]),
    initializers: inits,
  };
}

function rewrite(node: NodeProto, ctx: RewriteContext): Rewrite {
  const { from } = ctx;
  switch (node.opType) {
    case 'Clip': {
      if (from >= 11) return 'same';
      const inits: TensorProto[] = [];
      const scalar = (attr: string): string => {
        const v = getAttrFloat(node, attr);
        if (v === undefined) return '';
        const t = typedArrayToTensor(
          ctx.fresh(`${node.name || node.output[0]}_${attr}`),
          DT.FLOAT,
          [],
          Float32Array.from([v]),
        );
        inits.push(t);
        return t.name;
      };
      const lo = scalar('min');
      const hi = scalar('max');
      const inputs = [node.input[0] ?? '', lo, hi];
      while (inputs.length > 1 && inputs[inputs.length - 1] === '') inputs.pop();
      return { node: withoutAttrs(node, ['min', 'max'], inputs), initializers: inits };
    }
    case 'Slice':
      return from >= 10 ? 'same' : attrsToInputs(node, ctx, ['starts', 'ends', 'axes'], ['starts', 'ends']);
    case 'Squeeze':
      return from >= 13 ? 'same' : attrsToInputs(node, ctx, ['axes']);
    case 'Unsqueeze':
      return from >= 13 ? 'same' : attrsToInputs(node, ctx, ['axes'], ['axes']);
    case 'ReduceSum':
      return from >= 13 ? 'same' : attrsToInputs(node, ctx, ['axes']);
    case 'Split':
      return from >= 13 ? 'same' : attrsToInputs(node, ctx, ['split']);
    case 'TopK': {
      if (from >= 10) return 'same';
      const k = getAttrInt(node, 'k');
      if (k === undefined) return { refuse: "has no 'k' attribute" };
      const t = int64Init(ctx, `${node.name || node.output[0]}_k`, [k]);
      return { node: withoutAttrs(node, ['k'], [node.input[0] ?? '', t.name]), initializers: [t] };
    }
    case 'Pad': {
      if (from >= 11) return 'same';
      const pads = getAttrInts(node, 'pads');
      if (!pads) return { refuse: "has no 'pads' attribute" };
      const padsInit = int64Init(ctx, `${node.name || node.output[0]}_pads`, pads);
      const inits = [padsInit];
      const inputs = [node.input[0] ?? '', padsInit.name];
      const value = getAttrFloat(node, 'value');
      if (value !== undefined && value !== 0) {
        const elemType = ctx.shapes.get(node.input[0] ?? '')?.elemType;
        if (elemType !== DT.FLOAT)
          return { refuse: 'pads a tensor of unknown or non-float type with a constant' };
        const v = typedArrayToTensor(
          ctx.fresh(`${node.name || node.output[0]}_value`),
          DT.FLOAT,
          [],
          Float32Array.from([value]),
        );
        inits.push(v);
        inputs.push(v.name);
      }
      return { node: withoutAttrs(node, ['pads', 'value'], inputs), initializers: inits };
    }
    case 'Softmax':
    case 'LogSoftmax':
    case 'Hardmax': {
      if (from >= 13) return 'same';
      const rank = ctx.shapes.get(node.input[0] ?? '')?.shape?.length;
      if (rank === undefined)
        return { refuse: 'input rank unknown: cannot tell whether opset 13 gives the same result' };
      const axis = getAttrInt(node, 'axis', 1);
      const normalized = axis < 0 ? axis + rank : axis;
      if (normalized !== rank - 1) {
        return {
          refuse: `axis ${axis} of a rank-${rank} input is not the last one: opset 13 changed its meaning`,
        };
      }
      // The default axis changed (1 → −1): write it explicitly.
      return {
        node: edited(node, {
          attribute: [...node.attribute.filter((a) => a.name !== 'axis'), makeAttribute('axis', rank - 1)],
        }),
        initializers: [],
      };
    }
    case 'Dropout': {
      if (from >= 12) return 'same';
      if (node.output[1] && ctx.isUsed(node.output[1])) return { refuse: 'its mask output is used' };
      return {
        node: edited(node, {
          opType: 'Identity',
          input: [node.input[0] ?? ''],
          output: [node.output[0] ?? ''],
          attribute: [],
        }),
        initializers: [],
      };
    }
    case 'BatchNormalization': {
      if (from >= 9) return 'same';
      if (getAttrInt(node, 'spatial', 1) !== 1)
        return { refuse: 'spatial=0 has no equivalent after opset 9' };
      if (node.output.filter((o) => o !== '').length > 1) return { refuse: 'training outputs are used' };
      return {
        node: withoutAttrs(node, ['spatial', 'is_test', 'consumed_inputs'], [...node.input]),
        initializers: [],
      };
    }
    case 'Resize': {
      if (from < 11)
        return { refuse: 'Resize before opset 11 interpolates differently (asymmetric coordinates)' };
      const mode = getAttrString(node, 'coordinate_transformation_mode', 'half_pixel');
      if (mode === 'tf_half_pixel_for_nn')
        return { refuse: 'coordinate mode tf_half_pixel_for_nn was removed in opset 13' };
      return 'same';
    }
    case 'Upsample':
      return { refuse: 'Upsample is deprecated (replace it with Resize when exporting)' };
    default:
      if (UNCHANGED.has(node.opType)) return 'same';
      return { refuse: 'no known opset-13 equivalent in this upgrade' };
  }
}
