import { AppError } from '../../../../shared/errors';

/**
 * The NPY file format (numpy.lib.format), versions 1.0, 2.0 and 3.0:
 *   "\x93NUMPY" | major | minor | header length (uint16 LE in v1, uint32 LE in v2/v3) | header | data
 * The header is a Python dict literal: {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }.
 * Only plain little-endian numeric dtypes in C order are read; everything else is refused with a reason.
 */

/** Element types EdgeFleet reads from .npy files; the names are both ONNX's (as EdgeFleet spells them) and ORT's. */
export type NpyElementType =
  | 'float16'
  | 'float32'
  | 'float64'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'bool';

export type NpyHeader = {
  version: `${number}.${number}`;
  /** The descr as written ('<f4'). */
  descr: string;
  type: NpyElementType;
  /** Bytes per element. */
  itemSize: number;
  shape: number[];
  /** Offset of the first data byte (header length included, always a multiple of 16 for numpy's writer). */
  dataOffset: number;
  /** Bytes of array data: product(shape) × itemSize. */
  dataBytes: number;
};

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** numpy's own reader refuses headers over 10,000 bytes by default; we allow more but not unbounded. */
const MAX_NPY_HEADER_BYTES = 65_536;

/** Bytes to read first: the fixed preamble of any version. */
export const NPY_PREAMBLE_BYTES = 12;

const kindToType: Record<string, Record<number, NpyElementType>> = {
  f: { 2: 'float16', 4: 'float32', 8: 'float64' },
  i: { 1: 'int8', 2: 'int16', 4: 'int32', 8: 'int64' },
  u: { 1: 'uint8', 2: 'uint16', 4: 'uint32', 8: 'uint64' },
  b: { 1: 'bool' },
};

const typeToDescr: Record<NpyElementType, string> = {
  float16: '<f2',
  float32: '<f4',
  float64: '<f8',
  int8: '|i1',
  uint8: '|u1',
  int16: '<i2',
  uint16: '<u2',
  int32: '<i4',
  uint32: '<u4',
  int64: '<i8',
  uint64: '<u8',
  bool: '|b1',
};

/** The numpy dtype name for an element type, for messages that tell the user how to convert ('float32'). */
export function numpyDtypeName(type: string): string {
  return type === 'bool' ? 'bool_' : type;
}

export function descrFor(type: NpyElementType): string {
  return typeToDescr[type];
}

export function isNpyElementType(name: string): name is NpyElementType {
  return name in typeToDescr;
}

function invalid(what: string, reason: string): AppError {
  return new AppError(
    'DATA_INVALID',
    `${what} is not a readable .npy file: ${reason}. Write it with numpy.save (a plain numeric array).`,
  );
}

/**
 * Where the header ends, from the preamble (the first NPY_PREAMBLE_BYTES of the file, or fewer if the file is
 * that short). Throws DATA_INVALID on a bad magic, an unknown version or an oversized header.
 */
export function npyHeaderEnd(
  preamble: Uint8Array,
  what: string,
): { version: `${number}.${number}`; end: number } {
  if (preamble.length < 10 || MAGIC.some((b, i) => preamble[i] !== b)) {
    throw invalid(what, 'it does not start with the NPY magic "\\x93NUMPY"');
  }
  const major = preamble[6]!;
  const minor = preamble[7]!;
  const version = `${major}.${minor}` as const;
  const view = new DataView(preamble.buffer, preamble.byteOffset, preamble.byteLength);
  let end: number;
  if (major === 1) {
    end = 10 + view.getUint16(8, true);
  } else if (major === 2 || major === 3) {
    if (preamble.length < 12) throw invalid(what, 'the file ends inside the header');
    end = 12 + view.getUint32(8, true);
  } else {
    throw invalid(what, `NPY format version ${version} is unknown (1.0, 2.0 and 3.0 are read)`);
  }
  if (end - 12 > MAX_NPY_HEADER_BYTES) {
    throw invalid(what, `its header claims ${end} bytes (more than ${MAX_NPY_HEADER_BYTES})`);
  }
  return { version, end };
}

/**
 * Parses the header from the file's first `headerEnd` bytes (see npyHeaderEnd). Throws DATA_INVALID for header
 * garbage, Fortran order, big-endian or non-numeric dtypes.
 */
