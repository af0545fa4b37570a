import { create } from '@bufbuild/protobuf';
import {
  TensorProtoSchema,
  TensorProto_DataLocation,
  TensorProto_DataType,
  type TensorProto,
} from 'onnx-buf';
import { AppError } from '../../../shared/errors';

/**
 * Element types as EdgeFleet names them (lower case, numpy-like). Sub-byte types keep ONNX's names.
 * Index = TensorProto.DataType value.
 */
const elemTypeNames: Record<number, string> = {
  [TensorProto_DataType.FLOAT]: 'float32',
  [TensorProto_DataType.UINT8]: 'uint8',
  [TensorProto_DataType.INT8]: 'int8',
  [TensorProto_DataType.UINT16]: 'uint16',
  [TensorProto_DataType.INT16]: 'int16',
  [TensorProto_DataType.INT32]: 'int32',
  [TensorProto_DataType.INT64]: 'int64',
  [TensorProto_DataType.STRING]: 'string',
  [TensorProto_DataType.BOOL]: 'bool',
  [TensorProto_DataType.FLOAT16]: 'float16',
  [TensorProto_DataType.DOUBLE]: 'float64',
  [TensorProto_DataType.UINT32]: 'uint32',
  [TensorProto_DataType.UINT64]: 'uint64',
  [TensorProto_DataType.COMPLEX64]: 'complex64',
  [TensorProto_DataType.COMPLEX128]: 'complex128',
  [TensorProto_DataType.BFLOAT16]: 'bfloat16',
  [TensorProto_DataType.FLOAT8E4M3FN]: 'float8e4m3fn',
  [TensorProto_DataType.FLOAT8E4M3FNUZ]: 'float8e4m3fnuz',
  [TensorProto_DataType.FLOAT8E5M2]: 'float8e5m2',
  [TensorProto_DataType.FLOAT8E5M2FNUZ]: 'float8e5m2fnuz',
  [TensorProto_DataType.UINT4]: 'uint4',
  [TensorProto_DataType.INT4]: 'int4',
  [TensorProto_DataType.FLOAT4E2M1]: 'float4e2m1',
  [TensorProto_DataType.FLOAT8E8M0]: 'float8e8m0',
  [TensorProto_DataType.UINT2]: 'uint2',
  [TensorProto_DataType.INT2]: 'int2',
};

/** Bits per element; 0 for strings (variable size) and unknown types. */
const elemBits: Record<number, number> = {
  [TensorProto_DataType.FLOAT]: 32,
  [TensorProto_DataType.UINT8]: 8,
  [TensorProto_DataType.INT8]: 8,
  [TensorProto_DataType.UINT16]: 16,
  [TensorProto_DataType.INT16]: 16,
  [TensorProto_DataType.INT32]: 32,
  [TensorProto_DataType.INT64]: 64,
  [TensorProto_DataType.BOOL]: 8,
  [TensorProto_DataType.FLOAT16]: 16,
  [TensorProto_DataType.DOUBLE]: 64,
  [TensorProto_DataType.UINT32]: 32,
  [TensorProto_DataType.UINT64]: 64,
  [TensorProto_DataType.COMPLEX64]: 64,
  [TensorProto_DataType.COMPLEX128]: 128,
  [TensorProto_DataType.BFLOAT16]: 16,
  [TensorProto_DataType.FLOAT8E4M3FN]: 8,
  [TensorProto_DataType.FLOAT8E4M3FNUZ]: 8,
  [TensorProto_DataType.FLOAT8E5M2]: 8,
  [TensorProto_DataType.FLOAT8E5M2FNUZ]: 8,
  [TensorProto_DataType.UINT4]: 4,
  [TensorProto_DataType.INT4]: 4,
  [TensorProto_DataType.FLOAT4E2M1]: 4,
  [TensorProto_DataType.FLOAT8E8M0]: 8,
  [TensorProto_DataType.UINT2]: 2,
  [TensorProto_DataType.INT2]: 2,
};

