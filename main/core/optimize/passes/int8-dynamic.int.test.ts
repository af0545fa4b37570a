import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { TensorProto_DataType as DT, type ModelProto } from 'onnx-buf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { int8DynamicConfigSchema, type Int8DynamicConfig } from '../../../../shared/schemas/optimize';
import { attrFloat, createModelBuilder, encodeModel, initializerMap, makeValueInfo } from '../../onnx';
import { buildMlp, buildSmallCnn, createRng, randomFloats } from '../../../../test/models';
import { buildAttentionBlock } from '../../../../test/models/attention-block';
import { randomFeeds } from '../../../../test/models/ort';
import type { PassContext, PassResult } from '../types';
import {
  checkWithOnnx,
  cosine,
  loadModel,
  makeScratch,
  opCounts,
  PADDLE_DIR,
  runModel,
  textImage,
  weightBytes,
  type Feeds,
} from '../../../../test/models/pass-checks';
import { opsetVersion } from './graph-edit';
import { int8DynamicPass } from './int8-dynamic';

let scratch: Awaited<ReturnType<typeof makeScratch>>;
let ctx: PassContext;
beforeAll(async () => {
  scratch = await makeScratch();
  ctx = scratch.ctx;
});
afterAll(() => scratch.cleanup());

const config = (c: Partial<Int8DynamicConfig> = {}): Int8DynamicConfig => int8DynamicConfigSchema.parse(c);

type Checked = {
  result: PassResult;
  cos: number;
  optimizedOps: Record<string, number>;
  checker: string;
  sizeRatio: number;
};

/** Quantizes, writes, checks with ONNX, runs both in ORT (level all) and compares the first output. */
async function quantizeAndRun(
  name: string,
  model: ModelProto,
  c: Partial<Int8DynamicConfig>,
  feeds: Feeds,
): Promise<Checked> {
  const before = Buffer.from(encodeModel(model));
  const result = await int8DynamicPass.run(model, config(c), ctx);
  expect(Buffer.from(encodeModel(model)).equals(before)).toBe(true); // the input model is never modified
  const bytes = encodeModel(result.model);
  const path = join(scratch.dir, `${name}.onnx`);
  await writeFile(path, bytes);
  const parent = await runModel(model, feeds);
  const variant = await runModel(bytes, feeds, join(scratch.dir, `${name}.ort.onnx`));
  const out = model.graph!.output[0]!.name;
  const checker = (await checkWithOnnx([path]))[path]!;
  return {
    result,
    cos: cosine(parent.outputs[out]!, variant.outputs[out]!),
    optimizedOps: variant.optimizedOps!,
    checker,
    sizeRatio: bytes.length / before.length,
  };
}

