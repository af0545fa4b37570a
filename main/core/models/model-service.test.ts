import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TensorProto_DataType } from 'onnx-buf';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError, type ErrorCode } from '../../../shared/errors';
import type { VariantReport } from '../../../shared/schemas/optimize';
import {
  buildMlp,
  buildSmallCnn,
  buildSymbolicBatchModel,
  writeSmallCnnWithExternalData,
  writeTestModel,
} from '../../../test/models';
import { randomFeeds, runOrt } from '../../../test/models/ort';
import { createModelBuilder, encodeModel } from '../onnx';
import { createServices, type Services } from '../services';
import { createSilentLogger } from '../logger';

let work: string;
let services: Services;

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'ef-models-'));
  services = createServices({ dataDir: join(work, 'data'), logger: createSilentLogger() });
});
afterEach(async () => {
  await services.close();
  rmSync(work, { recursive: true, force: true });
});

function sampleReport(method: VariantReport['pass']['method']): VariantReport {
  return {
    pass: { method, converted: {}, skipped: [], calibration: null, warnings: [], durationMs: 1 },
    fidelity: {
      samples: 1,
      source: 'random',
      outputs: [],
      accuracy: null,
      tensors: [],
      sizeBytes: { parent: 2, variant: 1, ratio: 0.5 },
      latencyMs: { parent: 1, variant: 1, ratio: 1, runs: 1 },
      warnings: [],
    },
  };
}

const storeFiles = () => readdirSync(services.store.dir);
const rowCount = () => (services.db.prepare('SELECT COUNT(*) AS n FROM models').get() as { n: number }).n;

async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<AppError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe(code);
    return err as AppError;
  }
  throw new Error(`expected ${code}, but it succeeded`);
}