export function elemTypeName(dataType: number): string {
  return elemTypeNames[dataType] ?? 'unknown';
}

/** Inverse of elemTypeName; undefined for names ONNX does not have. */
export function elemTypeFromName(name: string): number | undefined {
  for (const [code, n] of Object.entries(elemTypeNames)) if (n === name) return Number(code);
  return undefined;
}

/**
 * Bytes per element. Fractional for packed sub-byte types (int4: 0.5, int2: 0.25);
 * 0 for strings and unknown types, whose size is not a function of the element count.
 */
export function elemByteSize(dataType: number): number {
  return (elemBits[dataType] ?? 0) / 8;
}

/** Bytes the data of `count` elements takes in raw_data (sub-byte types are packed, rounded up). */
export function tensorDataByteLength(dataType: number, count: number): number {
  return Math.ceil((count * (elemBits[dataType] ?? 0)) / 8);
}

/** Product of dims; 1 for a scalar (no dims). */
export function tensorElementCount(t: Pick<TensorProto, 'dims'>): number {
  let n = 1;
  for (const d of t.dims) n *= Number(d);
  return n;
}

export type TensorTypedArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

type ArrayKind = 'f32' | 'f64' | 'i8' | 'u8' | 'i16' | 'u16' | 'i32' | 'u32' | 'i64' | 'u64';

/** How a data type is exposed as a typed array, and how many array elements one tensor element takes. */
function arrayKindOf(dataType: number): { kind: ArrayKind; perElement: number } | undefined {
  switch (dataType) {
    case TensorProto_DataType.FLOAT:
      return { kind: 'f32', perElement: 1 };
    case TensorProto_DataType.DOUBLE:
      return { kind: 'f64', perElement: 1 };
    case TensorProto_DataType.COMPLEX64:
      return { kind: 'f32', perElement: 2 };
    case TensorProto_DataType.COMPLEX128:
      return { kind: 'f64', perElement: 2 };
    case TensorProto_DataType.INT8:
      return { kind: 'i8', perElement: 1 };
    case TensorProto_DataType.UINT8:
    case TensorProto_DataType.BOOL:
    case TensorProto_DataType.FLOAT8E4M3FN:
    case TensorProto_DataType.FLOAT8E4M3FNUZ:
    case TensorProto_DataType.FLOAT8E5M2:
    case TensorProto_DataType.FLOAT8E5M2FNUZ:
    case TensorProto_DataType.FLOAT8E8M0:
      return { kind: 'u8', perElement: 1 };
    case TensorProto_DataType.INT16:
      return { kind: 'i16', perElement: 1 };
    case TensorProto_DataType.UINT16:
    case TensorProto_DataType.FLOAT16:
    case TensorProto_DataType.BFLOAT16:
      return { kind: 'u16', perElement: 1 };
    case TensorProto_DataType.INT32:
      return { kind: 'i32', perElement: 1 };
    case TensorProto_DataType.UINT32:
      return { kind: 'u32', perElement: 1 };
    case TensorProto_DataType.INT64:
      return { kind: 'i64', perElement: 1 };
    case TensorProto_DataType.UINT64:
      return { kind: 'u64', perElement: 1 };
    default:
      return undefined;
  }
}

const bytesPerArrayElement: Record<ArrayKind, number> = {
  f32: 4,
  f64: 8,
  i8: 1,
  u8: 1,
  i16: 2,
  u16: 2,
  i32: 4,
  u32: 4,
  i64: 8,
  u64: 8,
};

