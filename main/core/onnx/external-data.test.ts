import { create, equals } from '@bufbuild/protobuf';
import { mkdir, mkdtemp, readFile, rm, symlink, truncate, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import {
  ModelProtoSchema,
  StringStringEntryProtoSchema,
  TensorProto_DataLocation,
  TensorProto_DataType as DT,
  type ModelProto,
} from 'onnx-buf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import {
  buildSmallCnn,
  randomFloats,
  createRng,
  saveModelWithExternalData,
  writeSmallCnnWithExternalData,
} from '../../../test/models';
import { randomFeeds, runOrt } from '../../../test/models/ort';
import {
  createModelBuilder,
  encodeModel,
  forEachTensor,
  hasExternalData,
  internalizeExternalData,
  readModelFile,
  typedArrayToTensor,
} from './index';

let root: string;
let caseNo = 0;
const freshDir = async () => {
  const dir = join(root, `case-${++caseNo}`);
  await mkdir(dir, { recursive: true });
  return dir;
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'edgefleet-onnx-ext-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function expectAppError(p: Promise<unknown>, code: string, ...mentions: string[]): Promise<AppError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  const appError = err as AppError;
  expect(appError.code).toBe(code);
  for (const m of mentions) expect(appError.message).toContain(m);
  return appError;
}

/** Rewrites one external tensor's entry `key` in the model file. */
async function patchExternalEntry(modelPath: string, key: string, value: string): Promise<ModelProto> {
  const { model } = await readModelFile(modelPath);
  forEachTensor(model, (t) => {
    if (t.name !== 'conv2.weight') return;
    const entry = t.externalData.find((e) => e.key === key);
    if (entry) entry.value = value;
    else t.externalData.push(create(StringStringEntryProtoSchema, { key, value }));
  });
  return model;
}

