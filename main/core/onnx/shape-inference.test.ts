import { TensorProto_DataType as DT } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { buildSmallCnn, buildSymbolicBatchModel } from '../../../test/models';
import { attrFloats, createModelBuilder, inferShapes, type DimSpec, type ModelBuilder } from './index';

/** Infers a one-off graph: `declare` adds inputs, initializers and nodes; returns name → shape. */
function shapesOf(declare: (b: ModelBuilder) => ModelBuilder, opset = 13) {
  const model = declare(createModelBuilder({ opset })).build();
  const shapes = inferShapes(model);
  return (name: string) => shapes.get(name)?.shape;
}

const int64s = (b: ModelBuilder, name: string, values: (number | bigint)[]) =>
  b.initializer(
    name,
    DT.INT64,
    [values.length],
    BigInt64Array.from(values, (v) => BigInt(v)),
  );
const floats = (b: ModelBuilder, name: string, values: number[]) =>
  b.initializer(name, DT.FLOAT, [values.length], Float32Array.from(values));
const input = (b: ModelBuilder, name: string, shape: DimSpec[]) => b.input(name, DT.FLOAT, shape);

describe('broadcasting', () => {
  it.each<[DimSpec[], DimSpec[], DimSpec[]]>([
    [
      [2, 1, 4],
      [3, 1],
      [2, 3, 4],
    ],
    [
      ['batch', 1, 4],
      [1, 5, 1],
      ['batch', 5, 4],
    ],
    [['n'], [4], [4]],
    [[], [2, 3], [2, 3]],
    [
      ['a', 3],
      ['a', 1],
      ['a', 3],
    ],
    [['a'], ['b'], [null]],
    [
      [null, 3],
      [1, 3],
      [null, 3],
    ],
  ])('%j + %j → %j', (a, b, expected) => {
    const shape = shapesOf((m) => input(input(m, 'a', a), 'b', b).node('Add', ['a', 'b'], ['y']));
    expect(shape('y')).toEqual(expected);
  });

  it('comparisons give bool; Where takes the type of its values', () => {
    const model = createModelBuilder()
      .input('a', DT.FLOAT, [2, 3])
      .input('b', DT.FLOAT, [3])
      .node('Less', ['a', 'b'], ['lt'])
      .node('Where', ['lt', 'a', 'b'], ['w'])
      .build();
    const shapes = inferShapes(model);
    expect(shapes.get('lt')).toEqual({ elemType: DT.BOOL, shape: [2, 3] });
    expect(shapes.get('w')).toEqual({ elemType: DT.FLOAT, shape: [2, 3] });
  });
});

describe('Reshape', () => {
  it.each<[DimSpec[], number[], DimSpec[]]>([
    [
      [2, 3, 4],
      [0, -1],
      [2, 12],
    ],
    [[2, 3, 4], [-1], [24]],
    [
      [2, 3, 4],
      [0, 0, 2, -1],
      [2, 3, 2, 2],
    ],
    [
      [2, 3, 4],
      [4, -1, 3],
      [4, 2, 3],
    ],
    [
      ['b', 3, 4],
      [0, -1],
      ['b', 12],
    ],
    [
      ['b', 3, 4],
      [-1, 12],
      ['b', 12],
    ],
    [
      ['b', 3, 4],
      [-1, 4],
      [null, 4],
    ],
    [
      [2, 3, 4],
      [6, 4],
      [6, 4],
    ],
  ])('%j with shape %j → %j', (x, target, expected) => {
    const shape = shapesOf((m) => int64s(input(m, 'x', x), 's', target).node('Reshape', ['x', 's'], ['y']));
    expect(shape('y')).toEqual(expected);
  });

  it('allowzero=1 keeps a literal 0 (opset 14)', () => {
    const shape = shapesOf(
      (m) => int64s(input(m, 'x', [0, 3]), 's', [3, 0]).node('Reshape', ['x', 's'], ['y'], { allowzero: 1 }),
      14,
    );
    expect(shape('y')).toEqual([3, 0]);
  });

  it('a shape computed from Shape → Gather → Unsqueeze → Concat carries the symbolic batch', () => {
    const shapes = inferShapes(buildSymbolicBatchModel());
    expect(shapes.get('hr_shape')?.shape).toEqual([2]);
    expect(shapes.get('batch_size')?.shape).toEqual([]);
    expect(shapes.get('flat')?.shape).toEqual(['batch', 8]);
    expect(shapes.get('y')?.shape).toEqual(['batch', 8]);
  });

  it('a shape that is a graph input gives the rank only', () => {
    const shape = shapesOf((m) =>
      input(m, 'x', [2, 3]).input('s', DT.INT64, [3]).node('Reshape', ['x', 's'], ['y']),
    );
    expect(shape('y')).toEqual([null, null, null]);
  });
});