/** Views an ArrayBuffer we own (offset 0, so always aligned) as the typed array of `kind`. */
function viewAs(kind: ArrayKind, buffer: ArrayBuffer): TensorTypedArray {
  switch (kind) {
    case 'f32':
      return new Float32Array(buffer);
    case 'f64':
      return new Float64Array(buffer);
    case 'i8':
      return new Int8Array(buffer);
    case 'u8':
      return new Uint8Array(buffer);
    case 'i16':
      return new Int16Array(buffer);
    case 'u16':
      return new Uint16Array(buffer);
    case 'i32':
      return new Int32Array(buffer);
    case 'u32':
      return new Uint32Array(buffer);
    case 'i64':
      return new BigInt64Array(buffer);
    case 'u64':
      return new BigUint64Array(buffer);
  }
}

function fromNumbers(kind: ArrayKind, values: readonly number[]): TensorTypedArray {
  switch (kind) {
    case 'f32':
      return Float32Array.from(values);
    case 'f64':
      return Float64Array.from(values);
    case 'i8':
      return Int8Array.from(values);
    case 'u8':
      return Uint8Array.from(values);
    case 'i16':
      return Int16Array.from(values);
    case 'u16':
      return Uint16Array.from(values);
    case 'i32':
      return Int32Array.from(values);
    case 'u32':
      return Uint32Array.from(values);
    case 'i64':
      return BigInt64Array.from(values, (v) => BigInt(v));
    case 'u64':
      return BigUint64Array.from(values, (v) => BigInt(v));
  }
}

function fromBigInts(kind: ArrayKind, values: readonly bigint[]): TensorTypedArray {
  switch (kind) {
    case 'i64':
      return BigInt64Array.from(values);
    case 'u64':
      return BigUint64Array.from(values);
    default:
      return fromNumbers(
        kind,
        values.map((v) => Number(v)),
      );
  }
}

function label(t: TensorProto): string {
  return t.name ? `Tensor '${t.name}'` : 'An unnamed tensor';
}

/**
 * The tensor's values as a fresh typed array (never a view of the model's bytes, so callers may keep or
 * modify it). Encodings:
 * - float16 / bfloat16 / float8*: the raw bit patterns (Uint16Array / Uint8Array);
 * - bool: Uint8Array of 0/1; complex: interleaved real/imaginary parts;
 * - raw_data is read little-endian (ONNX's byte order; every platform EdgeFleet runs on is little-endian).
 * Strings and packed 4-/2-bit types are refused with MODEL_UNSUPPORTED.
 */
export function tensorToTypedArray(t: TensorProto): TensorTypedArray {
  if (t.dataLocation === TensorProto_DataLocation.EXTERNAL) {
    throw new AppError(
      'EXTERNAL_DATA_MISSING',
      `${label(t)} keeps its data in an external file: load it first (internalizeExternalData), ` +
        'or re-export the model with all weights inside the .onnx file.',
    );
  }
  const spec = arrayKindOf(t.dataType);
  if (!spec) {
    throw new AppError(
      'MODEL_UNSUPPORTED',
      `${label(t)} has element type ${elemTypeName(t.dataType)}, which cannot be read as numbers: ` +
        'convert it to a numeric type (e.g. float32) before this step.',
    );
  }
  const count = tensorElementCount(t) * spec.perElement;
  const width = bytesPerArrayElement[spec.kind];
  if (t.rawData.byteLength > 0 || count === 0) {
    if (t.rawData.byteLength !== count * width) {
      throw new AppError(
        'MODEL_INVALID',
        `${label(t)} has ${t.rawData.byteLength} bytes of data, but its shape [${t.dims.join(', ')}] ` +
          `of ${elemTypeName(t.dataType)} needs ${count * width}: the file is corrupted; export the model again.`,
      );
    }
    // slice() copies into a new ArrayBuffer at offset 0: aligned, and detached from the model's bytes.
    return viewAs(spec.kind, Uint8Array.prototype.slice.call(t.rawData).buffer);
  }
  const fromTypedField = typedFieldValues(t, spec.kind);
  if (fromTypedField.length !== count) {
    throw new AppError(
      'MODEL_INVALID',
      `${label(t)} has ${fromTypedField.length} values, but its shape [${t.dims.join(', ')}] needs ${count}: ` +
        'the file is corrupted; export the model again.',
    );
  }
  return fromTypedField;
}

