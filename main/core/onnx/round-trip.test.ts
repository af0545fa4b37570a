import { equals, toBinary } from '@bufbuild/protobuf';
import { WireType } from '@bufbuild/protobuf/wire';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelProtoSchema, type ModelProto } from 'onnx-buf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMlp, buildSmallCnn, buildSymbolicBatchModel, writeTestModel } from '../../../test/models';
import { randomFeeds, runOrt } from '../../../test/models/ort';
import { concatParts, decodeModel, encodeModel, encodeModelParts, readModelFile } from './index';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edgefleet-onnx-rt-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const models: [string, () => ModelProto][] = [
  ['small CNN', buildSmallCnn],
  ['MLP', buildMlp],
  ['symbolic batch', buildSymbolicBatchModel],
];

describe.each(models)('%s', (name, build) => {
  it('write → read → write is lossless', async () => {
    const model = build();
    const path = join(dir, `${name.replace(/\s/g, '-')}.onnx`);
    const written = await writeTestModel(model, path);
    expect(new Uint8Array(await readFile(path))).toEqual(written);

    const read = await readModelFile(path);
    expect(read.hasExternalData).toBe(false);
    expect(equals(ModelProtoSchema, read.model, model)).toBe(true);
    const rewritten = encodeModel(read.model);
    expect(Buffer.compare(Buffer.from(rewritten), Buffer.from(written))).toBe(0);
    expect(equals(ModelProtoSchema, decodeModel(rewritten), model)).toBe(true);
  });

  it('gives bit-identical ONNX Runtime outputs before and after the round trip', async () => {
    const model = build();
    const original = encodeModel(model);
    const roundTripped = encodeModel(decodeModel(new Uint8Array(original)));
    const feeds = randomFeeds(model, 11);
    const a = await runOrt(original, feeds);
    const b = await runOrt(roundTripped, feeds);
    expect(Object.keys(a).length).toBeGreaterThan(0);
    for (const [out, result] of Object.entries(a)) {
      expect(b[out]?.dims).toEqual(result.dims);
      expect(Buffer.compare(Buffer.from(b[out]!.bytes), Buffer.from(result.bytes))).toBe(0);
      // Sanity: the model computes something (not all zeros or NaN).
      const values = new Float32Array(result.bytes.slice().buffer);
      expect(values.some((v) => v !== 0)).toBe(true);
      expect(values.every((v) => Number.isFinite(v))).toBe(true);
    }
  });
});

it('test models are deterministic (same seed, same bytes; another seed, other weights)', () => {
  expect(encodeModel(buildSmallCnn())).toEqual(encodeModel(buildSmallCnn()));
  expect(encodeModel(buildSmallCnn(2))).not.toEqual(encodeModel(buildSmallCnn()));
});

it('keeps fields this schema does not know (from newer ONNX versions)', () => {
  const bytes = encodeModel(buildMlp());
  // Append field 999 (varint 42) to the model: a future ModelProto field.
  const tag = [0xb8, 0x3e]; // (999 << 3) | 0 as varint
  const withUnknown = new Uint8Array([...bytes, ...tag, 42]);
  const model = decodeModel(withUnknown);
  expect(encodeModel(model)).toEqual(withUnknown);
});

describe('encodeModelParts (the copy-saving encoder)', () => {
  it.each(models)(
    '%s: parts concatenate to exactly what toBinary writes, at any split size',
    (_name, build) => {
      const model = build();
      const reference = toBinary(ModelProtoSchema, model);
      for (const splitBytes of [1, 64, 1000, 1 << 20]) {
        expect(concatParts(encodeModelParts(model, { splitBytes }))).toEqual(reference);
      }
    },
  );

  it('keeps unknown fields of nested messages in place, and references big weights without copying', () => {
    const model = buildSmallCnn();
    const graph = model.graph!;
    const weight = graph.initializer.find((t) => t.name === 'conv2.weight')!;
    // Unknown fields (field 99, varint 1) on the model, the graph and a tensor, as a newer ONNX might write.
    const unknown = [{ no: 99, wireType: WireType.Varint, data: new Uint8Array([1]) }];
    model.$unknown = unknown;
    graph.$unknown = unknown;
    weight.$unknown = unknown;
    const reference = toBinary(ModelProtoSchema, model);
    const parts = encodeModelParts(model, { splitBytes: 1024 });
    expect(concatParts(parts)).toEqual(reference);
    expect(parts).toContain(weight.rawData);
    expect(encodeModel(model)).toEqual(reference);
  });
});