describe('Gemm and MatMul', () => {
  it('Gemm with transB, and with transA', () => {
    const shape = shapesOf((m) =>
      input(input(input(m, 'a', [4, 16]), 'b', [10, 16]), 'at', [16, 4])
        .node('Gemm', ['a', 'b'], ['y'], { transB: 1 })
        .node('Gemm', ['at', 'a'], ['z'], { transA: 1 }),
    );
    expect(shape('y')).toEqual([4, 10]);
    expect(shape('z')).toEqual([4, 16]);
  });

  it.each<[DimSpec[], DimSpec[], DimSpec[]]>([
    [
      [3, 4],
      [4, 5],
      [3, 5],
    ],
    [
      [2, 1, 3, 4],
      [5, 4, 6],
      [2, 5, 3, 6],
    ],
    [
      ['b', 7, 4],
      [4, 6],
      ['b', 7, 6],
    ],
    [[4], [4, 6], [6]],
    [[2, 3, 4], [4], [2, 3]],
    [[4], [4], []],
  ])('MatMul %j × %j → %j', (a, b, expected) => {
    const shape = shapesOf((m) => input(input(m, 'a', a), 'b', b).node('MatMul', ['a', 'b'], ['y']));
    expect(shape('y')).toEqual(expected);
  });
});

describe('Conv and pooling', () => {
  const conv = (x: DimSpec[], w: DimSpec[], attrs: Record<string, number[] | string | number>) =>
    shapesOf((m) => input(input(m, 'x', x), 'w', w).node('Conv', ['x', 'w'], ['y'], attrs))('y');

  it('pads, strides, dilations', () => {
    expect(conv([1, 3, 32, 32], [8, 3, 3, 3], { pads: [1, 1, 1, 1] })).toEqual([1, 8, 32, 32]);
    expect(conv([1, 3, 32, 32], [8, 3, 3, 3], { strides: [2, 2] })).toEqual([1, 8, 15, 15]);
    expect(conv([1, 3, 7, 5], [2, 3, 3, 3], { strides: [2, 2], pads: [1, 0, 1, 0] })).toEqual([1, 2, 4, 2]);
    expect(conv([1, 3, 32, 32], [8, 3, 3, 3], { dilations: [2, 2] })).toEqual([1, 8, 28, 28]);
    expect(conv([1, 3, 10], [4, 3, 3], { pads: [2, 0], strides: [3] })).toEqual([1, 4, 4]);
  });

  it('auto_pad SAME_UPPER / SAME_LOWER / VALID', () => {
    expect(conv([1, 3, 15, 15], [8, 3, 3, 3], { auto_pad: 'SAME_UPPER', strides: [2, 2] })).toEqual([
      1, 8, 8, 8,
    ]);
    expect(conv([1, 3, 15, 16], [8, 3, 4, 4], { auto_pad: 'SAME_LOWER' })).toEqual([1, 8, 15, 16]);
    expect(conv([1, 3, 15, 15], [8, 3, 3, 3], { auto_pad: 'VALID', strides: [2, 2] })).toEqual([1, 8, 7, 7]);
  });

  it('groups take output channels from the weight; kernel_shape attribute wins', () => {
    expect(conv([1, 8, 16, 16], [8, 1, 3, 3], { group: 8, pads: [1, 1, 1, 1] })).toEqual([1, 8, 16, 16]);
    expect(conv([1, 3, 16, 16], [4, 3, 5, 5], { kernel_shape: [5, 5] })).toEqual([1, 4, 12, 12]);
  });

  it('symbolic batch is carried; symbolic spatial dims survive only size-preserving windows', () => {
    expect(conv(['N', 3, 32, 32], [8, 3, 3, 3], { strides: [2, 2], pads: [1, 1, 1, 1] })).toEqual([
      'N',
      8,
      16,
      16,
    ]);
    expect(conv(['N', 3, 'H', 'W'], [8, 3, 3, 3], { pads: [1, 1, 1, 1] })).toEqual(['N', 8, 'H', 'W']);
    expect(conv(['N', 3, 'H', 'W'], [8, 3, 3, 3], { auto_pad: 'SAME_UPPER' })).toEqual(['N', 8, 'H', 'W']);
    expect(conv(['N', 3, 'H', 'W'], [8, 3, 3, 3], { strides: [2, 2] })).toEqual(['N', 8, null, null]);
  });

  it('MaxPool with ceil_mode, AveragePool, global pooling', () => {
    const shape = shapesOf((m) =>
      input(m, 'x', [1, 4, 7, 7])
        .node('MaxPool', ['x'], ['floor'], { kernel_shape: [2, 2], strides: [2, 2] })
        .node('MaxPool', ['x'], ['ceil', 'idx'], { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 })
        .node('AveragePool', ['x'], ['avg'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2] })
        .node('GlobalAveragePool', ['x'], ['gap']),
    );
    expect(shape('floor')).toEqual([1, 4, 3, 3]);
    expect(shape('ceil')).toEqual([1, 4, 4, 4]);
    expect(shape('idx')).toEqual([1, 4, 4, 4]);
    expect(shape('avg')).toEqual([1, 4, 4, 4]);
    expect(shape('gap')).toEqual([1, 4, 1, 1]);
  });

  it('ConvTranspose: strides and pads, output_padding, output_shape, groups', () => {
    const shape = shapesOf((m) =>
      input(input(input(m, 'x', [1, 2, 3, 3]), 'w', [2, 4, 3, 3]), 'wg', [2, 3, 3, 3])
        .node('ConvTranspose', ['x', 'w'], ['plain'])
        .node('ConvTranspose', ['x', 'w'], ['strided'], { strides: [3, 2], pads: [1, 2, 1, 2] })
        .node('ConvTranspose', ['x', 'w'], ['outpad'], { strides: [3, 2], output_padding: [1, 1] })
        .node('ConvTranspose', ['x', 'w'], ['fixed'], { strides: [3, 2], output_shape: [10, 8] })
        .node('ConvTranspose', ['x', 'wg'], ['grouped'], { group: 2 }),
    );
    expect(shape('plain')).toEqual([1, 4, 5, 5]);
    expect(shape('strided')).toEqual([1, 4, 7, 3]);
    expect(shape('outpad')).toEqual([1, 4, 10, 8]);
    expect(shape('fixed')).toEqual([1, 4, 10, 8]);
    expect(shape('grouped')).toEqual([1, 6, 5, 5]);
  });
});

