import type {
  AttributeProto,
  GraphProto,
  ModelProto,
  NodeProto,
  SparseTensorProto,
  TensorProto,
} from 'onnx-buf';

/** Where a tensor sits, for messages ("initializer 'w'", "attribute 'value' of Constant node 'c'"). */
export type TensorSite = {
  kind: 'initializer' | 'sparse-initializer' | 'attribute';
  /** The node holding the attribute (kind 'attribute'). */
  node?: NodeProto;
  /** Nesting: 'main graph', "subgraph 'then_branch' of node 'if1'", "function 'f'", … */
  scope: string;
};

export type TensorVisitor = (tensor: TensorProto, site: TensorSite) => void;

/**
 * Calls `visit` for every TensorProto the model holds: initializers and sparse initializers of the main
 * graph and of every subgraph (If/Loop/Scan bodies), tensors in node attributes (Constant's value, …),
 * tensors inside model-local functions and training graphs. The order is deterministic (depth first, in
 * file order), so two walks over a model and its clone visit corresponding tensors in step.
 */
export function forEachTensor(model: ModelProto, visit: TensorVisitor): void {
  if (model.graph) walkGraph(model.graph, 'main graph', visit);
  for (const f of model.functions) {
    for (const node of f.node) walkNode(node, `function '${f.name}'`, visit);
    for (const attr of f.attributeProto) walkAttribute(attr, undefined, `function '${f.name}'`, visit);
  }
  model.trainingInfo.forEach((info, i) => {
    if (info.initialization) walkGraph(info.initialization, `training initialization ${i}`, visit);
    if (info.algorithm) walkGraph(info.algorithm, `training algorithm ${i}`, visit);
  });
}

/** Same as forEachTensor for one graph and everything nested in it. */
export function forEachTensorInGraph(graph: GraphProto, scope: string, visit: TensorVisitor): void {
  walkGraph(graph, scope, visit);
}

function walkGraph(graph: GraphProto, scope: string, visit: TensorVisitor): void {
  for (const t of graph.initializer) visit(t, { kind: 'initializer', scope });
  for (const s of graph.sparseInitializer) walkSparse(s, { kind: 'sparse-initializer', scope }, visit);
  for (const node of graph.node) walkNode(node, scope, visit);
}

function walkNode(node: NodeProto, scope: string, visit: TensorVisitor): void {
  for (const attr of node.attribute) walkAttribute(attr, node, scope, visit);
}

function walkAttribute(
  attr: AttributeProto,
  node: NodeProto | undefined,
  scope: string,
  visit: TensorVisitor,
): void {
  const site: TensorSite = node ? { kind: 'attribute', node, scope } : { kind: 'attribute', scope };
  if (attr.t) visit(attr.t, site);
  for (const t of attr.tensors) visit(t, site);
  if (attr.sparseTensor) walkSparse(attr.sparseTensor, site, visit);
  for (const s of attr.sparseTensors) walkSparse(s, site, visit);
  const owner = node ? `node '${node.name || node.opType}'` : 'a function attribute';
  if (attr.g) walkGraph(attr.g, `subgraph '${attr.name}' of ${owner}`, visit);
  attr.graphs.forEach((g, i) => walkGraph(g, `subgraph '${attr.name}[${i}]' of ${owner}`, visit));
}

function walkSparse(s: SparseTensorProto, site: TensorSite, visit: TensorVisitor): void {
  if (s.values) visit(s.values, site);
  if (s.indices) visit(s.indices, site);
}

/** Every graph in the model: the main graph first, then subgraphs depth first. */
export function forEachGraph(
  graph: GraphProto,
  visit: (g: GraphProto, depth: number) => void,
  depth = 0,
): void {
  visit(graph, depth);
  for (const node of graph.node) {
    for (const attr of node.attribute) {
      if (attr.g) forEachGraph(attr.g, visit, depth + 1);
      for (const g of attr.graphs) forEachGraph(g, visit, depth + 1);
    }
  }
}

/** Human-readable name of a tensor's site for error messages. */
export function describeTensorSite(tensor: TensorProto, site: TensorSite): string {
  const name = tensor.name ? `'${tensor.name}'` : '(unnamed)';
  switch (site.kind) {
    case 'initializer':
      return `initializer ${name} (${site.scope})`;
    case 'sparse-initializer':
      return `sparse initializer ${name} (${site.scope})`;
    case 'attribute': {
      const node = site.node ? `${site.node.opType} node '${site.node.name}'` : 'a function attribute';
      return `tensor ${name} in ${node} (${site.scope})`;
    }
  }
}
