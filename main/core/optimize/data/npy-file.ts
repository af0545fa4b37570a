import { AppError } from '../../../../shared/errors';
import { readExactly, withFile, type DataStats } from './data-stats';
import {
  npyHeaderEnd,
  NPY_PREAMBLE_BYTES,
  parseNpyHeader,
  type NpyElementType,
  type NpyHeader,
} from './npy-format';

/** A checked .npy file: its header, where it lives, and how it is named in messages. */
export type NpyFile = NpyHeader & { path: string; display: string; fileSize: number };

/** Typed arrays as ONNX Runtime takes them for each element type (float16 as raw bits, bool as bytes). */
type NpyTypedArray =
  | Float32Array
  | Float64Array
  | Uint16Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/**
 * Reads and checks the header only (a few hundred bytes): magic, version, dict, dtype, shape, and that the file
 * holds exactly the data the header promises (a truncated or padded file is refused).
 */
export async function readNpyHeader(path: string, display: string, stats: DataStats): Promise<NpyFile> {
  return withFile(stats, path, display, async (fh) => {
    const size = (await fh.stat()).size;
    const preamble = (await readExactly(fh, 0, Math.min(size, NPY_PREAMBLE_BYTES))).bytes;
    const { end } = npyHeaderEnd(preamble, display);
    if (end > size) {
      throw new AppError(
        'DATA_INVALID',
        `${display} is not a readable .npy file: the file ends inside the header (truncated). Write it again with numpy.save.`,
      );
    }
    const head = (await readExactly(fh, 0, end)).bytes;
    const header = parseNpyHeader(head, display);
    const expected = header.dataOffset + header.dataBytes;
    if (size < expected) {
      throw new AppError(
        'DATA_INVALID',
        `${display} is truncated: its header promises ${header.dataBytes} bytes of ${header.descr} data ` +
          `[${header.shape.join(',')}] but the file holds ${size - header.dataOffset}. Write it again with numpy.save.`,
      );
    }
    if (size > expected) {
      throw new AppError(
        'DATA_INVALID',
        `${display} has ${size - expected} bytes after its array data: it is not a plain .npy file ` +
          '(one numpy.save per file; .npz archives and appended arrays are not read).',
      );
    }
    return { ...header, path, display, fileSize: size };
  });
}

/** Reads `count` elements starting at element `first` (C order) as a fresh typed array. */
export async function readNpyElements(
  file: NpyFile,
  first: number,
  count: number,
  stats: DataStats,
): Promise<NpyTypedArray> {
  const length = count * file.itemSize;
  const position = file.dataOffset + first * file.itemSize;
  const bytes = await withFile(stats, file.path, file.display, async (fh) => {
    const { bytes, complete } = await readExactly(fh, position, length);
    if (!complete) {
      throw new AppError(
        'DATA_INVALID',
        `${file.display} changed since it was checked (it is shorter now): do not modify the data while it is in use.`,
      );
    }
    return bytes;
  });
  return typedArrayOf(file.type, bytes.buffer as ArrayBuffer, count);
}

/** Views little-endian element bytes as the typed array ORT expects; `buffer` must start at an aligned offset. */
export function typedArrayOf(type: NpyElementType, buffer: ArrayBuffer, count: number): NpyTypedArray {
  switch (type) {
    case 'float32':
      return new Float32Array(buffer, 0, count);
    case 'float64':
      return new Float64Array(buffer, 0, count);
    case 'float16':
    case 'uint16':
      return new Uint16Array(buffer, 0, count);
    case 'int8':
      return new Int8Array(buffer, 0, count);
    case 'uint8':
    case 'bool':
      return new Uint8Array(buffer, 0, count);
    case 'int16':
      return new Int16Array(buffer, 0, count);
    case 'int32':
      return new Int32Array(buffer, 0, count);
    case 'uint32':
      return new Uint32Array(buffer, 0, count);
    case 'int64':
      return new BigInt64Array(buffer, 0, count);
    case 'uint64':
      return new BigUint64Array(buffer, 0, count);
  }
}
