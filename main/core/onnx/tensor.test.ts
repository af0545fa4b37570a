import { create, type MessageInitShape } from '@bufbuild/protobuf';
import * as ort from 'onnxruntime-node';
import { TensorProtoSchema, TensorProto_DataLocation, TensorProto_DataType as DT } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import {
  createModelBuilder,
  decodeModel,
  elemByteSize,
  elemTypeFromName,
  elemTypeName,
  encodeModel,
  tensorDataByteLength,
  tensorElementCount,
  tensorToNumbers,
  tensorToTypedArray,
  typedArrayToTensor,
} from './index';

const tensor = (init: MessageInitShape<typeof TensorProtoSchema>) => create(TensorProtoSchema, init);

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
  return 'no error';
}

describe('element types', () => {
  it('names every ONNX type, "unknown" otherwise, and back', () => {
    expect(elemTypeName(DT.FLOAT)).toBe('float32');
    expect(elemTypeName(DT.DOUBLE)).toBe('float64');
    expect(elemTypeName(DT.FLOAT16)).toBe('float16');
    expect(elemTypeName(DT.BFLOAT16)).toBe('bfloat16');
    expect(elemTypeName(DT.INT64)).toBe('int64');
    expect(elemTypeName(DT.BOOL)).toBe('bool');
    expect(elemTypeName(DT.FLOAT8E4M3FN)).toBe('float8e4m3fn');
    expect(elemTypeName(DT.INT4)).toBe('int4');
    expect(elemTypeName(DT.UNDEFINED)).toBe('unknown');
    expect(elemTypeName(99)).toBe('unknown');
    for (let code = 1; code <= 26; code++) expect(elemTypeFromName(elemTypeName(code))).toBe(code);
  });

  it('sizes: bytes per element, packed sub-byte types, strings', () => {
    expect(elemByteSize(DT.FLOAT)).toBe(4);
    expect(elemByteSize(DT.FLOAT16)).toBe(2);
    expect(elemByteSize(DT.COMPLEX128)).toBe(16);
    expect(elemByteSize(DT.INT4)).toBe(0.5);
    expect(elemByteSize(DT.STRING)).toBe(0);
    expect(tensorDataByteLength(DT.INT4, 5)).toBe(3);
    expect(tensorElementCount(tensor({ dims: [] }))).toBe(1);
    expect(tensorElementCount(tensor({ dims: [2n, 3n, 4n] }))).toBe(24);
    expect(tensorElementCount(tensor({ dims: [0n, 5n] }))).toBe(0);
  });
});

describe('tensorToTypedArray', () => {
  it('float16 bits from raw_data (little-endian) and from int32_data', () => {
    const bits = new Uint16Array([0x3c00, 0xc000, 0x7bff]); // 1, -2, 65504
    const t = typedArrayToTensor('h', DT.FLOAT16, [3], bits);
    expect([...t.rawData]).toEqual([0x00, 0x3c, 0x00, 0xc0, 0xff, 0x7b]);
    expect(tensorToTypedArray(t)).toEqual(bits);
    const fromInt32 = tensor({ dataType: DT.FLOAT16, dims: [3n], int32Data: [0x3c00, 0xc000, 0x7bff] });
    expect(tensorToTypedArray(fromInt32)).toEqual(bits);
  });

  it('int64 via int64_data and via raw_data, with values beyond 2^53', () => {
    const values = new BigInt64Array([-1n, 2n ** 40n, 2n ** 62n + 1n]);
    const viaRaw = typedArrayToTensor('i', DT.INT64, [3], values);
    expect(tensorToTypedArray(viaRaw)).toEqual(values);
    const viaField = tensor({ dataType: DT.INT64, dims: [3n], int64Data: [...values] });
    expect(tensorToTypedArray(viaField)).toEqual(values);
    // Survives encoding: raw bytes and the packed int64_data field.
    const model = createModelBuilder().initializerTensor(viaField).initializerTensor(viaRaw).build();
    const back = decodeModel(encodeModel(model)).graph!.initializer;
    expect(tensorToTypedArray(back[0]!)).toEqual(values);
    expect(tensorToTypedArray(back[1]!)).toEqual(values);
  });

  it('the other typed fields: float, double, int32 (int8/uint8/bool), uint64 (uint32/uint64)', () => {
    expect(tensorToTypedArray(tensor({ dataType: DT.FLOAT, dims: [2n], floatData: [1.5, -2] }))).toEqual(
      new Float32Array([1.5, -2]),
    );
    expect(tensorToTypedArray(tensor({ dataType: DT.DOUBLE, dims: [1n], doubleData: [Math.PI] }))).toEqual(
      new Float64Array([Math.PI]),
    );
    expect(tensorToTypedArray(tensor({ dataType: DT.INT8, dims: [2n], int32Data: [-128, 127] }))).toEqual(
      new Int8Array([-128, 127]),
    );
    expect(tensorToTypedArray(tensor({ dataType: DT.BOOL, dims: [2n], int32Data: [1, 0] }))).toEqual(
      new Uint8Array([1, 0]),
    );
    expect(
      tensorToTypedArray(tensor({ dataType: DT.UINT32, dims: [1n], uint64Data: [4294967295n] })),
    ).toEqual(new Uint32Array([4294967295]));
    expect(
      tensorToTypedArray(tensor({ dataType: DT.UINT64, dims: [1n], uint64Data: [2n ** 64n - 1n] })),
    ).toEqual(new BigUint64Array([2n ** 64n - 1n]));
    expect(tensorToTypedArray(tensor({ dataType: DT.COMPLEX64, dims: [1n], floatData: [1, 2] }))).toEqual(
      new Float32Array([1, 2]),
    );
    expect(tensorToNumbers(tensor({ dataType: DT.INT64, dims: [2n], int64Data: [3n, -1n] }))).toEqual([
      3, -1,
    ]);
    expect(
      tensorToNumbers(tensor({ dataType: DT.FLOAT16, dims: [1n], int32Data: [0x3c00] })),
    ).toBeUndefined();
  });

  it('reads raw_data at any byte offset (unaligned views of a pooled buffer) and returns a copy', () => {
    const backing = new Uint8Array(64);
    const values = new Float32Array([0.25, -8, 3e38]);
    backing.set(new Uint8Array(values.buffer), 3);
    const t = tensor({ dataType: DT.FLOAT, dims: [3n], rawData: backing.subarray(3, 15) });
    const arr = tensorToTypedArray(t) as Float32Array;
    expect(arr).toEqual(values);
    arr[0] = 99;
    expect(tensorToTypedArray(t)).toEqual(values); // the model's bytes did not change
  });

  it('refuses strings, external data and data that does not match the shape', () => {
    expect(codeOf(() => tensorToTypedArray(tensor({ dataType: DT.STRING, dims: [1n] })))).toBe(
      'MODEL_UNSUPPORTED',
    );
    const external = tensor({
      dataType: DT.FLOAT,
      dims: [1n],
      dataLocation: TensorProto_DataLocation.EXTERNAL,
    });
    expect(codeOf(() => tensorToTypedArray(external))).toBe('EXTERNAL_DATA_MISSING');
    const short = tensor({ dataType: DT.FLOAT, dims: [4n], rawData: new Uint8Array(12) });
    expect(codeOf(() => tensorToTypedArray(short))).toBe('MODEL_INVALID');
    const few = tensor({ dataType: DT.FLOAT, dims: [4n], floatData: [1] });
    expect(codeOf(() => tensorToTypedArray(few))).toBe('MODEL_INVALID');
  });
});