describe('internalizeExternalData', () => {
  it('loads every external tensor; ONNX Runtime output equals the all-in-one model', async () => {
    const dir = await freshDir();
    const files = await writeSmallCnnWithExternalData(dir);
    expect(files.externalTensors).toEqual(['conv1.weight', 'conv2.weight', 'fc.weight']);

    const read = await readModelFile(files.modelPath);
    expect(read.hasExternalData).toBe(true);
    const internal = await internalizeExternalData(read.model, dir);
    expect(hasExternalData(internal)).toBe(false);
    expect(hasExternalData(read.model)).toBe(true); // the input is not modified

    const allInOne = buildSmallCnn();
    expect(equals(ModelProtoSchema, internal, allInOne)).toBe(true);
    expect(encodeModel(internal)).toEqual(encodeModel(allInOne));

    const feeds = randomFeeds(allInOne, 5);
    const expected = await runOrt(encodeModel(allInOne), feeds);
    const actual = await runOrt(encodeModel(internal), feeds);
    expect(Buffer.from(actual.logits!.bytes).equals(Buffer.from(expected.logits!.bytes))).toBe(true);
    // ONNX Runtime reads our external-data layout itself, too: the test writer is right.
    const direct = await runOrt(files.modelPath, feeds);
    expect(Buffer.from(direct.logits!.bytes).equals(Buffer.from(expected.logits!.bytes))).toBe(true);
  });

  it('honours offsets (aligned data file) and tensors in Constant nodes and If branches', async () => {
    const dir = await freshDir();
    const rng = createRng(9);
    const branch = (op: string, name: string) =>
      createModelBuilder({ graphName: name })
        .output(`${name}_out`, DT.FLOAT, [64])
        .node('Constant', [], [`${name}_c`], {
          value: typedArrayToTensor(`${name}_const`, DT.FLOAT, [64], randomFloats(rng, 64)),
        })
        .node(op, ['x', `${name}_c`], [`${name}_out`])
        .buildGraph();
    const model = createModelBuilder({ opset: 13 })
      .input('x', DT.FLOAT, [64])
      .input('cond', DT.BOOL, [])
      .output('y', DT.FLOAT, [64])
      .initializer('w', DT.FLOAT, [64], randomFloats(rng, 64))
      .node('Constant', [], ['c'], {
        value: typedArrayToTensor('c_const', DT.FLOAT, [64], randomFloats(rng, 64)),
      })
      .node('Mul', ['x', 'w'], ['xw'])
      .node('If', ['cond'], ['branch'], {
        then_branch: branch('Add', 'then'),
        else_branch: branch('Sub', 'else'),
      })
      .node('Add', ['branch', 'c'], ['y'])
      .build();
    // ONNX's writer aligns to 4096 when asked; any offset must work.
    const files = await saveModelWithExternalData(model, dir, 'if.onnx', { threshold: 100, align: 4096 });
    expect(files.externalTensors.sort()).toEqual(['c_const', 'else_const', 'then_const', 'w']);

    const read = await readModelFile(files.modelPath);
    const internal = await internalizeExternalData(read.model, dir);
    expect(equals(ModelProtoSchema, internal, model)).toBe(true);

    const x = new ort.Tensor('float32', randomFloats(rng, 64), [64]);
    for (const c of [true, false]) {
      const feeds = { x, cond: new ort.Tensor('bool', [c], []) };
      const expected = await runOrt(encodeModel(model), feeds);
      const actual = await runOrt(encodeModel(internal), feeds);
      expect(Buffer.from(actual.y!.bytes).equals(Buffer.from(expected.y!.bytes))).toBe(true);
    }
  });

  it('data file missing → EXTERNAL_DATA_MISSING naming the tensor and the file', async () => {
    const dir = await freshDir();
    const files = await writeSmallCnnWithExternalData(dir);
    await unlink(files.dataPath);
    const { model } = await readModelFile(files.modelPath);
    await expectAppError(
      internalizeExternalData(model, dir),
      'EXTERNAL_DATA_MISSING',
      'conv1.weight',
      files.dataFileName,
    );
  });

  it.each([
    ['../outside.data', "'..'"],
    ['sub/../../outside.data', "'..'"],
    ['/etc/passwd', 'absolute'],
    ['C:\\weights.data', 'absolute'],
    ['\\\\server\\share\\w.data', 'absolute'],
  ])('location %s → EXTERNAL_DATA_INVALID', async (location, why) => {
    const dir = await freshDir();
    const files = await writeSmallCnnWithExternalData(dir);
    const model = await patchExternalEntry(files.modelPath, 'location', location);
    await expectAppError(internalizeExternalData(model, dir), 'EXTERNAL_DATA_INVALID', location, why);
  });

  it('a symlink leading out of the model folder → EXTERNAL_DATA_INVALID', async () => {
    const dir = await freshDir();
    const files = await writeSmallCnnWithExternalData(dir);
    const outside = join(root, `outside-${caseNo}.data`);
    await writeFile(outside, await readFile(files.dataPath));
    await unlink(files.dataPath);
    await symlink(outside, files.dataPath);
    const { model } = await readModelFile(files.modelPath);
    await expectAppError(internalizeExternalData(model, dir), 'EXTERNAL_DATA_INVALID', 'outside');
  });

  it('truncated data file → EXTERNAL_DATA_INVALID', async () => {
    const dir = await freshDir();
    const files = await writeSmallCnnWithExternalData(dir);
    await truncate(files.dataPath, 1000);
    const { model } = await readModelFile(files.modelPath);
    await expectAppError(
      internalizeExternalData(model, dir),
      'EXTERNAL_DATA_INVALID',
      'conv2.weight',
      'truncated',
    );
  });

  it('offset past the end → EXTERNAL_DATA_INVALID; bad numbers and wrong lengths too', async () => {
    const dir = await freshDir();
    const files = await writeSmallCnnWithExternalData(dir);
    const farOffset = await patchExternalEntry(files.modelPath, 'offset', '999999');
    await expectAppError(internalizeExternalData(farOffset, dir), 'EXTERNAL_DATA_INVALID', 'conv2.weight');
    const notANumber = await patchExternalEntry(files.modelPath, 'offset', '-4');
    await expectAppError(internalizeExternalData(notANumber, dir), 'EXTERNAL_DATA_INVALID', "'-4'");
    const wrongLength = await patchExternalEntry(files.modelPath, 'length', '12');
    await expectAppError(
      internalizeExternalData(wrongLength, dir),
      'EXTERNAL_DATA_INVALID',
      'needs 4608 bytes',
    );
  });

  it('without `length` the size follows from the shape', async () => {
    const dir = await freshDir();
    const files = await writeSmallCnnWithExternalData(dir);
    const { model } = await readModelFile(files.modelPath);
    forEachTensor(model, (t) => {
      t.externalData = t.externalData.filter((e) => e.key !== 'length');
    });
    const internal = await internalizeExternalData(model, dir);
    expect(equals(ModelProtoSchema, internal, buildSmallCnn())).toBe(true);
  });

  it('more than 2 GB in total → MODEL_TOO_LARGE before reading anything', async () => {
    const dir = await freshDir();
    const files = await writeSmallCnnWithExternalData(dir);
    const { model } = await readModelFile(files.modelPath);
    forEachTensor(model, (t) => {
      if (t.name !== 'fc.weight') return;
      t.dims = [70_000n, 10_000n]; // 2.8 GB of float32
      t.externalData = t.externalData.filter((e) => e.key !== 'length');
    });
    await expectAppError(internalizeExternalData(model, dir), 'MODEL_TOO_LARGE', 'GB');
    // The limit is a parameter, so the check itself is testable with small files.
    const { model: small } = await readModelFile(files.modelPath);
    await expectAppError(internalizeExternalData(small, dir, { maxBytes: 4096 }), 'MODEL_TOO_LARGE');
  });

  it('a model without external data comes back equal (a copy)', async () => {
    const model = buildSmallCnn();
    const copy = await internalizeExternalData(model, '/nonexistent');
    expect(copy).not.toBe(model);
    expect(equals(ModelProtoSchema, copy, model)).toBe(true);
  });

  it('an external tensor without location → EXTERNAL_DATA_INVALID', async () => {
    const model = buildSmallCnn();
    forEachTensor(model, (t) => {
      if (t.name === 'fc.bias') t.dataLocation = TensorProto_DataLocation.EXTERNAL;
    });
    await expectAppError(
      internalizeExternalData(model, root),
      'EXTERNAL_DATA_INVALID',
      'fc.bias',
      'location',
    );
  });
});