describe('shape manipulation', () => {
  it('Flatten, Transpose, Concat', () => {
    const shape = shapesOf((m) =>
      input(input(m, 'x', ['b', 3, 4, 5]), 'z', ['b', 2, 4, 5])
        .node('Flatten', ['x'], ['f1'])
        .node('Flatten', ['x'], ['f0'], { axis: 0 })
        .node('Flatten', ['x'], ['f2'], { axis: -2 })
        .node('Transpose', ['x'], ['t'], { perm: [0, 2, 3, 1] })
        .node('Transpose', ['x'], ['rev'])
        .node('Concat', ['x', 'z'], ['c'], { axis: 1 })
        .node('Concat', ['x', 'x'], ['c_last'], { axis: -1 }),
    );
    expect(shape('f1')).toEqual(['b', 60]);
    expect(shape('f0')).toEqual([1, null]);
    expect(shape('f2')).toEqual([null, 20]);
    expect(shape('t')).toEqual(['b', 4, 5, 3]);
    expect(shape('rev')).toEqual([5, 4, 3, 'b']);
    expect(shape('c')).toEqual(['b', 5, 4, 5]);
    expect(shape('c_last')).toEqual(['b', 3, 4, 10]);
  });

  it('Squeeze / Unsqueeze: axes attribute before opset 13, input from 13', () => {
    const v11 = shapesOf(
      (m) =>
        input(m, 'x', [1, 3, 1, 5])
          .node('Squeeze', ['x'], ['s'], { axes: [0, -2] })
          .node('Squeeze', ['x'], ['all'])
          .node('Unsqueeze', ['x'], ['u'], { axes: [0, -1] }),
      11,
    );
    expect(v11('s')).toEqual([3, 5]);
    expect(v11('all')).toEqual([3, 5]);
    expect(v11('u')).toEqual([1, 1, 3, 1, 5, 1]);
    const v13 = shapesOf((m) =>
      int64s(int64s(input(m, 'x', [1, 3, 1, 5]), 'sq', [2]), 'us', [1, 3])
        .node('Squeeze', ['x', 'sq'], ['s'])
        .node('Unsqueeze', ['x', 'us'], ['u']),
    );
    expect(v13('s')).toEqual([1, 3, 5]);
    expect(v13('u')).toEqual([1, 1, 3, 1, 1, 5]);
  });

  it('Gather, Shape (with start/end at opset 15), Size', () => {
    const shape = shapesOf(
      (m) =>
        input(m, 'x', ['b', 6, 7])
          .input('idx', DT.INT64, [2, 3])
          .node('Gather', ['x', 'idx'], ['g'], { axis: 1 })
          .node('Shape', ['x'], ['s'])
          .node('Shape', ['x'], ['s_tail'], { start: 1 })
          .node('Size', ['x'], ['n']),
      15,
    );
    expect(shape('g')).toEqual(['b', 2, 3, 7]);
    expect(shape('s')).toEqual([3]);
    expect(shape('s_tail')).toEqual([2]);
    expect(shape('n')).toEqual([]);
  });

  it('Slice with constant starts/ends/axes/steps, negatives and INT64_MAX', () => {
    const shape = shapesOf((m) => {
      input(m, 'x', [20, 10, 5, 'b']);
      int64s(m, 'starts', [0, -7, 1]);
      int64s(m, 'ends', [3, 2n ** 63n - 1n, 1000]);
      int64s(m, 'axes', [0, 1, -2]);
      int64s(m, 'steps', [1, 2, 1]);
      int64s(m, 'rev_s', [-1]);
      int64s(m, 'rev_e', [-(2n ** 63n) + 1n]);
      int64s(m, 'rev_axes', [0]);
      int64s(m, 'rev_step', [-1]);
      return m
        .node('Slice', ['x', 'starts', 'ends', 'axes', 'steps'], ['y'])
        .node('Slice', ['x', 'rev_s', 'rev_e', 'rev_axes', 'rev_step'], ['rev']);
    });
    expect(shape('y')).toEqual([3, 4, 4, 'b']);
    expect(shape('rev')).toEqual([20, 10, 5, 'b']);
  });

  it('Split: equal parts, explicit parts (input at 13, attribute before)', () => {
    const v13 = shapesOf((m) =>
      int64s(input(m, 'x', [2, 10]), 'parts', [3, 7])
        .node('Split', ['x'], ['a', 'b'], { axis: 1 })
        .node('Split', ['x', 'parts'], ['c', 'd'], { axis: 1 }),
    );
    expect([v13('a'), v13('b'), v13('c'), v13('d')]).toEqual([
      [2, 5],
      [2, 5],
      [2, 3],
      [2, 7],
    ]);
    const v11 = shapesOf(
      (m) => input(m, 'x', [2, 10]).node('Split', ['x'], ['c', 'd'], { axis: 1, split: [4, 6] }),
      11,
    );
    expect([v11('c'), v11('d')]).toEqual([
      [2, 4],
      [2, 6],
    ]);
  });

  it('Pad, Expand, Tile with constant inputs', () => {
    const shape = shapesOf((m) => {
      input(m, 'x', ['b', 3, 4]);
      int64s(m, 'pads', [0, 1, 2, 0, 1, 3]);
      int64s(m, 'target', [2, 1, 3, 1]);
      int64s(m, 'reps', [1, 2, 3]);
      return m
        .node('Pad', ['x', 'pads'], ['p'])
        .node('Expand', ['x', 'target'], ['e'])
        .node('Tile', ['x', 'reps'], ['t']);
    });
    expect(shape('p')).toEqual(['b', 5, 9]);
    expect(shape('e')).toEqual([2, 'b', 3, 4]);
    expect(shape('t')).toEqual(['b', 6, 12]);
  });

  it('Resize with scales or sizes; Upsample (opset 9)', () => {
    const shape = shapesOf((m) => {
      input(m, 'x', ['b', 3, 8, 8]);
      floats(m, 'scales', [1, 1, 2, 1.5]);
      int64s(m, 'sizes', [1, 3, 5, 7]);
      floats(m, 'no_scales', []);
      return m
        .node('Resize', ['x', '', 'scales'], ['by_scale'], { mode: 'nearest' })
        .node('Resize', ['x', '', 'no_scales', 'sizes'], ['by_size']);
    });
    expect(shape('by_scale')).toEqual(['b', 3, 16, 12]);
    expect(shape('by_size')).toEqual([1, 3, 5, 7]);
    const v9 = shapesOf(
      (m) => floats(input(m, 'x', [1, 2, 4, 4]), 's', [1, 1, 2, 2]).node('Upsample', ['x', 's'], ['u']),
      9,
    );
    expect(v9('u')).toEqual([1, 2, 8, 8]);
    const v7 = shapesOf(
      (m) => input(m, 'x', [1, 2, 4, 4]).node('Upsample', ['x'], ['u'], { scales: attrFloats([1, 1, 3, 3]) }),
      7,
    );
    expect(v7('u')).toEqual([1, 2, 12, 12]);
  });
});

