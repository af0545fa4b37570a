/**
 * EdgeFleet's own shape inference: enough to size the tensors of common vision and MLP/transformer models
 * (for MAC counts, the summary and optimizer passes) without Python.
 *
 * Sources of shapes: graph inputs, initializers, value_info and graph outputs as declared in the file, then
 * every node of the main graph in topological order. Rules exist for these default-domain operators:
 *
 *   Conv, ConvTranspose, ConvInteger, QLinearConv, MaxPool, AveragePool, LpPool, GlobalAveragePool,
 *   GlobalMaxPool, GlobalLpPool, BatchNormalization, LayerNormalization, InstanceNormalization, LRN,
 *   element-wise unary ops (Relu, LeakyRelu, PRelu, Sigmoid, Tanh, Clip, HardSigmoid, HardSwish, Gelu, Erf,
 *   Softmax, LogSoftmax, Identity, Sqrt, Exp, Log, Neg, Abs, Elu, Selu, Softplus, Floor, Ceil, Round, …),
 *   Dropout, Cast, CastLike, broadcasting Add/Sub/Mul/Div/Pow/Max/Min/Sum/Mean/Mod, comparisons and logic
 *   (bool), Where, MatMul (batched, broadcast, 1-D), MatMulInteger, QLinearMatMul, Gemm (transA/transB),
 *   Flatten, Reshape (0 and -1, allowzero), Transpose, Concat, Squeeze/Unsqueeze (axes attribute before
 *   opset 13, input from 13), Gather, Shape (start/end), Size, Constant, ConstantOfShape,
 *   ReduceMean/ReduceSum/ReduceMax/… (axes attribute or input, keepdims, noop_with_empty_axes),
 *   ArgMax/ArgMin, Pad, Resize/Upsample (constant scales or sizes), Split, Slice, Expand, Tile,
 *   QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear.
 *
 * "Constant" inputs (Reshape's shape, Slice's starts, …) are initializers, Constant nodes, or small integer
 * tensors computed from them and from Shape: Shape → Gather → Unsqueeze → Concat → Reshape chains, as
 * PyTorch exports them, are followed, carrying symbolic dimensions ('batch') along.
 *
 * Anything else (Einsum, Loop/If/Scan, other domains, inputs of unknown shape) gives outputs of unknown
 * shape (null) — or the shape declared in value_info when the file has one. Subgraphs are not inferred.
 */
import { TensorProto_DataLocation, type GraphProto, type ModelProto, type TypeProto } from 'onnx-buf';
import { topologicalOrder } from './graph';
import { type Dim, isNumber } from './shape-dims';
import {
  MAX_TRACKED_VALUE_ELEMENTS,
  shapeRules,
  type InferredOutput,
  type RuleContext,
  type ValueShape,
} from './shape-op-rules';
import { tensorElementCount, tensorToNumbers } from './tensor';

export type { Dim } from './shape-dims';
export type { ValueShape } from './shape-op-rules';

const isDefaultDomain = (domain: string): boolean => domain === '' || domain === 'ai.onnx';

export function defaultOpsetVersion(model: ModelProto): number {
  const entry = model.opsetImport.find((o) => isDefaultDomain(o.domain));
  return entry ? Number(entry.version) : 1;
}

/** The element type and shape a TypeProto declares (elemType 0 and shape null for non-tensor types). */
export function valueShapeFromType(type: TypeProto | undefined): ValueShape {
  const v = type?.value;
  if (v?.case !== 'tensorType' && v?.case !== 'sparseTensorType') return { elemType: 0, shape: null };
  const shape = v.value.shape
    ? v.value.shape.dim.map((d): Dim => {
        if (d.value.case === 'dimValue') return Number(d.value.value);
        if (d.value.case === 'dimParam' && d.value.value !== '') return d.value.value;
        return null;
      })
    : null;
  return { elemType: v.value.elemType, shape };
}

/** Per dimension: a number beats a symbol beats unknown; our inference wins ties. */
function mergeShapes(inferred: Dim[] | null, declared: Dim[] | null): Dim[] | null {
  if (!inferred) return declared;
  if (!declared || declared.length !== inferred.length) return inferred;
  return inferred.map((d, i) => {
    const other = declared[i] ?? null;
    if (isNumber(d)) return d;
    if (isNumber(other)) return other;
    return d ?? other;
  });
}

function merge(inferred: InferredOutput | undefined, declared: ValueShape | undefined): ValueShape {
  return {
    elemType: inferred?.elemType || declared?.elemType || 0,
    shape: mergeShapes(inferred?.shape ?? null, declared?.shape ?? null),
  };
}

/** Element types and shapes of every tensor of the main graph it can determine; see the top of this file. */
export function inferShapes(model: ModelProto): Map<string, ValueShape> {
  const graph = model.graph;
  const result = new Map<string, ValueShape>();
  if (!graph) return result;
  const opset = defaultOpsetVersion(model);
  const values = new Map<string, Dim[]>();
  const declared = new Map<string, ValueShape>();

  for (const vi of graph.input) result.set(vi.name, valueShapeFromType(vi.type));
  for (const vi of [...graph.valueInfo, ...graph.output]) {
    const shape = valueShapeFromType(vi.type);
    declared.set(vi.name, shape);
    if (!result.has(vi.name)) result.set(vi.name, shape);
  }
  for (const t of graph.initializer) {
    result.set(t.name, { elemType: t.dataType, shape: t.dims.map((d) => Number(d)) });
    if (
      tensorElementCount(t) <= MAX_TRACKED_VALUE_ELEMENTS &&
      t.dataLocation !== TensorProto_DataLocation.EXTERNAL
    ) {
      const v = safely(() => tensorToNumbers(t));
      if (v) values.set(t.name, v);
    }
  }

  for (const node of nodesInOrder(graph)) {
    const rule = isDefaultDomain(node.domain) ? shapeRules.get(node.opType) : undefined;
    const inputName = (i: number): string => node.input[i] ?? '';
    const ctx: RuleContext = {
      node,
      opset,
      has: (i) => inputName(i) !== '',
      type: (i) => result.get(inputName(i))?.elemType ?? 0,
      shape: (i) => result.get(inputName(i))?.shape ?? null,
      value: (i) => values.get(inputName(i)),
      numbers: (i) => {
        const v = values.get(inputName(i));
        return v?.every(isNumber) ? v : undefined;
      },
    };
    // A malformed node (wrong attribute types, corrupt constants) just stays unknown.
    const outputs = (rule && safely(() => rule(ctx))) || [];
    node.output.forEach((name, i) => {
      if (name === '') return;
      const inferred = outputs[i];
      result.set(name, merge(inferred, declared.get(name)));
      if (inferred?.value !== undefined && inferred.value.length <= MAX_TRACKED_VALUE_ELEMENTS) {
        values.set(name, inferred.value);
      }
    });
  }
  return result;
}

function nodesInOrder(graph: GraphProto) {
  // A model with a cycle or a dangling input still gets shapes for what can be reached in file order.
  return safely(() => topologicalOrder(graph)) ?? graph.node;
}

function safely<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}
