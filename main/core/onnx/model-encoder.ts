import { create, toBinary, type DescField, type DescMessage, type Message } from '@bufbuild/protobuf';
import { ModelProtoSchema, type ModelProto } from 'onnx-buf';

/**
 * Protobuf encoding without the copies. `toBinary` builds every nested message in its own buffer and copies
 * it into its parent: a weight in raw_data is copied once per level (tensor → graph → model), so encoding a
 * 1 GB model peaks near 4 GB. Here messages holding big byte fields are split: their small fields are still
 * encoded by `toBinary`, big byte arrays are referenced as they are, and length prefixes are written by hand.
 * The result is a list of parts whose concatenation is byte-for-byte what `toBinary` writes (fields in number
 * order, unknown fields last) — tests check that on every model of ONNX's test data.
 */

/** Byte fields (raw_data …) at least this big are referenced instead of copied. */
export const DEFAULT_SPLIT_BYTES = 64 * 1024;

type Fields = Record<string, unknown>;
const fieldsOf = (m: Message): Fields => m as unknown as Fields;
const isMessage = (v: unknown): v is Message => typeof v === 'object' && v !== null && '$typeName' in v;

const sortedFieldsCache = new WeakMap<DescMessage, readonly DescField[]>();
function sortedFields(schema: DescMessage): readonly DescField[] {
  let fields = sortedFieldsCache.get(schema);
  if (!fields) {
    fields = [...schema.fields].sort((a, b) => a.number - b.number);
    sortedFieldsCache.set(schema, fields);
  }
  return fields;
}

/** Messages (by identity) that contain a big byte field somewhere below them. */
function findHeavy(schema: DescMessage, msg: Message, minBytes: number, heavy: Set<Message>): boolean {
  let found = false;
  const values = fieldsOf(msg);
  for (const f of schema.fields) {
    if (f.oneof) continue; // never split (ONNX keeps no weights in oneofs)
    const v = values[f.localName];
    if (f.fieldKind === 'scalar' && v instanceof Uint8Array) {
      if (v.byteLength >= minBytes) found = true;
    } else if (f.fieldKind === 'message' && isMessage(v)) {
      if (findHeavy(f.message, v, minBytes, heavy)) found = true;
    } else if (f.fieldKind === 'list' && f.listKind === 'message' && Array.isArray(v)) {
      for (const item of v as Message[]) if (findHeavy(f.message, item, minBytes, heavy)) found = true;
    }
  }
  if (found) heavy.add(msg);
  return found;
}

/** Encodes only `fields` of `msg` (and its unknown fields if asked): a run of the full encoding. */
function encodeOnly(
  schema: DescMessage,
  msg: Message,
  fields: readonly DescField[],
  withUnknown: boolean,
  list?: { field: DescField; items: readonly Message[] },
): Uint8Array {
  const part = fieldsOf(create(schema));
  const src = fieldsOf(msg);
  for (const f of fields) {
    const key = f.oneof ? f.oneof.localName : f.localName;
    if (Object.hasOwn(src, key)) part[key] = src[key];
  }
  if (list) part[list.field.localName] = list.items;
  if (withUnknown && msg.$unknown?.length) part.$unknown = msg.$unknown;
  return toBinary(schema, part as unknown as Message);
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}

/** Tag (field number, wire type LEN) and length prefix of a length-delimited field. */
const lengthDelimitedHeader = (fieldNo: number, length: number): Uint8Array =>
  new Uint8Array([...varint(fieldNo * 8 + 2), ...varint(length)]);

type Split = { heavy: ReadonlySet<Message>; minBytes: number };

function encodeParts(schema: DescMessage, msg: Message, split: Split, parts: Uint8Array[]): number {
  const { heavy, minBytes } = split;
  if (!heavy.has(msg)) {
    const bytes = toBinary(schema, msg);
    parts.push(bytes);
    return bytes.byteLength;
  }
  let total = 0;
  const push = (b: Uint8Array) => {
    parts.push(b);
    total += b.byteLength;
  };
  let pending: DescField[] = [];
  const flush = () => {
    if (pending.length > 0) push(encodeOnly(schema, msg, pending, false));
    pending = [];
  };
  const nested = (fieldNo: number, childSchema: DescMessage, child: Message) => {
    const childParts: Uint8Array[] = [];
    const length = encodeParts(childSchema, child, split, childParts);
    push(lengthDelimitedHeader(fieldNo, length));
    for (const p of childParts) push(p);
  };
  const values = fieldsOf(msg);
  for (const f of sortedFields(schema)) {
    const v = f.oneof ? undefined : values[f.localName];
    if (
      f.fieldKind === 'scalar' &&
      v instanceof Uint8Array &&
      v.byteLength >= minBytes &&
      Object.hasOwn(values, f.localName)
    ) {
      flush();
      push(lengthDelimitedHeader(f.number, v.byteLength));
      push(v);
    } else if (f.fieldKind === 'message' && isMessage(v) && heavy.has(v) && !f.delimitedEncoding) {
      flush();
      nested(f.number, f.message, v);
    } else if (
      f.fieldKind === 'list' &&
      f.listKind === 'message' &&
      Array.isArray(v) &&
      !f.delimitedEncoding &&
      (v as Message[]).some((m) => heavy.has(m))
    ) {
      flush();
      // Consecutive light elements go through toBinary together; heavy ones are split.
      let run: Message[] = [];
      const flushRun = () => {
        if (run.length > 0) push(encodeOnly(schema, msg, [], false, { field: f, items: run }));
        run = [];
      };
      for (const item of v as Message[]) {
        if (heavy.has(item)) {
          flushRun();
          nested(f.number, f.message, item);
        } else run.push(item);
      }
      flushRun();
    } else {
      pending.push(f);
    }
  }
  flush();
  if (msg.$unknown?.length) push(encodeOnly(schema, msg, [], true));
  return total;
}

/**
 * The model's encoding as parts to concatenate (or to write to a file one after the other, never holding
 * the whole encoding in memory). Big raw_data arrays are returned as they are (not copied): do not modify
 * them while the parts are in use.
 */
export function encodeModelParts(model: ModelProto, options: { splitBytes?: number } = {}): Uint8Array[] {
  const minBytes = Math.max(1, options.splitBytes ?? DEFAULT_SPLIT_BYTES);
  const heavy = new Set<Message>();
  findHeavy(ModelProtoSchema, model, minBytes, heavy);
  const parts: Uint8Array[] = [];
  encodeParts(ModelProtoSchema, model, { heavy, minBytes }, parts);
  return parts;
}

export function concatParts(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