describe('typedArrayToTensor', () => {
  it('checks the array type and length', () => {
    expect(codeOf(() => typedArrayToTensor('x', DT.FLOAT, [2], new Float64Array(2)))).toBe(
      'MODEL_UNSUPPORTED',
    );
    expect(codeOf(() => typedArrayToTensor('x', DT.FLOAT, [2, 2], new Float32Array(3)))).toBe(
      'MODEL_INVALID',
    );
    expect(codeOf(() => typedArrayToTensor('x', DT.STRING, [1], new Uint8Array(1)))).toBe(
      'MODEL_UNSUPPORTED',
    );
  });

  it('copies a view without its neighbours', () => {
    const big = new Float32Array([1, 2, 3, 4]);
    const t = typedArrayToTensor('x', DT.FLOAT, [2], big.subarray(1, 3));
    expect(t.rawData.byteLength).toBe(8);
    expect(tensorToTypedArray(t)).toEqual(new Float32Array([2, 3]));
  });

  it('ONNX Runtime reads float16 and int64 tensors as we write them', async () => {
    const model = createModelBuilder({ opset: 13 })
      .output('h32', DT.FLOAT, [3])
      .output('i32', DT.FLOAT, [2])
      .initializer('h', DT.FLOAT16, [3], new Uint16Array([0x3c00, 0xc000, 0x7bff]))
      .initializer('i', DT.INT64, [2], new BigInt64Array([-1n, 2n ** 40n]))
      .node('Cast', ['h'], ['h32'], { to: DT.FLOAT })
      .node('Cast', ['i'], ['i32'], { to: DT.FLOAT })
      .build();
    const session = await ort.InferenceSession.create(encodeModel(model), { logSeverityLevel: 3 });
    try {
      const out = await session.run({});
      expect([...(out.h32!.data as Float32Array)]).toEqual([1, -2, 65504]);
      expect([...(out.i32!.data as Float32Array)]).toEqual([-1, 2 ** 40]);
    } finally {
      await session.release();
    }
  });
});

describe('tensors decoded from a Node Buffer', () => {
  it('read the same values as from a Uint8Array (Buffer.slice is a view, not a copy)', () => {
    const values = Float32Array.of(1.5, -2.25, 3.125);
    const bytes = encodeModel(
      createModelBuilder()
        .input('x', DT.FLOAT, [3])
        .output('y', DT.FLOAT, [3])
        .initializer('w', DT.FLOAT, [3], values)
        .node('Add', ['x', 'w'], ['y'])
        .build(),
    );
    // An odd offset inside a larger Buffer, as the pool hands out small reads.
    const pooled = Buffer.alloc(bytes.length + 3);
    pooled.set(bytes, 3);
    const model = decodeModel(pooled.subarray(3));
    const w = model.graph?.initializer[0];
    expect(w && Array.from(tensorToTypedArray(w) as Float32Array)).toEqual(Array.from(values));
  });
});