describe('model library', () => {
  it('imports a model: validated, content-addressed copy, summary, row', async () => {
    const path = join(work, 'cnn.onnx');
    const bytes = await writeTestModel(buildSmallCnn(), path);
    const phases: string[] = [];
    const { model, existed } = await services.models.importFile(path, {
      onProgress: (p) => phases.push(p.phase),
    });
    expect(existed).toBe(false);
    expect(model.name).toBe('cnn');
    expect(model.sizeBytes).toBe(bytes.byteLength);
    expect(model.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(model.summary.inputs).toEqual([{ name: 'input', elemType: 'float32', shape: [1, 3, 32, 32] }]);
    expect(model.summary.opHistogram.map((o) => o.opType)).toEqual(
      expect.arrayContaining(['Conv', 'Relu', 'Gemm']),
    );
    expect(storeFiles()).toEqual([`${model.sha256}.onnx`]);
    expect(readFileSync(services.models.pathOf(model)).equals(Buffer.from(bytes))).toBe(true);
    expect(services.models.list()).toEqual([model]);
    expect(services.models.get(model.id)).toEqual(model);
    expect(services.models.get('cnn')).toEqual(model);
    expect(phases.at(-1)).toBe('done');
  });

  it('returns the existing model when the same bytes come again, under any file name', async () => {
    const bytes = encodeModel(buildMlp());
    writeFileSync(join(work, 'a.onnx'), bytes);
    writeFileSync(join(work, 'b.onnx'), bytes);
    const first = await services.models.importFile(join(work, 'a.onnx'));
    const second = await services.models.importFile(join(work, 'b.onnx'), { name: 'other name' });
    expect(second).toEqual({ model: first.model, existed: true });
    expect(rowCount()).toBe(1);
    expect(storeFiles()).toHaveLength(1);
  });

  it('gives derived names a suffix, but refuses a taken explicit name without writing anything', async () => {
    await writeTestModel(buildSmallCnn(1), join(work, 'one/model.onnx'));
    await writeTestModel(buildSmallCnn(2), join(work, 'two/model.onnx'));
    await writeTestModel(buildSmallCnn(3), join(work, 'three.onnx'));
    const a = await services.models.importFile(join(work, 'one/model.onnx'));
    const b = await services.models.importFile(join(work, 'two/model.onnx'));
    expect([a.model.name, b.model.name]).toEqual(['model', 'model (2)']);
    await expectCode(services.models.importFile(join(work, 'three.onnx'), { name: 'model' }), 'NAME_TAKEN');
    expect(rowCount()).toBe(2);
    expect(storeFiles()).toHaveLength(2);
  });

  it('names a variant of a variant after its own method, and its file after its stored name', async () => {
    await writeTestModel(buildSmallCnn(1), join(work, 'm.onnx'));
    const root = (await services.models.importFile(join(work, 'm.onnx'))).model;
    const variant = (bytesSeed: number) => encodeModel(buildSmallCnn(bytesSeed));
    const lineage = (method: 'int8-static' | 'fp16') => ({
      method,
      recipe: { method },
      report: sampleReport(method),
    });

    const int8 = (await services.models.addVariant(root, variant(2), lineage('int8-static'))).model;
    expect([int8.name, int8.sourceFileName, int8.method]).toEqual([
      'm-int8-static',
      'm-int8-static.onnx',
      'int8-static',
    ]);
    const fp16 = (await services.models.addVariant(int8, variant(3), lineage('fp16'))).model;
    expect([fp16.name, fp16.sourceFileName, fp16.method, fp16.parentId]).toEqual([
      'm-int8-static-fp16',
      'm-int8-static-fp16.onnx',
      'fp16',
      int8.id,
    ]);
    // A second one of the same kind gets a counter, and its file that same name (not its sibling's).
    const again = (await services.models.addVariant(int8, variant(4), lineage('fp16'))).model;
    expect([again.name, again.sourceFileName]).toEqual([
      'm-int8-static-fp16 (2)',
      'm-int8-static-fp16 (2).onnx',
    ]);
    // A chosen name names the file too.
    const named = (await services.models.addVariant(root, variant(5), lineage('fp16'), { name: 'fast' }))
      .model;
    expect([named.name, named.sourceFileName]).toEqual(['fast', 'fast.onnx']);
  });

  it('keeps symbolic dims in the summary', async () => {
    const path = join(work, 'sym.onnx');
    await writeTestModel(buildSymbolicBatchModel(), path);
    const { model } = await services.models.importFile(path);
    expect(model.summary.inputs[0]?.shape?.[0]).toBe('batch');
  });

  it('imports a model with external data as one self-contained file that ORT runs identically', async () => {
    const files = await writeSmallCnnWithExternalData(join(work, 'ext'));
    const { model } = await services.models.importFile(files.modelPath);
    expect(storeFiles()).toEqual([`${model.sha256}.onnx`]);
    const feeds = randomFeeds(buildSmallCnn());
    const stored = await runOrt(services.models.pathOf(model), feeds);
    const reference = await runOrt(encodeModel(buildSmallCnn()), feeds);
    expect(Object.keys(stored)).toEqual(Object.keys(reference));
    for (const name of Object.keys(reference)) {
      expect(Buffer.from(stored[name]?.bytes ?? []).equals(Buffer.from(reference[name]?.bytes ?? []))).toBe(
        true,
      );
    }
    // The external data file is left where it was: import copies, never moves.
    expect(readdirSync(join(work, 'ext')).sort()).toEqual(['small-cnn.onnx', 'small-cnn.onnx.data']);
  });

  describe('bad input: a clear code, and nothing added to the store or the database', () => {
    const unknownDomain = () =>
      createModelBuilder()
        .opset('com.example.custom', 1)
        .input('x', TensorProto_DataType.FLOAT, [1, 4])
        .output('y', TensorProto_DataType.FLOAT, [1, 4])
        .node('Mystery', ['x'], ['y'], {}, { domain: 'com.example.custom' })
        .build();

    const cases: [string, ErrorCode, () => Promise<string>][] = [
      ['an empty file', 'FILE_EMPTY', async () => write('empty.onnx', new Uint8Array())],
      [
        'a text file',
        'MODEL_INVALID',
        async () => write('notes.onnx', Buffer.from('hello, this is not a model\n')),
      ],
      [
        'a truncated model',
        'MODEL_INVALID',
        async () => {
          const bytes = encodeModel(buildSmallCnn());
          return write('half.onnx', bytes.subarray(0, Math.floor(bytes.length / 2)));
        },
      ],
      [
        'a model with an unknown opset domain',
        'UNKNOWN_OPSET_DOMAIN',
        async () => write('dom.onnx', encodeModel(unknownDomain())),
      ],
      [
        'a model whose external data is missing',
        'EXTERNAL_DATA_MISSING',
        async () => {
          const files = await writeSmallCnnWithExternalData(join(work, 'gone'));
          rmSync(files.dataPath);
          return files.modelPath;
        },
      ],
      ['a path that does not exist', 'FILE_NOT_FOUND', async () => join(work, 'nope.onnx')],
    ];

    function write(name: string, bytes: Uint8Array): string {
      const path = join(work, name);
      writeFileSync(path, bytes);
      return path;
    }

    it.each(cases)('%s → %s', async (_label, code, make) => {
      const path = await make();
      const err = await expectCode(services.models.importFile(path), code);
      expect(err.message.length).toBeGreaterThan(20);
      expect(rowCount()).toBe(0);
      expect(storeFiles()).toEqual([]);
    });
  });

  it('stops on cancel before anything is written', async () => {
    const path = join(work, 'cnn.onnx');
    await writeTestModel(buildSmallCnn(), path);
    const controller = new AbortController();
    const result = services.models.importFile(path, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === 'validating') controller.abort();
      },
    });
    await expectCode(result, 'CANCELLED');
    expect(rowCount()).toBe(0);
    expect(storeFiles()).toEqual([]);
  });

  it('removes a model and its file; refuses a model that has variants', async () => {
    const path = join(work, 'cnn.onnx');
    await writeTestModel(buildSmallCnn(), path);
    const { model } = await services.models.importFile(path);
    await writeTestModel(buildSmallCnn(9), join(work, 'variant.onnx'));
    const { model: variant } = await services.models.importFile(join(work, 'variant.onnx'));
    services.db
      .prepare('UPDATE models SET parent_id = ?, method = ? WHERE id = ?')
      .run(model.id, 'test', variant.id);

    const err = await expectCode(services.models.remove(model.id), 'MODEL_IN_USE');
    expect(err.message).toContain('variant');
    expect(rowCount()).toBe(2);
    expect(storeFiles()).toHaveLength(2);

    expect(await services.models.remove(variant.id)).toEqual({ id: variant.id, fileDeleted: true });
    expect(await services.models.remove('cnn')).toEqual({ id: model.id, fileDeleted: true });
    expect(rowCount()).toBe(0);
    expect(storeFiles()).toEqual([]);
    await expectCode(services.models.remove('cnn'), 'NOT_FOUND');
  });
});
