import { create, toBinary } from '@bufbuild/protobuf';
import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FunctionProtoSchema,
  ModelProtoSchema,
  OperatorSetIdProtoSchema,
  TensorProto_DataType as DT,
} from 'onnx-buf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import { buildMlp, buildSmallCnn, writeSmallCnnWithExternalData } from '../../../test/models';
import {
  createModelBuilder,
  decodeModel,
  encodeModel,
  internalizeExternalData,
  readModelFile,
  typedArrayToTensor,
  validateModel,
} from './index';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edgefleet-onnx-bad-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function caught(f: () => unknown): AppError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected an AppError, nothing was thrown');
}

async function caughtAsync(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => new Error('expected an AppError, the call succeeded'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

/** Every message says what is wrong and what to do: a sentence, then advice after a colon or period. */
function expectHelpful(err: AppError): void {
  expect(err.message.length).toBeGreaterThan(40);
  expect(err.message).toMatch(
    /[:.] .*\b(export|choose|import|re-export|copy|download|convert|put|allow|check|install|make|add|rename|unzip|decompress)\b/i,
  );
}

async function file(name: string, content: Uint8Array | string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

describe('readModelFile refuses what is not a usable model file', () => {
  it('empty file → FILE_EMPTY', async () => {
    const err = await caughtAsync(readModelFile(await file('empty.onnx', '')));
    expect(err.code).toBe('FILE_EMPTY');
    expectHelpful(err);
  });

  it('text file → MODEL_INVALID, saying it is text', async () => {
    const err = await caughtAsync(
      readModelFile(await file('notes.onnx', 'These are my notes about the model.\n')),
    );
    expect(err.code).toBe('MODEL_INVALID');
    expect(err.message).toContain('text file');
    expectHelpful(err);
  });

  it.each([
    ['HTML page', '<!DOCTYPE html><html><body>Download</body></html>', 'HTML'],
    ['JSON', '{"model": "resnet"}', 'JSON'],
    ['protobuf text format', 'ir_version: 8\ngraph { name: "g" }\n', 'text format'],
  ])('%s → MODEL_INVALID with a specific hint', async (_kind, content, hint) => {
    const err = await caughtAsync(readModelFile(await file(`x-${hint}.onnx`, content)));
    expect(err.code).toBe('MODEL_INVALID');
    expect(err.message).toContain(hint);
  });

  it('ZIP archive (PyTorch checkpoint) → MODEL_INVALID pointing at torch.onnx.export', async () => {
    const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0, 8, 0, 1, 2, 3, 4, 5, 6]);
    const err = await caughtAsync(readModelFile(await file('model.pt', zip)));
    expect(err.code).toBe('MODEL_INVALID');
    expect(err.message).toContain('torch.onnx.export');
  });

  it('truncated at any point → MODEL_INVALID (never a crash, never a half model)', () => {
    const bytes = encodeModel(buildSmallCnn());
    for (let cut = 1; cut < bytes.length; cut += 97) {
      const err = caught(() => decodeModel(bytes.subarray(0, cut)));
      expect(err.code).toBe('MODEL_INVALID');
    }
  });

  it('ModelProto without graph, or with ir_version 0 → MODEL_INVALID', () => {
    const noGraph = toBinary(ModelProtoSchema, create(ModelProtoSchema, { irVersion: 8n }));
    expect(caught(() => decodeModel(noGraph)).message).toContain('no graph');
    const model = buildMlp();
    model.irVersion = 0n;
    expect(caught(() => decodeModel(encodeModel(model))).message).toContain('ir_version');
  });

  it('path that does not exist → FILE_NOT_FOUND', async () => {
    const err = await caughtAsync(readModelFile(join(dir, 'nope', 'missing.onnx')));
    expect(err.code).toBe('FILE_NOT_FOUND');
    expectHelpful(err);
  });

  it('a directory → FILE_UNREADABLE', async () => {
    const sub = join(dir, 'a-folder.onnx');
    await mkdir(sub, { recursive: true });
    const err = await caughtAsync(readModelFile(sub));
    expect(err.code).toBe('FILE_UNREADABLE');
    expect(err.message).toContain('folder');
  });

  it('model whose external data is missing: read works (hasExternalData), internalize → EXTERNAL_DATA_MISSING', async () => {
    const ext = join(dir, 'ext');
    const files = await writeSmallCnnWithExternalData(ext);
    await unlink(files.dataPath);
    const read = await readModelFile(files.modelPath);
    expect(read.hasExternalData).toBe(true);
    const err = await caughtAsync(internalizeExternalData(read.model, ext));
    expect(err.code).toBe('EXTERNAL_DATA_MISSING');
    expectHelpful(err);
  });
});

describe('validateModel', () => {
  it('accepts the test models', () => {
    expect(() => validateModel(buildSmallCnn())).not.toThrow();
    expect(() => validateModel(buildMlp())).not.toThrow();
  });

  it('unknown opset domain → UNKNOWN_OPSET_DOMAIN naming it', async () => {
    const model = createModelBuilder()
      .opset('com.acme.custom', 1)
      .input('x', DT.FLOAT, [1])
      .output('y', DT.FLOAT, [1])
      .node('Frobnicate', ['x'], ['y'], {}, { domain: 'com.acme.custom' })
      .build();
    // Through the file path, as an import would do it.
    const read = await readModelFile(await file('custom.onnx', encodeModel(model)));
    const err = caught(() => validateModel(read.model));
    expect(err.code).toBe('UNKNOWN_OPSET_DOMAIN');
    expect(err.message).toContain("'com.acme.custom'");
    expectHelpful(err);
  });

  it('a node in a domain the model does not import → UNKNOWN_OPSET_DOMAIN', () => {
    const model = createModelBuilder()
      .input('x', DT.FLOAT, [1])
      .output('y', DT.FLOAT, [1])
      .node('FusedGemm', ['x'], ['y'], {}, { domain: 'com.microsoft' })
      .build();
    const err = caught(() => validateModel(model));
    expect(err.code).toBe('UNKNOWN_OPSET_DOMAIN');
    expect(err.message).toContain('com.microsoft');
  });

  it('known contrib domains and model-local function domains are fine; "ai.onnx" equals ""', () => {
    const model = createModelBuilder()
      .opset('com.microsoft', 1)
      .opset('local.fns', 1)
      .input('x', DT.FLOAT, [1])
      .output('y', DT.FLOAT, [1])
      .node('Relu', ['x'], ['r'], {}, { domain: 'ai.onnx' })
      .node('MyOp', ['r'], ['y'], {}, { domain: 'local.fns' })
      .build();
    model.functions.push(
      create(FunctionProtoSchema, {
        name: 'MyOp',
        domain: 'local.fns',
        input: ['a'],
        output: ['b'],
        opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: 13n })],
      }),
    );
    expect(() => validateModel(model)).not.toThrow();
  });

  it('duplicate initializer names → MODEL_INVALID', () => {
    const model = buildMlp();
    model.graph!.initializer.push(typedArrayToTensor('fc1.bias', DT.FLOAT, [1], new Float32Array(1)));
    const err = caught(() => validateModel(model));
    expect(err.code).toBe('MODEL_INVALID');
    expect(err.message).toContain('fc1.bias');
  });

  it('no opset_import, no graph, ir_version 0 → MODEL_INVALID', () => {
    const noOpset = buildMlp();
    noOpset.opsetImport = [];
    expect(caught(() => validateModel(noOpset)).code).toBe('MODEL_INVALID');
    const noGraph = buildMlp();
    noGraph.graph = undefined;
    expect(caught(() => validateModel(noGraph)).code).toBe('MODEL_INVALID');
    const noIr = buildMlp();
    noIr.irVersion = 0n;
    expect(caught(() => validateModel(noIr)).code).toBe('MODEL_INVALID');
  });
});