describe('int8-dynamic on MatMul models', () => {
  it('quantizes the MLP per tensor into DynamicQuantizeMatMul with cosine ≥ 0.999', async () => {
    const model = buildMlp();
    const r = await quantizeAndRun('mlp', model, {}, randomFeeds(model));
    expect(r.checker).toBe('ok');
    expect(r.cos).toBeGreaterThanOrEqual(0.999);
    expect(r.result.report.converted).toEqual({ MatMul: 2 });
    expect(r.optimizedOps.DynamicQuantizeMatMul).toBe(2);
    expect(r.optimizedOps.MatMulInteger ?? 0).toBe(0);
    expect(r.optimizedOps.MatMul ?? 0).toBe(0);

    const ops = opCounts(r.result.model);
    expect(ops).toMatchObject({ DynamicQuantizeLinear: 2, MatMulInteger: 2, Cast: 2, Mul: 4, Add: 2 });
    const inits = initializerMap(r.result.model.graph!);
    expect(inits.get('fc1.weight_quantized')?.dataType).toBe(DT.INT8);
    expect(inits.get('fc1.weight_zero_point')?.dims).toEqual([]);
    expect(inits.has('fc1.weight')).toBe(false); // the float weight is gone
    expect(r.result.model.graph!.output.map((o) => o.name)).toEqual(['y']);
    expect(r.result.quantizedTensors).toEqual([
      { name: 'h1', dequantizedName: 'h1', producer: 'MatMul' },
      { name: 'h2', dequantizedName: 'h2', producer: 'MatMul' },
    ]);
    expect(r.sizeRatio).toBeLessThan(0.35);
  });

  it('quantizes weights that an old (IR 3) model also lists as graph inputs', async () => {
    const model = buildMlp();
    model.irVersion = 3n;
    for (const t of model.graph!.initializer)
      model.graph!.input.push(makeValueInfo(t.name, t.dataType, t.dims.map(Number)));
    const r = await quantizeAndRun('mlp-ir3', model, {}, randomFeeds(model));
    expect(r.checker).toBe('ok');
    expect(r.result.report.converted).toEqual({ MatMul: 2 });
    expect(r.result.model.graph!.input.map((v) => v.name)).toEqual(['x', 'fc1.bias', 'fc2.bias']);
    expect(r.cos).toBeGreaterThanOrEqual(0.999);
  });

  it('quantizes per column with a zero point vector, still fused', async () => {
    const model = buildMlp();
    const r = await quantizeAndRun('mlp-pc', model, { perChannel: true }, randomFeeds(model));
    expect(r.checker).toBe('ok');
    expect(r.cos).toBeGreaterThanOrEqual(0.999);
    const inits = initializerMap(r.result.model.graph!);
    expect(inits.get('fc1.weight_scale')?.dims).toEqual([128n]);
    expect(inits.get('fc1.weight_zero_point')?.dims).toEqual([128n]);
    expect(inits.get('fc1.weight_zero_point')?.dataType).toBe(DT.INT8);
    expect(r.optimizedOps.DynamicQuantizeMatMul).toBe(2);
  });

  it('quantizes the transformer block: one DynamicQuantizeLinear per activation, cosine ≥ 0.999', async () => {
    const model = buildAttentionBlock();
    const feeds = randomFeeds(model, 3, 2);
    for (const perChannel of [false, true]) {
      const r = await quantizeAndRun(`attention-${perChannel}`, model, { perChannel }, feeds);
      expect(r.checker).toBe('ok');
      expect(r.cos).toBeGreaterThanOrEqual(0.999);
      expect(r.result.report.converted).toEqual({ MatMul: 6 });
      // The two activation × activation MatMuls stay float, with the reason.
      expect(r.result.report.skipped.map((s) => s.node).sort()).toEqual(['context_mm', 'scores_mm']);
      expect(r.result.report.skipped[0]!.reason).toBe('weight is not a constant');
      // ln1 feeds q, k and v: one shared DynamicQuantizeLinear (4 in all: ln1, context, ln2, gelu).
      const dql = r.result.model.graph!.node.filter((n) => n.opType === 'DynamicQuantizeLinear');
      expect(dql.map((n) => n.input[0]).sort()).toEqual(['context_merged', 'gelu', 'ln1', 'ln2']);
      // The shared activation fuses to MatMulIntegerToFloat (+ one DQL), the others to DynamicQuantizeMatMul.
      expect(r.optimizedOps.MatMulIntegerToFloat).toBe(3);
      expect(r.optimizedOps.DynamicQuantizeMatMul).toBe(3);
      expect(r.optimizedOps.MatMulInteger ?? 0).toBe(0);
    }
  });

  it('rewrites Gemm with transA, transB, alpha and beta exactly enough', async () => {
    const rng = createRng(9);
    const build = (withC: boolean) => {
      const b = createModelBuilder({ opset: 13 })
        .input('a', DT.FLOAT, [24, 3])
        .output('y', DT.FLOAT, [3, 16])
        .initializer('w', DT.FLOAT, [16, 24], randomFloats(rng, 16 * 24, 0.3));
      if (withC) b.initializer('c', DT.FLOAT, [16], randomFloats(rng, 16, 0.5));
      return b
        .node('Gemm', withC ? ['a', 'w', 'c'] : ['a', 'w'], ['y'], {
          transA: 1,
          transB: 1,
          alpha: attrFloat(0.5),
          beta: attrFloat(2),
        })
        .build();
    };
    for (const withC of [true, false]) {
      const model = build(withC);
      const r = await quantizeAndRun(`gemm-${withC}`, model, {}, randomFeeds(model, 4));
      expect(r.checker).toBe('ok');
      expect(r.cos).toBeGreaterThanOrEqual(0.999);
      expect(r.result.report.converted).toEqual({ Gemm: 1 });
      expect(opCounts(r.result.model).Gemm ?? 0).toBe(0);
      expect(opCounts(r.result.model).Transpose).toBe(1);
      expect(r.result.quantizedTensors).toEqual([{ name: 'y', dequantizedName: 'y', producer: 'Gemm' }]);
      expect(r.optimizedOps.DynamicQuantizeMatMul ?? r.optimizedOps.MatMulIntegerToFloat).toBe(1);
    }
  });

  it('quantizes the PaddleOCR recognizer (opset 9: raised to 11) and it runs', async () => {
    const model = await loadModel(join(PADDLE_DIR, 'ch_PP-OCRv4_rec_infer.onnx'));
    const r = await quantizeAndRun('paddle-rec', model, {}, { x: textImage(48, 160) });
    expect(r.checker).toBe('ok');
    expect(r.result.report.converted).toEqual({ MatMul: 9 });
    expect(r.result.report.skipped.filter((s) => s.reason === 'weight is not a constant')).toHaveLength(4);
    expect(r.result.report.warnings.join(' ')).toMatch(/opset was raised from 9 to 11.*Clip.*Slice/);
    expect(opsetVersion(r.result.model)).toBe(11);
    expect(r.optimizedOps.DynamicQuantizeMatMul).toBe(9);
    expect(r.cos).toBeGreaterThan(0.99);
  });
});