function typedFieldValues(t: TensorProto, kind: ArrayKind): TensorTypedArray {
  switch (t.dataType) {
    case TensorProto_DataType.FLOAT:
    case TensorProto_DataType.COMPLEX64:
      return fromNumbers(kind, t.floatData);
    case TensorProto_DataType.DOUBLE:
    case TensorProto_DataType.COMPLEX128:
      return fromNumbers(kind, t.doubleData);
    case TensorProto_DataType.INT64:
      return fromBigInts(kind, t.int64Data);
    case TensorProto_DataType.UINT32:
    case TensorProto_DataType.UINT64:
      return fromBigInts(kind, t.uint64Data);
    default:
      // int8/uint8/int16/uint16/int32/bool and the bit patterns of float16/bfloat16/float8 live in int32_data.
      return fromNumbers(kind, t.int32Data);
  }
}

/**
 * Small numeric tensors as plain numbers (int64 converted with Number(): exact up to 2^53, which covers
 * shapes, axes and indices). float16 and other bit-pattern types are refused (undefined).
 */
export function tensorToNumbers(t: TensorProto): number[] | undefined {
  switch (t.dataType) {
    case TensorProto_DataType.FLOAT:
    case TensorProto_DataType.DOUBLE:
    case TensorProto_DataType.INT8:
    case TensorProto_DataType.UINT8:
    case TensorProto_DataType.INT16:
    case TensorProto_DataType.UINT16:
    case TensorProto_DataType.INT32:
    case TensorProto_DataType.UINT32:
    case TensorProto_DataType.INT64:
    case TensorProto_DataType.UINT64:
    case TensorProto_DataType.BOOL:
      break;
    default:
      return undefined;
  }
  const arr = tensorToTypedArray(t);
  const out: number[] = [];
  for (const v of arr) out.push(Number(v));
  return out;
}

const arrayKindMatches: Record<ArrayKind, (data: TensorTypedArray) => boolean> = {
  f32: (d) => d instanceof Float32Array,
  f64: (d) => d instanceof Float64Array,
  i8: (d) => d instanceof Int8Array,
  u8: (d) => d instanceof Uint8Array,
  i16: (d) => d instanceof Int16Array,
  u16: (d) => d instanceof Uint16Array,
  i32: (d) => d instanceof Int32Array,
  u32: (d) => d instanceof Uint32Array,
  i64: (d) => d instanceof BigInt64Array,
  u64: (d) => d instanceof BigUint64Array,
};

/**
 * A TensorProto holding `data` in raw_data (little-endian), the layout tensorToTypedArray returns.
 * The typed array must match the data type (e.g. Uint16Array of bits for float16) and the shape.
 */
export function typedArrayToTensor(
  name: string,
  dataType: number,
  dims: readonly (number | bigint)[],
  data: TensorTypedArray,
): TensorProto {
  const spec = arrayKindOf(dataType);
  if (!spec || !arrayKindMatches[spec.kind](data)) {
    throw new AppError(
      'MODEL_UNSUPPORTED',
      `Cannot store a ${data.constructor.name} as ${elemTypeName(dataType)} tensor '${name}': ` +
        'pass the typed array that matches the element type (see tensorToTypedArray).',
    );
  }
  const dimsBig = dims.map((d) => BigInt(d));
  const count = dimsBig.reduce((n, d) => n * Number(d), 1) * spec.perElement;
  if (data.length !== count) {
    throw new AppError(
      'MODEL_INVALID',
      `Tensor '${name}' gets ${data.length} values, but its shape [${dimsBig.join(', ')}] needs ${count}: ` +
        'pass data of the right length.',
    );
  }
  const rawData = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  return create(TensorProtoSchema, { name, dataType, dims: dimsBig, rawData });
}
