import { TensorProto_DataType as DT, type NodeProto, type TensorProto } from 'onnx-buf';
import { makeNode, typedArrayToTensor } from '../../onnx';
import { convertToFloat16, FLOAT16_MIN_POSITIVE } from './fp16-bits';
import { dimsOf, readFloat32, type NameScope } from './graph-edit';

/** What converting tensors to float16 changed beyond rounding, for the report's warnings. */
export class ClampTally {
  private readonly tiny = new Map<string, number>();
  private readonly large = new Map<string, number>();

  constructor(readonly minPositive: number = FLOAT16_MIN_POSITIVE) {}

  add(name: string, raisedTiny: number, clampedLarge: number): void {
    if (raisedTiny > 0) this.tiny.set(name, (this.tiny.get(name) ?? 0) + raisedTiny);
    if (clampedLarge > 0) this.large.set(name, (this.large.get(name) ?? 0) + clampedLarge);
  }

  warnings(): string[] {
    const out: string[] = [];
    const describe = (m: Map<string, number>) => {
      const total = [...m.values()].reduce((a, b) => a + b, 0);
      const worst = [...m]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([n, c]) => `'${n}' ${c}`);
      return `${total} value(s) in ${m.size} tensor(s) (${worst.join(', ')}${m.size > 3 ? ', …' : ''})`;
    };
    if (this.tiny.size > 0) {
      out.push(
        `${describe(this.tiny)} were closer to 0 than float16 can hold and were set to ±${this.minPositive.toPrecision(3)} ` +
          '(kept non-zero).',
      );
    }
    if (this.large.size > 0) {
      out.push(
        `${describe(this.large)} exceeded float16's range and were clamped to ±65504: check the outputs, or block ` +
          'the ops using them.',
      );
    }
    return out;
  }
}

/** The float16 version of a float32 tensor's values, clamped (see convertToFloat16). */
function float16Bits(t: TensorProto, tally: ClampTally): Uint16Array {
  const c = convertToFloat16(readFloat32(t), tally.minPositive);
  tally.add(t.name, c.raisedTiny, c.clampedLarge);
  return c.bits;
}

/** Turns a float32 tensor into float16 in place (the caller owns it: a pass's working copy). */
export function convertTensorInPlace(t: TensorProto, tally: ClampTally): void {
  const bits = float16Bits(t, tally);
  const bytes = new Uint8Array(bits.byteLength);
  bytes.set(new Uint8Array(bits.buffer, bits.byteOffset, bits.byteLength));
  t.dataType = DT.FLOAT16;
  t.floatData = [];
  t.rawData = bytes;
}

/** A new float16 tensor named `name` with the values of float32 tensor `t`. */
export function float16Copy(t: TensorProto, name: string, tally: ClampTally): TensorProto {
  return typedArrayToTensor(name, DT.FLOAT16, dimsOf(t), float16Bits(t, tally));
}

/** Whether every value of a float32 tensor fits float16's range (±65504) without clamping. */
export function fitsFloat16(t: TensorProto): boolean {
  return !readFloat32(t).some((v) => Math.abs(v) > 65504);
}

/**
 * `t` stored as float16, and the Cast that gives its float32 values back as `output`: ONNX Runtime folds the
 * Cast at load, so the file halves while the graph computes in float32 as before.
 */
export function float16WithCast(
  t: TensorProto,
  output: string,
  names: NameScope,
  tally: ClampTally,
): { half: TensorProto; cast: NodeProto } {
  const half = float16Copy(t, names.unique(`${t.name || output}_fp16`), tally);
  const cast = makeNode(
    'Cast',
    [half.name],
    [output],
    { to: DT.FLOAT },
    { name: names.unique(`${output}_Cast`) },
  );
  return { half, cast };
}
