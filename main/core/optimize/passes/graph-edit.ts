/**
 * Small graph-rewrite helpers shared by the optimizer passes: fresh names, constant lookup (initializers and
 * Constant nodes alike: PaddlePaddle exports keep every weight in a Constant node), float32 tensor data,
 * removal of what a rewrite left unused, and a topological re-sort.
 *
 * Passes work on a copy (cloneModelSharingTensorData) and edit it in place with these.
 */
import { create } from '@bufbuild/protobuf';
import {
  OperatorSetIdProtoSchema,
  TensorProto_DataType as DT,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from 'onnx-buf';
import { getAttr, nodeDependencies, subgraphsOf, tensorToTypedArray, topologicalOrder } from '../../onnx';

export const isDefaultDomain = (domain: string): boolean => domain === '' || domain === 'ai.onnx';

/** Every name a graph (and its subgraphs) uses, so new tensors and nodes never collide with one. */
export type NameScope = {
  has(name: string): boolean;
  /** `base` if unused, else `base_1`, `base_2`, …; the result is reserved. */
  unique(base: string): string;
};

export function createNameScope(graph: GraphProto): NameScope {
  const used = new Set<string>();
  const collect = (g: GraphProto): void => {
    for (const vi of [...g.input, ...g.output, ...g.valueInfo]) used.add(vi.name);
    for (const t of g.initializer) used.add(t.name);
    for (const s of g.sparseInitializer) if (s.values) used.add(s.values.name);
    for (const node of g.node) {
      if (node.name) used.add(node.name);
      for (const n of [...node.input, ...node.output]) if (n) used.add(n);
      for (const sub of subgraphsOf(node)) collect(sub);
    }
  };
  collect(graph);
  return {
    has: (name) => used.has(name),
    unique(base) {
      let name = base;
      for (let i = 1; used.has(name); i++) name = `${base}_${i}`;
      used.add(name);
      return name;
    },
  };
}

/** A constant tensor of the main graph: an initializer or the output of a Constant node with a `value` tensor. */
export type ConstantTensor =
  | { kind: 'initializer'; tensor: TensorProto }
  | { kind: 'constant-node'; tensor: TensorProto; node: NodeProto };

/**
 * Constants by tensor name. Initializers also listed as graph inputs count as constants, as ONNX Runtime's
 * quantizer treats them: models of IR version < 4 must list every initializer as an input. A pass that replaces
 * or converts one drops its input entry (the weight can then no longer be fed at run time).
 */
export function constantTensors(graph: GraphProto): Map<string, ConstantTensor> {
  const map = new Map<string, ConstantTensor>();
  for (const t of graph.initializer) map.set(t.name, { kind: 'initializer', tensor: t });
  for (const node of graph.node) {
    if (node.opType !== 'Constant' || !isDefaultDomain(node.domain)) continue;
    const t = getAttr(node, 'value')?.t;
    const out = node.output[0];
    if (t && out) map.set(out, { kind: 'constant-node', tensor: t, node });
  }
  return map;
}

/**
 * A float32 tensor's values as a fresh array. Copies raw_data byte by byte first: a decoded model's raw_data
 * may be a Node Buffer view, whose slice() shares memory instead of copying.
 */
export function readFloat32(t: TensorProto): Float32Array {
  if (t.dataType !== DT.FLOAT) throw new TypeError(`tensor '${t.name}' is not float32`);
  if (t.rawData.byteLength > 0) {
    const bytes = new Uint8Array(t.rawData.byteLength);
    bytes.set(t.rawData);
    return new Float32Array(bytes.buffer);
  }
  return tensorToTypedArray(t) as Float32Array;
}

export function dimsOf(t: TensorProto): number[] {
  return t.dims.map((d) => Number(d));
}

/** Every tensor name nodes (or their subgraphs) read, plus graph outputs. */
export function readNames(graph: GraphProto): Set<string> {
  const read = new Set<string>(graph.output.map((v) => v.name));
  for (const node of graph.node) for (const n of nodeDependencies(node)) read.add(n);
  return read;
}

/**
 * Drops initializers and Constant nodes named in `candidates` that nothing reads any more (weights replaced
 * by their quantized or float16 copies); their value_info goes with them. Returns the names removed.
 */
export function removeUnusedConstants(graph: GraphProto, candidates: Iterable<string>): string[] {
  const read = readNames(graph);
  const drop = new Set([...candidates].filter((n) => !read.has(n)));
  if (drop.size === 0) return [];
  graph.initializer = graph.initializer.filter((t) => !drop.has(t.name));
  graph.node = graph.node.filter(
    (n) => !(n.opType === 'Constant' && isDefaultDomain(n.domain) && drop.has(n.output[0] ?? '')),
  );
  graph.input = graph.input.filter((v) => !drop.has(v.name));
  graph.valueInfo = graph.valueInfo.filter((v) => !drop.has(v.name));
  return [...drop];
}

/** Drops value_info entries of tensors no node writes and no input or initializer provides any more. */
export function pruneValueInfo(graph: GraphProto): void {
  const defined = new Set<string>([
    ...graph.input.map((v) => v.name),
    ...graph.initializer.map((t) => t.name),
  ]);
  for (const node of graph.node) for (const o of node.output) if (o) defined.add(o);
  graph.valueInfo = graph.valueInfo.filter((v) => defined.has(v.name));
}

/** Puts the nodes in an order where every node follows its producers (MODEL_INVALID on a cycle). */
export function sortGraph(graph: GraphProto): void {
  graph.node = topologicalOrder(graph);
}

/** Declared element type of a tensor-typed ValueInfoProto (0 when it declares none). */
export function valueInfoElemType(vi: ValueInfoProto): number {
  return vi.type?.value.case === 'tensorType' ? vi.type.value.value.elemType : 0;
}

/** Changes the declared element type of a tensor-typed ValueInfoProto (others are left alone). */
export function setValueInfoElemType(vi: ValueInfoProto, elemType: number): void {
  if (vi.type?.value.case === 'tensorType') vi.type.value.value.elemType = elemType;
}

/** The version of `domain` the model imports (default domain: '' or 'ai.onnx'); undefined if absent. */
export function opsetVersion(model: ModelProto, domain = ''): number | undefined {
  const entry = model.opsetImport.find((o) =>
    domain === '' ? isDefaultDomain(o.domain) : o.domain === domain,
  );
  return entry ? Number(entry.version) : undefined;
}

/** Imports `domain` at `version` when absent or older (the default domain is '' here). */
export function requireOpset(model: ModelProto, domain: string, version: number): void {
  const entry = model.opsetImport.find((o) =>
    domain === '' ? isDefaultDomain(o.domain) : o.domain === domain,
  );
  if (!entry) model.opsetImport.push(create(OperatorSetIdProtoSchema, { domain, version: BigInt(version) }));
  else if (Number(entry.version) < version) entry.version = BigInt(version);
}

/** True when a config's exclude list names this node (by node name or op type). */
/**
 * Whether the user's exclude list names this node: by op type, by node name, or by a tensor it produces (the
 * per-layer fidelity table names tensors, and many exported nodes have no name).
 */
export function isExcluded(node: NodeProto, exclude: readonly string[]): boolean {
  if (exclude.length === 0) return false;
  return (
    exclude.includes(node.opType) ||
    (node.name !== '' && exclude.includes(node.name)) ||
    node.output.some((o) => o !== '' && exclude.includes(o))
  );
}

/** For reports: the node's name, or its op type and first output when it has none. */
export function nodeLabel(node: NodeProto): string {
  return node.name || `${node.opType}(${node.output[0] ?? ''})`;
}

/** Adds one to `counts[key]`. */
export function countUp(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** Op types that mean a model is already quantized (default and com.microsoft domains). */
const QUANTIZED_OPS = new Set([
  'QuantizeLinear',
  'DequantizeLinear',
  'DynamicQuantizeLinear',
  'MatMulInteger',
  'ConvInteger',
  'DynamicQuantizeMatMul',
  'MatMulIntegerToFloat',
  'DynamicQuantizeLSTM',
  'QGemm',
  'QAttention',
  'QEmbedLayerNormalization',
  'MatMulNBits',
  'MatMulBnb4',
  'GatherBlockQuantized',
]);

/** Nodes (in any subgraph too) that only a quantized model has: Q/DQ, QLinear…, integer MatMul/Conv, … */
export function findQuantizedNodes(model: ModelProto): NodeProto[] {
  const found: NodeProto[] = [];
  const walk = (g: GraphProto): void => {
    for (const node of g.node) {
      if (QUANTIZED_OPS.has(node.opType) || node.opType.startsWith('QLinear')) found.push(node);
      for (const sub of subgraphsOf(node)) walk(sub);
    }
  };
  if (model.graph) walk(model.graph);
  return found;
}

/**
 * IR versions below 4 require every initializer to be listed as a graph input; new initializers (quantized or
 * float16 weights) are not, so such models move to IR 4, where that listing became optional. Nothing else
 * changed between IR 3 and 4.
 */
export function allowInitializersOutsideInputs(model: ModelProto): void {
  if (model.irVersion < 4n) model.irVersion = 4n;
}
