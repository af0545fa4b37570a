import type { AttributeProto, GraphProto, NodeProto, TensorProto } from 'onnx-buf';
import { AppError } from '../../../shared/errors';

export function initializerMap(graph: GraphProto): Map<string, TensorProto> {
  return new Map(graph.initializer.map((t) => [t.name, t]));
}

/** Tensor name → the node that writes it. */
export function producerMap(graph: GraphProto): Map<string, NodeProto> {
  const map = new Map<string, NodeProto>();
  for (const node of graph.node) for (const out of node.output) if (out !== '') map.set(out, node);
  return map;
}

/**
 * Tensor name → nodes that read it, each node once, in graph order. A node counts as a reader when one of
 * its subgraphs (If/Loop/Scan bodies) reads the tensor from the outer scope: removing or renaming the
 * tensor would break it just the same.
 */
export function consumerMap(graph: GraphProto): Map<string, NodeProto[]> {
  const map = new Map<string, NodeProto[]>();
  for (const node of graph.node) {
    for (const name of new Set(nodeDependencies(node))) {
      const list = map.get(name);
      if (list) list.push(node);
      else map.set(name, [node]);
    }
  }
  return map;
}

/** Names a node needs: its inputs plus outer-scope names its subgraphs read ('' = absent optional input). */
export function nodeDependencies(node: NodeProto): string[] {
  const deps = node.input.filter((n) => n !== '');
  for (const g of subgraphsOf(node)) deps.push(...outerScopeNames(g));
  return deps;
}

export function subgraphsOf(node: NodeProto): GraphProto[] {
  const graphs: GraphProto[] = [];
  for (const attr of node.attribute) {
    if (attr.g) graphs.push(attr.g);
    graphs.push(...attr.graphs);
  }
  return graphs;
}

/** Names a graph reads but does not define itself (neither input, initializer nor node output). */
export function outerScopeNames(graph: GraphProto): string[] {
  const defined = new Set<string>([
    ...graph.input.map((v) => v.name),
    ...graph.initializer.map((t) => t.name),
    ...graph.sparseInitializer.map((s) => s.values?.name ?? ''),
  ]);
  for (const node of graph.node) for (const out of node.output) defined.add(out);
  const outer = new Set<string>();
  for (const node of graph.node) {
    for (const name of nodeDependencies(node)) if (!defined.has(name)) outer.add(name);
  }
  for (const out of graph.output) if (!defined.has(out.name)) outer.add(out.name);
  return [...outer];
}

/**
 * The graph's nodes in an order where every node comes after the producers of what it reads. Keeps the
 * file's order wherever that is already valid. Graph inputs, initializers and `outerScope` names (for a
 * subgraph: what the enclosing graphs define) count as available.
 * Throws MODEL_INVALID on a cycle, on a tensor written by two nodes, or on a read of a tensor nothing provides.
 */
