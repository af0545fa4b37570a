import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { TensorProto_DataType as DT, type ModelProto } from 'onnx-buf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fp16ConfigSchema, type Fp16Config } from '../../../../shared/schemas/optimize';
import {
  attrFloat,
  createModelBuilder,
  encodeModel,
  getAttr,
  inferShapes,
  initializerMap,
  makeValueInfo,
  producerMap,
  typedArrayToTensor,
} from '../../onnx';
import { buildMlp, buildSmallCnn, createRng, randomFloats } from '../../../../test/models';
import { buildAttentionBlock } from '../../../../test/models/attention-block';
import { randomFeeds } from '../../../../test/models/ort';
import type { PassContext, PassResult } from '../types';
import { float32ToFloat16Bits } from './fp16-bits';
import { fp16Pass } from './fp16';
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
import { valueInfoElemType } from './graph-edit';

let scratch: Awaited<ReturnType<typeof makeScratch>>;
let ctx: PassContext;
beforeAll(async () => {
  scratch = await makeScratch();
  ctx = scratch.ctx;
});
afterAll(() => scratch.cleanup());

const config = (c: Partial<Fp16Config> = {}): Fp16Config => fp16ConfigSchema.parse(c);

type Converted = { result: PassResult; cos: number; weightRatio: number; checker: string; path: string };

async function convertAndRun(
  name: string,
  model: ModelProto,
  feeds: Feeds,
  c: Partial<Fp16Config> = {},
): Promise<Converted> {
  const before = Buffer.from(encodeModel(model));
  const result = await fp16Pass.run(model, config(c), ctx);
  expect(Buffer.from(encodeModel(model)).equals(before)).toBe(true); // the input model is never modified
  const bytes = encodeModel(result.model);
  const path = join(scratch.dir, `${name}.onnx`);
  await writeFile(path, bytes);
  const [parent, variant] = [await runModel(model, feeds), await runModel(bytes, feeds)];
  const out = model.graph!.output[0]!.name;
  const weightRatio = weightBytes(result.model).total / weightBytes(model).total;
  return {
    result,
    cos: cosine(parent.outputs[out]!, variant.outputs[out]!),
    weightRatio,
    checker: (await checkWithOnnx([path]))[path]!,
    path,
  };
}

function expectFloat32Io(model: ModelProto): void {
  const g = model.graph!;
  for (const vi of [...g.input, ...g.output]) expect(valueInfoElemType(vi), vi.name).toBe(DT.FLOAT);
}

