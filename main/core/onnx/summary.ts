/**
 * The model summary shown at import and stored with every model (schema: shared/schemas/models.ts).
 *
 * Decisions:
 * - nodeCount / opHistogram count the nodes of the main graph AND of every subgraph (If/Loop/Scan bodies):
 *   they are operators the runtime executes. Bodies of model-local functions are not counted (the calling
 *   node is).
 * - parameterCount / weight bytes cover initializers (main graph and subgraphs), sparse initializers (their
 *   stored values and indices) and the tensor of Constant nodes (`value`, `sparse_value`), since some
 *   exporters put weights in Constant nodes. Other attribute tensors (e.g. ConstantOfShape's fill value)
 *   are not weights. Sizes follow from shapes, so external data need not be loaded.
 * - MACs: Conv (and ConvInteger, QLinearConv) = N·Cout·∏out_spatial·(Cin/group)·∏kernel;
 *   ConvTranspose = N·Cin·∏in_spatial·(Cout/group)·∏kernel; Gemm = M·N·K; MatMul (and MatMulInteger,
 *   QLinearMatMul) = batch·M·N·K. Symbolic dimensions count as 1. Nodes whose shapes cannot be inferred,
 *   and such nodes inside subgraphs (not inferred), are counted in macsUnknownNodes.
 */
import {
  TensorProto_DataType,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
} from 'onnx-buf';
import type { ModelSummary, TensorInfo } from '../../../shared/schemas/models';
import { getAttrInt } from './graph';
import type { Dim } from './shape-dims';
import { inferShapes, valueShapeFromType, type ValueShape } from './shape-inference';
import { elemTypeName, tensorDataByteLength, tensorElementCount } from './tensor';
import { forEachGraph } from './tensor-walk';

export function summarizeModel(model: ModelProto): ModelSummary {
  const graph = model.graph;
  const shapes = inferShapes(model);
  const weights = countWeights(graph);
  const macs = graph ? countMacs(graph, shapes) : { total: 0, byOpType: [], unknown: 0 };
  return {
    irVersion: Number(model.irVersion),
    opsets: model.opsetImport.map((o) => ({ domain: o.domain, version: Number(o.version) })),
    producer: { name: model.producerName, version: model.producerVersion },
    graphName: graph?.name ?? '',
    inputs: graphInputs(graph),
    outputs: (graph?.output ?? []).map((vi) => {
      const declared = valueShapeFromType(vi.type);
      const inferred = shapes.get(vi.name);
      return tensorInfo(vi.name, {
        elemType: declared.elemType || inferred?.elemType || 0,
        shape: declared.shape ?? inferred?.shape ?? null,
      });
    }),
    nodeCount: countNodes(graph),
    opHistogram: opHistogram(graph),
    parameterCount: weights.parameters,
    weightBytesByDtype: weights.byDtype,
    weightBytes: weights.byDtype.reduce((n, d) => n + d.bytes, 0),
    macs: macs.total,
    macsByOpType: macs.byOpType,
    macsUnknownNodes: macs.unknown,
  };
}

function tensorInfo(name: string, v: ValueShape): TensorInfo {
  return { name, elemType: elemTypeName(v.elemType), shape: v.shape };
}

/** Graph inputs that are also initializers are weights with a default, not inputs the caller feeds. */
function graphInputs(graph: GraphProto | undefined): TensorInfo[] {
  if (!graph) return [];
  const initializers = new Set(graph.initializer.map((t) => t.name));
  return graph.input
    .filter((vi) => !initializers.has(vi.name))
    .map((vi) => tensorInfo(vi.name, valueShapeFromType(vi.type)));
}

function countNodes(graph: GraphProto | undefined): number {
  let n = 0;
  if (graph) forEachGraph(graph, (g) => (n += g.node.length));
  return n;
}