export function topologicalOrder(graph: GraphProto, outerScope: Iterable<string> = []): NodeProto[] {
  const available = new Set<string>([
    ...outerScope,
    ...graph.input.map((v) => v.name),
    ...graph.initializer.map((t) => t.name),
    ...graph.sparseInitializer.map((s) => s.values?.name ?? ''),
  ]);
  const producerIndex = new Map<string, number>();
  graph.node.forEach((node, i) => {
    for (const out of node.output) {
      if (out === '') continue;
      if (producerIndex.has(out)) {
        throw new AppError(
          'MODEL_INVALID',
          `Tensor '${out}' is written by two nodes ('${graph.node[producerIndex.get(out) ?? 0]?.name}' and ` +
            `'${node.name}'): ONNX allows one writer per tensor. Export the model again.`,
        );
      }
      producerIndex.set(out, i);
    }
  });

  const pending = graph.node.map(() => 0);
  const dependents: number[][] = graph.node.map(() => []);
  graph.node.forEach((node, i) => {
    for (const name of new Set(nodeDependencies(node))) {
      const p = producerIndex.get(name);
      if (p !== undefined) {
        pending[i]!++;
        dependents[p]!.push(i);
      } else if (!available.has(name)) {
        throw new AppError(
          'MODEL_INVALID',
          `Node '${node.name || node.opType}' (${node.opType}) reads tensor '${name}', which no node, graph ` +
            'input or initializer provides: the model is incomplete. Export it again.',
          { node: node.name, tensor: name },
        );
      }
    }
  });

  const ready = new MinHeap();
  pending.forEach((n, i) => n === 0 && ready.push(i));
  const order: NodeProto[] = [];
  for (let i = ready.pop(); i !== undefined; i = ready.pop()) {
    order.push(graph.node[i]!);
    for (const d of dependents[i]!) if (--pending[d]! === 0) ready.push(d);
  }
  if (order.length < graph.node.length) {
    const stuck = graph.node.filter((_, i) => pending[i]! > 0).map((n) => `'${n.name || n.opType}'`);
    throw new AppError(
      'MODEL_INVALID',
      `The graph has a cycle through ${stuck.length} node(s) (${stuck.slice(0, 5).join(', ')}` +
        `${stuck.length > 5 ? ', …' : ''}): ONNX graphs must be acyclic. Export the model again.`,
      { nodes: stuck.length },
    );
  }
  return order;
}

/** Smallest index first: keeps the original order among ready nodes. */
class MinHeap {
  private readonly items: number[] = [];

  push(v: number): void {
    const a = this.items;
    a.push(v);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]! <= v) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = v;
  }

  pop(): number | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= a.length) break;
      const r = l + 1;
      const c = r < a.length && a[r]! < a[l]! ? r : l;
      if (a[c]! >= last) break;
      a[i] = a[c]!;
      i = c;
    }
    a[i] = last;
    return top;
  }
}

// Attribute readers. Ints come back as numbers (Number() of int64: exact up to 2^53, enough for shapes,
// axes and flags; INT64_MAX in Slice ends becomes 2^63, which still compares as "past the end").

export function getAttr(node: NodeProto, name: string): AttributeProto | undefined {
  return node.attribute.find((a) => a.name === name);
}

export function getAttrInt(node: NodeProto, name: string): number | undefined;
export function getAttrInt(node: NodeProto, name: string, fallback: number): number;
export function getAttrInt(node: NodeProto, name: string, fallback?: number): number | undefined {
  const a = getAttr(node, name);
  return a ? Number(a.i) : fallback;
}

export function getAttrInts(node: NodeProto, name: string): number[] | undefined {
  const a = getAttr(node, name);
  return a ? a.ints.map((v) => Number(v)) : undefined;
}

export function getAttrFloat(node: NodeProto, name: string): number | undefined;
export function getAttrFloat(node: NodeProto, name: string, fallback: number): number;
export function getAttrFloat(node: NodeProto, name: string, fallback?: number): number | undefined {
  const a = getAttr(node, name);
  return a ? a.f : fallback;
}

export function getAttrFloats(node: NodeProto, name: string): number[] | undefined {
  return getAttr(node, name)?.floats;
}

const utf8 = new TextDecoder();

export function getAttrString(node: NodeProto, name: string): string | undefined;
export function getAttrString(node: NodeProto, name: string, fallback: string): string;
export function getAttrString(node: NodeProto, name: string, fallback?: string): string | undefined {
  const a = getAttr(node, name);
  return a ? utf8.decode(a.s) : fallback;
}

export function getAttrStrings(node: NodeProto, name: string): string[] | undefined {
  return getAttr(node, name)?.strings.map((s) => utf8.decode(s));
}

export function getAttrTensor(node: NodeProto, name: string): TensorProto | undefined {
  return getAttr(node, name)?.t;
}

export function getAttrGraph(node: NodeProto, name: string): GraphProto | undefined {
  return getAttr(node, name)?.g;
}
