import { AttributeProto_AttributeType as AttrType, TensorProto_DataType as DT } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import {
  attrFloat,
  attrFloats,
  attrInt,
  attrInts,
  createModelBuilder,
  makeAttribute,
  typedArrayToTensor,
  valueShapeFromType,
} from './index';

describe('makeAttribute', () => {
  it.each([
    ['integer number', 3, AttrType.INT],
    ['fractional number', 0.5, AttrType.FLOAT],
    ['attrFloat(1)', attrFloat(1), AttrType.FLOAT],
    ['attrInt', attrInt(2n ** 40n), AttrType.INT],
    ['bigint', 5n, AttrType.INT],
    ['integer list', [1, 2], AttrType.INTS],
    ['empty list', [], AttrType.INTS],
    ['mixed list', [1, 2.5], AttrType.FLOATS],
    ['attrFloats', attrFloats([1, 2]), AttrType.FLOATS],
    ['attrInts', attrInts([]), AttrType.INTS],
    ['string', 'SAME_UPPER', AttrType.STRING],
    ['string list', ['a', 'b'], AttrType.STRINGS],
    ['tensor', typedArrayToTensor('t', DT.FLOAT, [1], new Float32Array(1)), AttrType.TENSOR],
    ['graph', createModelBuilder().buildGraph(), AttrType.GRAPH],
  ] as const)('%s', (_kind, value, type) => {
    expect(makeAttribute('a', value).type).toBe(type);
  });

  it('stores floats as float32, as the file will', () => {
    expect(makeAttribute('eps', 1e-5).f).toBe(Math.fround(1e-5));
  });
});

describe('createModelBuilder', () => {
  it('declares inputs with fixed, symbolic and unknown dims; outputs may be untyped', () => {
    const model = createModelBuilder({ opset: 17, irVersion: 9, producer: 'me' })
      .opset('com.microsoft', 1)
      .input('x', DT.FLOAT, ['batch', 3, null])
      .output('y')
      .node('Identity', ['x'], ['y'])
      .build();
    expect(model.irVersion).toBe(9n);
    expect(model.producerName).toBe('me');
    expect(model.opsetImport.map((o) => [o.domain, o.version])).toEqual([
      ['', 17n],
      ['com.microsoft', 1n],
    ]);
    expect(valueShapeFromType(model.graph!.input[0]!.type)).toEqual({
      elemType: DT.FLOAT,
      shape: ['batch', 3, null],
    });
    expect(valueShapeFromType(model.graph!.output[0]!.type)).toEqual({ elemType: 0, shape: null });
  });

  it('build() returns independent models', () => {
    const builder = createModelBuilder()
      .input('x', DT.FLOAT, [1])
      .output('y', DT.FLOAT, [1])
      .node('Relu', ['x'], ['y']);
    const a = builder.build();
    const b = builder.build();
    a.graph!.node[0]!.opType = 'Neg';
    expect(b.graph!.node[0]!.opType).toBe('Relu');
  });
});