describe('reductions, normalization, types', () => {
  it('ReduceMean (axes attribute), ReduceSum (axes input at 13), keepdims, noop_with_empty_axes', () => {
    const shape = shapesOf((m) =>
      int64s(input(m, 'x', ['b', 3, 4, 5]), 'axes', [-1, 1])
        .node('ReduceMean', ['x'], ['mean'], { axes: [2, 3] })
        .node('ReduceMean', ['x'], ['mean_flat'], { axes: [1], keepdims: 0 })
        .node('ReduceMean', ['x'], ['mean_all'], { keepdims: 0 })
        .node('ReduceSum', ['x', 'axes'], ['sum'])
        .node('ReduceSum', ['x'], ['noop'], { noop_with_empty_axes: 1 }),
    );
    expect(shape('mean')).toEqual(['b', 3, 1, 1]);
    expect(shape('mean_flat')).toEqual(['b', 4, 5]);
    expect(shape('mean_all')).toEqual([]);
    expect(shape('sum')).toEqual(['b', 1, 4, 1]);
    expect(shape('noop')).toEqual(['b', 3, 4, 5]);
  });

  it('LayerNormalization, BatchNormalization, Softmax, Cast', () => {
    const model = createModelBuilder({ opset: 17 })
      .input('x', DT.FLOAT16, ['b', 10, 64])
      .input('s', DT.FLOAT16, [64])
      .node('LayerNormalization', ['x', 's'], ['ln', 'mean', 'inv'], { axis: -1 })
      .node('Softmax', ['ln'], ['sm'], { axis: -1 })
      .node('Cast', ['sm'], ['f32'], { to: DT.FLOAT })
      .build();
    const shapes = inferShapes(model);
    expect(shapes.get('ln')).toEqual({ elemType: DT.FLOAT16, shape: ['b', 10, 64] });
    expect(shapes.get('mean')).toEqual({ elemType: DT.FLOAT, shape: ['b', 10, 1] });
    expect(shapes.get('f32')).toEqual({ elemType: DT.FLOAT, shape: ['b', 10, 64] });
  });

  it('the small CNN end to end', () => {
    const shapes = inferShapes(buildSmallCnn());
    expect(shapes.get('conv1')?.shape).toEqual([1, 8, 32, 32]);
    expect(shapes.get('pool1')?.shape).toEqual([1, 8, 16, 16]);
    expect(shapes.get('gap')?.shape).toEqual([1, 16, 1, 1]);
    expect(shapes.get('flat')?.shape).toEqual([1, 16]);
    expect(shapes.get('logits')).toEqual({ elemType: DT.FLOAT, shape: [1, 10] });
  });
});