describe('fp16 on test models and PaddleOCR', () => {
  const cases: [string, () => Promise<{ model: ModelProto; feeds: Feeds }>][] = [
    ['small CNN', async () => ({ model: buildSmallCnn(), feeds: randomFeeds(buildSmallCnn()) })],
    ['MLP', async () => ({ model: buildMlp(), feeds: randomFeeds(buildMlp()) })],
    [
      'attention block',
      async () => ({ model: buildAttentionBlock(), feeds: randomFeeds(buildAttentionBlock(), 3, 2) }),
    ],
    [
      'PaddleOCR cls',
      async () => ({
        model: await loadModel(join(PADDLE_DIR, 'ch_ppocr_mobile_v2.0_cls_infer.onnx')),
        feeds: { x: textImage(48, 192) },
      }),
    ],
    [
      'PaddleOCR det',
      async () => ({
        model: await loadModel(join(PADDLE_DIR, 'ch_PP-OCRv4_det_infer.onnx')),
        feeds: { x: textImage(64, 96) },
      }),
    ],
  ];
  for (const [name, make] of cases) {
    it(`${name}: half the weight bytes, cosine ≥ 0.9999, float32 I/O, valid`, async () => {
      const { model, feeds } = await make();
      const r = await convertAndRun(name.replace(/ /g, '-'), model, feeds);
      expect(r.checker).toBe('ok');
      expect(r.cos).toBeGreaterThanOrEqual(0.9999);
      expect(r.weightRatio).toBeLessThanOrEqual(0.51);
      expectFloat32Io(r.result.model);
      expect(r.result.model.graph!.output.map((o) => o.name)).toEqual(model.graph!.output.map((o) => o.name));
      expect(Object.keys(r.result.report.converted).length).toBeGreaterThan(0);
    });
  }

  it('keeps Resize in float32 (with its roi and scales) in the PaddleOCR detector', async () => {
    const model = await loadModel(join(PADDLE_DIR, 'ch_PP-OCRv4_det_infer.onnx'));
    const r = await fp16Pass.run(model, config(), ctx);
    const g = r.model.graph!;
    const types = inferShapes(r.model);
    const producers = producerMap(g);
    const resizes = g.node.filter((n) => n.opType === 'Resize');
    expect(resizes).toHaveLength(6);
    for (const n of resizes) {
      expect(n.input.map((i) => types.get(i)?.elemType)).toEqual([DT.FLOAT, DT.FLOAT, DT.FLOAT]);
      expect(producers.get(n.input[0]!)?.opType).toBe('Cast');
      expect(types.get(n.output[0]!)?.elemType).toBe(DT.FLOAT);
    }
    expect(r.report.skipped.filter((s) => s.reason === 'block list')).toHaveLength(6);
    // The detector's first BatchNormalization has variances beyond 65504: it stays float32 rather than clamped.
    expect(r.report.skipped).toContainEqual(
      expect.objectContaining({
        opType: 'BatchNormalization',
        reason: expect.stringMatching(/exceeds float16's range/) as unknown,
      }),
    );
  });
});

describe('fp16 graph rewrites', () => {
  it('rewrites an existing Cast(to=FLOAT), which onnxconverter-common leaves and ORT then refuses', async () => {
    const model = createModelBuilder({ opset: 13 })
      .input('x', DT.FLOAT, [2, 4])
      .output('y', DT.FLOAT, [2, 4])
      .initializer('steps', DT.INT64, [4], BigInt64Array.of(1n, 2n, 3n, 4n))
      .node('Cast', ['steps'], ['steps_f'], { to: DT.FLOAT }, { name: 'int_to_float' })
      .node('Abs', ['x'], ['x_abs'])
      .node('Cast', ['x_abs'], ['x_again'], { to: DT.FLOAT }, { name: 'identity_cast' })
      .node('Mul', ['x_again', 'steps_f'], ['y'])
      .build();
    const feeds = { x: new ort.Tensor('float32', randomFloats(createRng(2), 8), [2, 4]) };
    const r = await convertAndRun('cast-float', model, feeds);
    expect(r.checker).toBe('ok');
    expect(r.cos).toBeGreaterThan(0.9999);
    const g = r.result.model.graph!;
    const cast = g.node.find((n) => n.name === 'int_to_float')!;
    expect(Number(getAttr(cast, 'to')!.i)).toBe(DT.FLOAT16);
    // The identity Cast (now float16 → float16) is gone.
    expect(g.node.some((n) => n.name === 'identity_cast')).toBe(false);
    // What onnxconverter-common writes (the Cast left at FLOAT) does not even load.
    getAttr(cast, 'to')!.i = BigInt(DT.FLOAT);
    await expect(runModel(r.result.model, feeds)).rejects.toThrow(/type/i);
  });

  it('converts Constant nodes (value and value_float), ConstantOfShape and value_info, in float16 I/O mode', async () => {
    const model = createModelBuilder({ opset: 13 })
      .input('x', DT.FLOAT, [3])
      .output('y', DT.FLOAT, [3])
      .valueInfo('scaled', DT.FLOAT, [3])
      .initializer('shape', DT.INT64, [1], BigInt64Array.of(3n))
      .node('Constant', [], ['half'], { value_float: attrFloat(0.5) })
      .node('Constant', [], ['offset'], {
        value: typedArrayToTensor('offset', DT.FLOAT, [3], Float32Array.of(1, 2, 3)),
      })
      .node('ConstantOfShape', ['shape'], ['ones'], {
        value: typedArrayToTensor('value', DT.FLOAT, [1], Float32Array.of(1)),
      })
      .node('Mul', ['x', 'half'], ['scaled'])
      .node('Add', ['scaled', 'offset'], ['shifted'])
      .node('Add', ['shifted', 'ones'], ['y'])
      .build();
    const r = await fp16Pass.run(model, config({ keepIoTypes: false }), ctx);
    const g = r.model.graph!;
    expect(valueInfoElemType(g.input[0]!)).toBe(DT.FLOAT16);
    expect(valueInfoElemType(g.output[0]!)).toBe(DT.FLOAT16);
    expect(valueInfoElemType(g.valueInfo.find((v) => v.name === 'scaled')!)).toBe(DT.FLOAT16);
    expect(opCounts(r.model).Cast ?? 0).toBe(0);
    const half = g.node.find((n) => n.output[0] === 'half')!;
    expect(getAttr(half, 'value')?.t?.dataType).toBe(DT.FLOAT16);
    const x = new ort.Tensor('float16', Uint16Array.from([1, -2, 4], float32ToFloat16Bits), [3]);
    const out = await runModel(r.model, { x });
    expect([...out.outputs.y!]).toEqual([2.5, 2, 6]);
    const path = join(scratch.dir, 'constants.onnx');
    await writeFile(path, encodeModel(r.model));
    expect((await checkWithOnnx([path]))[path]).toBe('ok');
  });

  it('converts Resize when taken off the block list, keeping its scales float32', async () => {
    const model = createModelBuilder({ opset: 13 })
      .input('x', DT.FLOAT, [1, 2, 4, 4])
      .output('y', DT.FLOAT, [1, 2, 8, 8])
      .initializer('scales', DT.FLOAT, [4], Float32Array.of(1, 1, 2, 2))
      .initializer('w', DT.FLOAT, [2, 2, 1, 1], Float32Array.of(1, 0.5, -0.5, 1))
      .node('Conv', ['x', 'w'], ['c'])
      .node('Resize', ['c', '', 'scales'], ['y'], { mode: 'nearest' }, { name: 'up' })
      .build();
    const feeds = { x: new ort.Tensor('float32', randomFloats(createRng(4), 32), [1, 2, 4, 4]) };
    const r = await convertAndRun('resize-converted', model, feeds, { blockList: [] });
    expect(r.checker).toBe('ok');
    expect(r.cos).toBeGreaterThan(0.9999);
    expect(r.result.report.converted).toEqual({ Conv: 1, Resize: 1 });
    expect(initializerMap(r.result.model.graph!).get('scales')?.dataType).toBe(DT.FLOAT);
  });

  it('respects exclude by op type and by node name, with Casts only at the boundaries', async () => {
    const model = buildAttentionBlock();
    const feeds = randomFeeds(model, 3, 2);
    const r = await convertAndRun('attention-excluded', model, feeds, { exclude: ['Softmax', 'ffn2'] });
    expect(r.checker).toBe('ok');
    expect(r.cos).toBeGreaterThanOrEqual(0.9999);
    const softmaxName = model.graph!.node.find((n) => n.opType === 'Softmax')!.name;
    expect(r.result.report.skipped).toEqual([
      { node: softmaxName, opType: 'Softmax', reason: 'excluded' },
      { node: 'ffn2', opType: 'MatMul', reason: 'excluded' },
    ]);
    const g = r.result.model.graph!;
    const types = inferShapes(r.result.model);
    const softmax = g.node.find((n) => n.opType === 'Softmax')!;
    expect(types.get(softmax.input[0]!)?.elemType).toBe(DT.FLOAT);
    expect(types.get(softmax.output[0]!)?.elemType).toBe(DT.FLOAT);
    expect(initializerMap(g).get('ffn2.weight')?.dataType).toBe(DT.FLOAT);
    // Casts: input, output, Softmax in/out, ffn2 in/out = 6.
    expect(opCounts(r.result.model).Cast).toBe(6);
  });

  it('keeps nodes reading constants beyond ±65504 in float32, and reports tiny values it raised', async () => {
    const model = createModelBuilder({ opset: 13 })
      .input('x', DT.FLOAT, [2])
      .output('y', DT.FLOAT, [2])
      .initializer('big', DT.FLOAT, [2], Float32Array.of(1e5, 2))
      .initializer('tiny', DT.FLOAT, [2], Float32Array.of(1e-9, 3))
      .node('Mul', ['x', 'big'], ['m'], {}, { name: 'scale_up' })
      .node('Add', ['m', 'tiny'], ['y'], {}, { name: 'shift' })
      .build();
    const r = await fp16Pass.run(model, config(), ctx);
    expect(r.report.skipped).toEqual([
      { node: 'scale_up', opType: 'Mul', reason: "constant 'big' exceeds float16's range" },
    ]);
    expect(r.report.converted).toEqual({ Add: 1 });
    expect(r.report.warnings.join(' ')).toMatch(/1 value\(s\) in 1 tensor\(s\) \('tiny' 1\).*5\.96e-8/);
  });

  it('keeps an If node and what its branches read in float32', async () => {
    const branch = (value: number) =>
      createModelBuilder()
        .output('out', DT.FLOAT, [2])
        .initializer(`k${value}`, DT.FLOAT, [2], Float32Array.of(value, value))
        .node('Mul', ['h', `k${value}`], ['out'])
        .buildGraph();
    const model = createModelBuilder({ opset: 13 })
      .input('x', DT.FLOAT, [2])
      .input('flag', DT.BOOL, [])
      .output('y', DT.FLOAT, [2])
      .valueInfo('branch', DT.FLOAT, [2])
      .initializer('w', DT.FLOAT, [2], Float32Array.of(0.5, 0.25))
      .node('Mul', ['x', 'w'], ['h'], {}, { name: 'pre' })
      .node(
        'If',
        ['flag'],
        ['branch'],
        { then_branch: branch(2), else_branch: branch(3) },
        { name: 'choose' },
      )
      .node('Relu', ['branch'], ['y'], {}, { name: 'post' })
      .build();
    const feeds = {
      x: new ort.Tensor('float32', Float32Array.of(1, -4), [2]),
      flag: new ort.Tensor('bool', [true], []),
    };
    const r = await fp16Pass.run(model, config(), ctx);
    expect(r.report.converted).toEqual({ Relu: 1 });
    expect(r.report.skipped.map((s) => s.reason)).toEqual(['output read inside a subgraph', 'has subgraphs']);
    const out = await runModel(r.model, feeds);
    expect([...out.outputs.y!]).toEqual([1, 0]);
  });

  it('converts initializers that an old (IR 3) model also lists as graph inputs', async () => {
    const model = buildMlp();
    model.irVersion = 3n;
    for (const t of model.graph!.initializer)
      model.graph!.input.push(makeValueInfo(t.name, t.dataType, t.dims.map(Number)));
    const r = await convertAndRun('mlp-ir3', model, randomFeeds(model));
    expect(r.checker).toBe('ok');
    expect(r.cos).toBeGreaterThanOrEqual(0.9999);
    expect(r.weightRatio).toBeLessThanOrEqual(0.51);
    expect(r.result.model.graph!.input.map((v) => v.name)).toEqual(['x']);
  });

  it('refuses a model with nothing to convert', async () => {
    const ints = createModelBuilder({ opset: 13 })
      .input('a', DT.INT64, [2])
      .output('b', DT.INT64, [2])
      .node('Neg', ['a'], ['b'])
      .build();
    await expect(fp16Pass.run(ints, config(), ctx)).rejects.toMatchObject({ code: 'NOTHING_TO_CONVERT' });
    await expect(
      fp16Pass.run(buildMlp(), config({ exclude: ['MatMul', 'Add', 'Relu'] }), ctx),
    ).rejects.toMatchObject({
      code: 'NOTHING_TO_CONVERT',
      message: expect.stringMatching(/excluded/) as unknown,
    });
  });
});
