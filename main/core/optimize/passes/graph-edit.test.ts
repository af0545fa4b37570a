import { TensorProto_DataType as DT } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { createModelBuilder, decodeModel, encodeModel, makeNode, typedArrayToTensor } from '../../onnx';
import { buildMlp } from '../../../../test/models';
import {
  constantTensors,
  createNameScope,
  findQuantizedNodes,
  isExcluded,
  readFloat32,
  removeUnusedConstants,
  requireOpset,
  opsetVersion,
  sortGraph,
} from './graph-edit';

function model() {
  return createModelBuilder({ opset: 13 })
    .input('x', DT.FLOAT, [2])
    .input('w_override', DT.FLOAT, [2])
    .output('y', DT.FLOAT, [2])
    .initializer('w', DT.FLOAT, [2], Float32Array.of(1, 2))
    .initializer('w_override', DT.FLOAT, [2], Float32Array.of(3, 4))
    .initializer('unused', DT.FLOAT, [1], Float32Array.of(5))
    .node(
      'Constant',
      [],
      ['c'],
      { value: typedArrayToTensor('c', DT.FLOAT, [2], Float32Array.of(6, 7)) },
      { name: 'const' },
    )
    .node('Add', ['x', 'w'], ['a'], {}, { name: 'add' })
    .node('Mul', ['a', 'c'], ['m'], {}, { name: 'mul' })
    .node('Add', ['m', 'w_override'], ['y'], {}, { name: 'add_1' })
    .build();
}

describe('graph-edit', () => {
  it('makes names that collide with no tensor or node', () => {
    const names = createNameScope(model().graph!);
    expect(names.unique('fresh')).toBe('fresh');
    expect(names.unique('fresh')).toBe('fresh_1');
    expect(names.unique('add')).toBe('add_2'); // 'add' and 'add_1' are node names
    expect(names.unique('w')).toBe('w_1');
    expect(names.has('c')).toBe(true);
  });

  it('finds constants in initializers (listed as inputs or not) and Constant nodes', () => {
    const consts = constantTensors(model().graph!);
    expect([...consts.keys()].sort()).toEqual(['c', 'unused', 'w', 'w_override']);
    expect(consts.get('c')?.kind).toBe('constant-node');
    expect([...readFloat32(consts.get('c')!.tensor)]).toEqual([6, 7]);
  });

  it('reads float32 data from a decoded Node Buffer without reading the neighbours', () => {
    // decodeModel on a Buffer gives raw_data views into one shared buffer.
    const decoded = decodeModel(Buffer.from(encodeModel(buildMlp())));
    const bias = decoded.graph!.initializer.find((t) => t.name === 'fc2.bias')!;
    const values = readFloat32(bias);
    expect(values).toHaveLength(10);
    const fromFresh = buildMlp().graph!.initializer.find((t) => t.name === 'fc2.bias')!;
    expect(values).toEqual(readFloat32(fromFresh));
  });

  it('removes only the constants it is given that nothing reads', () => {
    const g = model().graph!;
    g.node = g.node.filter((n) => n.name !== 'mul');
    g.node.push(makeNode('Identity', ['a'], ['m']));
    const removed = removeUnusedConstants(g, ['c', 'w', 'unused']);
    expect(removed.sort()).toEqual(['c', 'unused']);
    expect(g.node.some((n) => n.opType === 'Constant')).toBe(false);
    expect(g.initializer.map((t) => t.name).sort()).toEqual(['w', 'w_override']);
  });

  it('re-sorts nodes appended out of order', () => {
    const g = model().graph!;
    g.node.reverse();
    sortGraph(g);
    expect(g.node.map((n) => n.name)).toEqual(['add', 'const', 'mul', 'add_1']);
  });

  it('finds quantized nodes, also inside subgraphs', () => {
    const body = createModelBuilder()
      .output('o', DT.INT8, [1])
      .node('QuantizeLinear', ['h', 's'], ['o'])
      .buildGraph();
    const m = model();
    expect(findQuantizedNodes(m)).toEqual([]);
    m.graph!.node.push(makeNode('If', ['flag'], ['z'], { then_branch: body, else_branch: body }));
    expect(findQuantizedNodes(m).map((n) => n.opType)).toEqual(['QuantizeLinear', 'QuantizeLinear']);
  });

  it('matches exclude entries by op type, node name or produced tensor; raises opset imports', () => {
    const m = model();
    const add = m.graph!.node.find((n) => n.name === 'add')!;
    expect(isExcluded(add, ['Add'])).toBe(true);
    expect(isExcluded(add, ['add'])).toBe(true);
    expect(isExcluded(add, [add.output[0]!])).toBe(true);
    expect(isExcluded(add, [])).toBe(false);
    expect(isExcluded(add, ['Mul', 'mul'])).toBe(false);
    requireOpset(m, '', 11);
    expect(opsetVersion(m)).toBe(13);
    requireOpset(m, 'com.microsoft', 1);
    expect(opsetVersion(m, 'com.microsoft')).toBe(1);
  });
});