describe('unknown operators', () => {
  it('give unknown shapes, unless value_info declares them; Einsum is skipped', () => {
    const model = createModelBuilder()
      .opset('com.microsoft', 1)
      .input('x', DT.FLOAT, [2, 3])
      .valueInfo('declared', DT.FLOAT, [2, 'k'])
      .node('Mystery', ['x'], ['unknown'], {}, { domain: 'com.microsoft' })
      .node('Mystery', ['x'], ['declared'], {}, { domain: 'com.microsoft' })
      .node('Einsum', ['x', 'x'], ['e'], { equation: 'ij,ij->i' })
      .node('Relu', ['unknown'], ['after'])
      .node('Relu', ['declared'], ['after_declared'])
      .build();
    const shapes = inferShapes(model);
    expect(shapes.get('unknown')).toEqual({ elemType: 0, shape: null });
    expect(shapes.get('declared')).toEqual({ elemType: DT.FLOAT, shape: [2, 'k'] });
    expect(shapes.get('e')?.shape).toBeNull();
    expect(shapes.get('after')?.shape).toBeNull();
    expect(shapes.get('after_declared')?.shape).toEqual([2, 'k']);
  });

  it('a graph with a cycle still gets shapes in file order (no throw)', () => {
    const model = createModelBuilder()
      .input('x', DT.FLOAT, [2])
      .node('Add', ['x', 'b'], ['a'])
      .node('Relu', ['a'], ['b'])
      .build();
    expect(() => inferShapes(model)).not.toThrow();
  });
});
