import { TensorProto_DataType as DT, type NodeProto } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import { buildMlp, buildSmallCnn } from '../../../test/models';
import {
  consumerMap,
  createModelBuilder,
  getAttrFloat,
  getAttrInt,
  getAttrInts,
  getAttrString,
  getAttrTensor,
  initializerMap,
  outerScopeNames,
  producerMap,
  topologicalOrder,
  typedArrayToTensor,
} from './index';

const names = (nodes: readonly NodeProto[]) => nodes.map((n) => n.name);

function errorOf(f: () => unknown): AppError {
  try {
    f();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('nothing thrown');
}

describe('maps', () => {
  it('initializers, producers and consumers of the MLP', () => {
    const graph = buildMlp().graph!;
    expect([...initializerMap(graph).keys()]).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);
    expect(producerMap(graph).get('h1r')?.opType).toBe('Relu');
    expect(producerMap(graph).get('x')).toBeUndefined();
    expect(
      consumerMap(graph)
        .get('x')
        ?.map((n) => n.opType),
    ).toEqual(['MatMul']);
    expect(consumerMap(graph).get('y')).toBeUndefined();
  });

  it('a node reading a tensor twice is listed once; subgraphs reading the outer scope count', () => {
    const branch = createModelBuilder({ graphName: 'then' })
      .output('t', DT.FLOAT, [1])
      .node('Add', ['sq', 'x'], ['t'])
      .buildGraph();
    const graph = createModelBuilder()
      .input('x', DT.FLOAT, [1])
      .input('c', DT.BOOL, [])
      .node('Mul', ['x', 'x'], ['sq'], {}, { name: 'square' })
      .node('If', ['c'], ['y'], { then_branch: branch, else_branch: branch }, { name: 'if' })
      .buildGraph();
    const consumers = consumerMap(graph);
    expect(names(consumers.get('x')!)).toEqual(['square', 'if']);
    expect(names(consumers.get('sq')!)).toEqual(['if']);
    expect(outerScopeNames(branch).sort()).toEqual(['sq', 'x']);
  });
});

describe('topologicalOrder', () => {
  it('keeps an already sorted graph as it is', () => {
    const graph = buildSmallCnn().graph!;
    expect(topologicalOrder(graph)).toEqual(graph.node);
  });

  it('sorts a shuffled graph, keeping file order among independent nodes', () => {
    const graph = createModelBuilder()
      .input('x', DT.FLOAT, [1])
      .node('Relu', ['b'], ['c'], {}, { name: 'n3' })
      .node('Neg', ['x'], ['a'], {}, { name: 'n1' })
      .node('Abs', ['x'], ['z'], {}, { name: 'n0' })
      .node('Exp', ['a'], ['b'], {}, { name: 'n2' })
      .buildGraph();
    expect(names(topologicalOrder(graph))).toEqual(['n1', 'n0', 'n2', 'n3']);
  });

  it('orders an If node after the producers of what its branches read', () => {
    const branch = createModelBuilder({ graphName: 'b' })
      .output('v', DT.FLOAT, [1])
      .node('Identity', ['late'], ['v'])
      .buildGraph();
    const graph = createModelBuilder()
      .input('x', DT.FLOAT, [1])
      .input('c', DT.BOOL, [])
      .node('If', ['c'], ['y'], { then_branch: branch, else_branch: branch }, { name: 'if' })
      .node('Neg', ['x'], ['late'], {}, { name: 'producer' })
      .buildGraph();
    expect(names(topologicalOrder(graph))).toEqual(['producer', 'if']);
  });

  it('counts initializers, graph inputs and given outer-scope names as available', () => {
    const graph = createModelBuilder()
      .node('Add', ['outer', 'w'], ['y'])
      .initializer('w', DT.FLOAT, [1], new Float32Array(1))
      .buildGraph();
    expect(errorOf(() => topologicalOrder(graph)).message).toContain("'outer'");
    expect(topologicalOrder(graph, ['outer'])).toHaveLength(1);
  });

  it('throws MODEL_INVALID on a cycle, naming its nodes', () => {
    const graph = createModelBuilder()
      .input('x', DT.FLOAT, [1])
      .node('Add', ['x', 'b'], ['a'], {}, { name: 'first' })
      .node('Relu', ['a'], ['b'], {}, { name: 'second' })
      .buildGraph();
    const err = errorOf(() => topologicalOrder(graph));
    expect(err.code).toBe('MODEL_INVALID');
    expect(err.message).toContain('cycle');
    expect(err.message).toContain("'first'");
  });

  it('throws MODEL_INVALID when two nodes write one tensor', () => {
    const graph = createModelBuilder()
      .input('x', DT.FLOAT, [1])
      .node('Relu', ['x'], ['y'])
      .node('Neg', ['x'], ['y'])
      .buildGraph();
    expect(errorOf(() => topologicalOrder(graph)).code).toBe('MODEL_INVALID');
  });
});

describe('attributes (builder ↔ getters)', () => {
  const weight = typedArrayToTensor('w', DT.FLOAT, [1], new Float32Array([2]));
  const node = createModelBuilder()
    .node('Thing', [], ['y'], { i: 3, f: 0.5, ints: [1, -2], floats: [0.5, 1], s: 'NOTSET', t: weight })
    .build().graph!.node[0]!;

  it('reads ints, floats, strings and tensors with fallbacks', () => {
    expect(getAttrInt(node, 'i')).toBe(3);
    expect(getAttrInt(node, 'missing', 7)).toBe(7);
    expect(getAttrInt(node, 'missing')).toBeUndefined();
    expect(getAttrFloat(node, 'f')).toBe(0.5);
    expect(getAttrInts(node, 'ints')).toEqual([1, -2]);
    expect(getAttrString(node, 's')).toBe('NOTSET');
    expect(getAttrString(node, 'missing', 'x')).toBe('x');
    expect(getAttrTensor(node, 't')?.name).toBe('w');
    expect(node.name).toBe('Thing_0');
  });
});