describe('int8-dynamic on Conv', () => {
  it('leaves Conv in float by default and quantizes the Gemm', async () => {
    const model = buildSmallCnn();
    const r = await quantizeAndRun('cnn', model, {}, randomFeeds(model));
    expect(r.checker).toBe('ok');
    expect(r.result.report.converted).toEqual({ Gemm: 1 });
    expect(r.result.report.skipped.filter((s) => s.opType === 'Conv')).toHaveLength(2);
    expect(r.result.report.skipped[0]!.reason).toMatch(/includeConv/);
    expect(opCounts(r.result.model).Conv).toBe(2);
  });

  it('with includeConv: per-tensor ConvInteger with the bias added back, runs in ORT', async () => {
    const model = buildSmallCnn();
    const r = await quantizeAndRun(
      'cnn-conv',
      model,
      { includeConv: true, perChannel: true },
      randomFeeds(model),
    );
    expect(r.checker).toBe('ok');
    expect(r.cos).toBeGreaterThanOrEqual(0.999);
    expect(r.result.report.converted).toEqual({ Conv: 2, Gemm: 1 });
    expect(r.optimizedOps.ConvInteger).toBe(2);
    const inits = initializerMap(r.result.model.graph!);
    // perChannel does not apply to Conv (ORT refuses per-channel ConvInteger zero points): per tensor.
    expect(inits.get('conv1.weight_zero_point')?.dims).toEqual([]);
    expect(inits.get('conv1.bias_reshaped')?.dims).toEqual([1n, 8n, 1n, 1n]);
    expect(r.result.report.warnings.join(' ')).toMatch(/per tensor/);
  });
});

describe('int8-dynamic refusals and exclusions', () => {
  it('refuses an already quantized model', async () => {
    const once = await int8DynamicPass.run(buildMlp(), config(), ctx);
    await expect(int8DynamicPass.run(once.model, config(), ctx)).rejects.toMatchObject({
      code: 'ALREADY_QUANTIZED',
      message: expect.stringMatching(/already quantized.*float model/) as unknown,
    });
  });

  it('refuses a model with nothing to quantize, saying why', async () => {
    const model = createModelBuilder({ opset: 13 })
      .input('a', DT.FLOAT, [2, 4])
      .input('b', DT.FLOAT, [4, 3])
      .output('y', DT.FLOAT, [2, 3])
      .node('MatMul', ['a', 'b'], ['m'])
      .node('Relu', ['m'], ['y'])
      .build();
    await expect(int8DynamicPass.run(model, config(), ctx)).rejects.toMatchObject({
      code: 'NOTHING_TO_QUANTIZE',
      message: expect.stringMatching(/weight is not a constant/) as unknown,
    });
    // Conv-only without includeConv: also nothing, pointing at static INT8.
    const cnnOnly = buildSmallCnn();
    await expect(int8DynamicPass.run(cnnOnly, config({ exclude: ['Gemm'] }), ctx)).rejects.toMatchObject({
      code: 'NOTHING_TO_QUANTIZE',
      message: expect.stringMatching(/static INT8/) as unknown,
    });
  });

  it('respects exclude by node name and by op type', async () => {
    const model = buildAttentionBlock();
    const r = await int8DynamicPass.run(model, config({ exclude: ['ffn1', 'Gemm'] }), ctx);
    expect(r.report.converted).toEqual({ MatMul: 5 });
    expect(r.report.skipped).toContainEqual({ node: 'ffn1', opType: 'MatMul', reason: 'excluded' });
    const ffn1 = r.model.graph!.node.find((n) => n.name === 'ffn1');
    expect(ffn1?.opType).toBe('MatMul');
    expect(initializerMap(r.model.graph!).get('ffn1.weight')?.dataType).toBe(DT.FLOAT);
    const ops = await runModel(r.model, randomFeeds(model, 3, 2));
    expect(ops.outputs.y?.length).toBe(2 * 8 * 32);
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      int8DynamicPass.run(buildMlp(), config(), { ...ctx, signal: controller.signal }),
    ).rejects.toMatchObject({
      code: 'CANCELLED',
    });
  });

  it('quantizes a weight shared by two MatMuls once', async () => {
    const rng = createRng(3);
    const model = createModelBuilder({ opset: 13 })
      .input('a', DT.FLOAT, [2, 8])
      .input('b', DT.FLOAT, [2, 8])
      .output('y', DT.FLOAT, [2, 4])
      .initializer('w', DT.FLOAT, [8, 4], randomFloats(rng, 32))
      .node('MatMul', ['a', 'w'], ['ya'])
      .node('MatMul', ['b', 'w'], ['yb'])
      .node('Add', ['ya', 'yb'], ['y'])
      .build();
    const r = await int8DynamicPass.run(model, config(), ctx);
    const names = r.model.graph!.initializer.map((t) => t.name).sort();
    expect(names).toEqual(['w_quantized', 'w_scale', 'w_zero_point']);
    expect(weightBytes(r.model).total).toBe(32 + 4 + 1);
    const feeds = {
      a: new ort.Tensor('float32', randomFloats(rng, 16), [2, 8]),
      b: new ort.Tensor('float32', randomFloats(rng, 16), [2, 8]),
    };
    const [p, v] = [await runModel(model, feeds), await runModel(r.model, feeds)];
    expect(cosine(p.outputs.y!, v.outputs.y!)).toBeGreaterThan(0.999);
  });
});