function opHistogram(graph: GraphProto | undefined): ModelSummary['opHistogram'] {
  const counts = new Map<string, { opType: string; domain: string; count: number }>();
  if (graph) {
    forEachGraph(graph, (g) => {
      for (const node of g.node) {
        const key = `${node.domain}\u0000${node.opType}`;
        const entry = counts.get(key);
        if (entry) entry.count++;
        else counts.set(key, { opType: node.opType, domain: node.domain, count: 1 });
      }
    });
  }
  return [...counts.values()].sort(
    (a, b) => b.count - a.count || compare(a.opType, b.opType) || compare(a.domain, b.domain),
  );
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function countWeights(graph: GraphProto | undefined): {
  parameters: number;
  byDtype: ModelSummary['weightBytesByDtype'];
} {
  const byDtype = new Map<string, { dtype: string; bytes: number; tensors: number }>();
  let parameters = 0;
  const add = (t: TensorProto, countsAsTensor = true) => {
    const count = tensorElementCount(t);
    parameters += count;
    const dtype = elemTypeName(t.dataType);
    const bytes =
      t.dataType === TensorProto_DataType.STRING
        ? t.stringData.reduce((n, s) => n + s.byteLength, 0)
        : tensorDataByteLength(t.dataType, count);
    const entry = byDtype.get(dtype) ?? { dtype, bytes: 0, tensors: 0 };
    entry.bytes += bytes;
    if (countsAsTensor) entry.tensors++;
    byDtype.set(dtype, entry);
  };
  if (graph) {
    forEachGraph(graph, (g) => {
      for (const t of g.initializer) add(t);
      for (const s of g.sparseInitializer) {
        if (s.values) add(s.values);
        // Indices are storage, not parameters: bytes only.
        if (s.indices) addBytesOnly(byDtype, s.indices);
      }
      for (const node of g.node) {
        if (node.opType !== 'Constant' || (node.domain !== '' && node.domain !== 'ai.onnx')) continue;
        for (const attr of node.attribute) {
          if (attr.name === 'value' && attr.t) add(attr.t);
          if (attr.name === 'sparse_value' && attr.sparseTensor?.values) {
            add(attr.sparseTensor.values);
            if (attr.sparseTensor.indices) addBytesOnly(byDtype, attr.sparseTensor.indices);
          }
        }
      }
    });
  }
  const list = [...byDtype.values()].sort((a, b) => b.bytes - a.bytes || compare(a.dtype, b.dtype));
  return { parameters, byDtype: list };
}

function addBytesOnly(
  byDtype: Map<string, { dtype: string; bytes: number; tensors: number }>,
  t: TensorProto,
) {
  const dtype = elemTypeName(t.dataType);
  const entry = byDtype.get(dtype) ?? { dtype, bytes: 0, tensors: 0 };
  entry.bytes += tensorDataByteLength(t.dataType, tensorElementCount(t));
  byDtype.set(dtype, entry);
}

/** Where the operands of each MAC-counted op sit: [activation or A, weight or B] input positions. */
const macOps: Record<string, { kind: 'conv' | 'convTranspose' | 'gemm' | 'matmul'; a: number; b: number }> = {
  Conv: { kind: 'conv', a: 0, b: 1 },
  ConvInteger: { kind: 'conv', a: 0, b: 1 },
  QLinearConv: { kind: 'conv', a: 0, b: 3 },
  ConvTranspose: { kind: 'convTranspose', a: 0, b: 1 },
  Gemm: { kind: 'gemm', a: 0, b: 1 },
  MatMul: { kind: 'matmul', a: 0, b: 1 },
  MatMulInteger: { kind: 'matmul', a: 0, b: 1 },
  QLinearMatMul: { kind: 'matmul', a: 0, b: 3 },
};

/** Product with symbolic dims as 1; undefined if any dim is unknown. */
function product(dims: readonly Dim[] | null | undefined): number | undefined {
  if (!dims) return undefined;
  let n = 1;
  for (const d of dims) {
    if (d === null) return undefined;
    if (typeof d === 'number') n *= d;
  }
  return n;
}

const dimValue = (d: Dim | undefined): number | undefined =>
  d === undefined || d === null ? undefined : typeof d === 'number' ? d : 1;

/** MACs of one node at the inferred shapes; undefined when they are not known. */
export function nodeMacs(node: NodeProto, shapes: ReadonlyMap<string, ValueShape>): number | undefined {
  const spec =
    (node.domain === '' || node.domain === 'ai.onnx') && Object.hasOwn(macOps, node.opType)
      ? macOps[node.opType]
      : undefined;
  if (!spec) return undefined;
  const shapeOf = (name: string | undefined) =>
    name === undefined || name === '' ? null : (shapes.get(name)?.shape ?? null);
  const a = shapeOf(node.input[spec.a]);
  const b = shapeOf(node.input[spec.b]);
  const y = shapeOf(node.output[0]);
  switch (spec.kind) {
    case 'conv': {
      const outElems = product(y);
      const perOutput = b ? product(b.slice(1)) : undefined;
      return outElems === undefined || perOutput === undefined ? undefined : outElems * perOutput;
    }
    case 'convTranspose': {
      const inElems = product(a);
      const perInput = b ? product(b.slice(1)) : undefined;
      return inElems === undefined || perInput === undefined ? undefined : inElems * perInput;
    }
    case 'gemm': {
      if (!a || !b || a.length !== 2 || b.length !== 2) return undefined;
      const m = dimValue(getAttrInt(node, 'transA', 0) ? a[1] : a[0]);
      const k = dimValue(getAttrInt(node, 'transA', 0) ? a[0] : a[1]);
      const n = dimValue(getAttrInt(node, 'transB', 0) ? b[0] : b[1]);
      return m === undefined || k === undefined || n === undefined ? undefined : m * n * k;
    }
    case 'matmul': {
      if (!a || a.length === 0) return undefined;
      const k = dimValue(a[a.length - 1]);
      const outElems = product(y);
      return k === undefined || outElems === undefined ? undefined : outElems * k;
    }
  }
}

function countMacs(
  graph: GraphProto,
  shapes: ReadonlyMap<string, ValueShape>,
): { total: number; byOpType: ModelSummary['macsByOpType']; unknown: number } {
  const byOpType = new Map<string, number>();
  let unknown = 0;
  let total = 0;
  forEachGraph(graph, (g, depth) => {
    for (const node of g.node) {
      if (!Object.hasOwn(macOps, node.opType) || (node.domain !== '' && node.domain !== 'ai.onnx')) continue;
      const macs = depth === 0 ? nodeMacs(node, shapes) : undefined;
      byOpType.set(node.opType, (byOpType.get(node.opType) ?? 0) + (macs ?? 0));
      if (macs === undefined) unknown++;
      else total += macs;
    }
  });
  const list = [...byOpType]
    .map(([opType, macs]) => ({ opType, macs }))
    .sort((a, b) => b.macs - a.macs || compare(a.opType, b.opType));
  return { total, byOpType: list, unknown };
}