export function parseNpyHeader(bytes: Uint8Array, what: string): NpyHeader {
  const { version, end } = npyHeaderEnd(bytes, what);
  if (bytes.length < end) throw invalid(what, 'the file ends inside the header');
  const start = version.startsWith('1.') ? 10 : 12;
  const raw = bytes.subarray(start, end);
  // v1/v2 headers are latin-1; v3 allows UTF-8. Both are ASCII for every valid numeric header.
  const text = version.startsWith('3.') ? new TextDecoder('utf-8').decode(raw) : latin1(raw);
  let dict: Map<string, PyValue>;
  try {
    dict = parseDictLiteral(text);
  } catch (err) {
    throw invalid(what, `its header is not a Python dict literal (${(err as Error).message})`);
  }
  const descr = dict.get('descr');
  const fortran = dict.get('fortran_order');
  const shape = dict.get('shape');
  if (typeof descr !== 'string') {
    throw invalid(
      what,
      Array.isArray(descr) || descr === undefined
        ? 'it holds a structured (record) array or no descr: only plain numeric arrays are read'
        : "its header's descr is not a string",
    );
  }
  if (typeof fortran !== 'boolean') throw invalid(what, "its header has no boolean 'fortran_order'");
  if (fortran) {
    throw new AppError(
      'DATA_INVALID',
      `${what} is stored in Fortran (column-major) order, which is not read. ` +
        'Save it in C order: numpy.save(path, numpy.ascontiguousarray(arr)).',
    );
  }
  if (!Array.isArray(shape) || !shape.every((d): d is number => typeof d === 'number')) {
    throw invalid(what, "its header's shape is not a tuple of integers");
  }
  const { type, itemSize } = dtypeFromDescr(descr, what);
  let count = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw invalid(what, `its shape has an invalid dimension ${d}`);
    count *= d;
  }
  const dataBytes = count * itemSize;
  if (!Number.isSafeInteger(dataBytes)) throw invalid(what, 'its shape is too large');
  return { version, descr, type, itemSize, shape: [...shape], dataOffset: end, dataBytes };
}

function dtypeFromDescr(descr: string, what: string): { type: NpyElementType; itemSize: number } {
  const m = /^([<>|=]?)([a-zA-Z])(\d+)$/.exec(descr);
  if (!m) throw invalid(what, `its dtype '${descr}' is not a plain numeric dtype`);
  const order = m[1]!;
  const kind = m[2]!;
  const size = Number(m[3]);
  const type = kindToType[kind]?.[size];
  if (!type) {
    throw new AppError(
      'DATA_INVALID',
      `${what} has dtype '${descr}', which is not read: use float16/32/64, (u)int8/16/32/64 or bool.`,
    );
  }
  // '>' is big-endian; a 1-byte type has no byte order, whatever the prefix.
  if (order === '>' && size > 1) {
    throw new AppError(
      'DATA_INVALID',
      `${what} is big-endian ('${descr}'): save it little-endian, e.g. numpy.save(path, arr.astype('<${kind}${size}')).`,
    );
  }
  return { type, itemSize: size };
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

// A tiny parser for the subset of Python literals numpy writes in headers: dicts with string keys, strings,
// True/False/None, integers and tuples/lists of those. It never evaluates anything.
type PyValue = string | number | boolean | null | PyValue[] | Map<string, PyValue>;

function parseDictLiteral(text: string): Map<string, PyValue> {
  let pos = 0;
  const fail = (msg: string): never => {
    throw new Error(`${msg} at character ${pos}`);
  };
  const skipWs = () => {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  };
  const expect = (ch: string) => {
    skipWs();
    if (text[pos] !== ch) fail(`expected '${ch}'`);
    pos++;
  };
  const parseString = (): string => {
    const quote = text[pos]!;
    pos++;
    let out = '';
    while (pos < text.length && text[pos] !== quote) {
      if (text[pos] === '\\') pos++;
      out += text[pos] ?? '';
      pos++;
    }
    if (pos >= text.length) fail('unterminated string');
    pos++;
    return out;
  };
  const parseSeq = (close: string): PyValue[] => {
    pos++;
    const items: PyValue[] = [];
    for (;;) {
      skipWs();
      if (text[pos] === close) {
        pos++;
        return items;
      }
      items.push(parseValue());
      skipWs();
      if (text[pos] === ',') pos++;
      else if (text[pos] !== close) fail(`expected ',' or '${close}'`);
    }
  };
  const parseDict = (): Map<string, PyValue> => {
    expect('{');
    const map = new Map<string, PyValue>();
    for (;;) {
      skipWs();
      if (text[pos] === '}') {
        pos++;
        return map;
      }
      const key = parseValue();
      if (typeof key !== 'string') fail('dict key is not a string');
      expect(':');
      map.set(key as string, parseValue());
      skipWs();
      if (text[pos] === ',') pos++;
      else if (text[pos] !== '}') fail("expected ',' or '}'");
    }
  };
  const parseValue = (): PyValue => {
    skipWs();
    const ch = text[pos];
    if (ch === "'" || ch === '"') return parseString();
    if (ch === '(') return parseSeq(')');
    if (ch === '[') return parseSeq(']');
    if (ch === '{') return parseDict();
    const word = /^(True|False|None|-?\d+L?)/.exec(text.slice(pos, pos + 32));
    if (!word) return fail('unexpected token');
    pos += word[0].length;
    const w = word[0];
    if (w === 'True') return true;
    if (w === 'False') return false;
    if (w === 'None') return null;
    // Python 2 wrote longs with an L suffix.
    return Number(w.endsWith('L') ? w.slice(0, -1) : w);
  };
  const dict = parseDict();
  skipWs();
  if (pos !== text.length) fail('trailing characters after the dict');
  return dict;
}
