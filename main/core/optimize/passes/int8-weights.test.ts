import * as ort from 'onnxruntime-node';
import { TensorProto_DataType as DT, type ModelProto } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../shared/errors';
import { createModelBuilder, decodeModel, encodeModel } from '../../onnx';
import { createRng, randomFloats } from '../../../../test/models';
import { float32Samples, memorySampleSource } from '../calibrate/memory-source';
import { outputHeads } from '../search/output-heads';
import { storeWeightsAsInt8 } from './int8-weights';

const signal = new AbortController().signal;

/**
 * Pointwise Conv 16→32 → Relu → depthwise 3×3 → pointwise 32→64 → GlobalAveragePool → Flatten →
 * Gemm (transB) 64→40 → Relu → MatMul 40→20 → Softmax: every kind of weight the pass handles.
 */
function buildNet(): ModelProto {
  const rng = createRng(11);
  // A few input channels carry weights 30× the others, as trained nets do.
  const pw1 = randomFloats(rng, 32 * 16, 0.3).map((v, i) => (i % 16 === 5 ? v * 30 : v));
  return createModelBuilder({ opset: 13 })
    .input('x', DT.FLOAT, [1, 16, 8, 8])
    .output('p', DT.FLOAT, [1, 20])
    .initializer('pw1', DT.FLOAT, [32, 16, 1, 1], pw1)
    .initializer('dw', DT.FLOAT, [32, 1, 3, 3], randomFloats(rng, 32 * 9, 0.5))
    .initializer('pw2', DT.FLOAT, [64, 32, 1, 1], randomFloats(rng, 64 * 32, 0.3))
    .initializer('fc', DT.FLOAT, [40, 64], randomFloats(rng, 40 * 64, 0.3))
    .initializer('fcb', DT.FLOAT, [40], randomFloats(rng, 40, 0.1))
    .initializer('head', DT.FLOAT, [40, 20], randomFloats(rng, 40 * 20, 0.3))
    .node('Conv', ['x', 'pw1'], ['a'])
    .node('Relu', ['a'], ['r'])
    .node('Conv', ['r', 'dw'], ['d'], { group: 32, pads: [1, 1, 1, 1] })
    .node('Conv', ['d', 'pw2'], ['b'])
    .node('GlobalAveragePool', ['b'], ['g'])
    .node('Flatten', ['g'], ['f'])
    .node('Gemm', ['f', 'fc', 'fcb'], ['h'], { transB: 1 })
    .node('Relu', ['h'], ['hr'])
    .node('MatMul', ['hr', 'head'], ['logits'], {}, { name: 'head_matmul' })
    .node('Softmax', ['logits'], ['p'], { axis: -1 })
    .build();
}

const samples = (count: number, seed: number) => {
  const rng = createRng(seed);
  // channel 5 small: its large weights matter little
  return float32Samples('x', [1, 16, 8, 8], count, (_, i) =>
    Math.floor(i / 64) % 16 === 5 ? 0.02 * (rng() - 0.5) : 2 * (rng() + rng() - 1),
  );
};

async function outputs(model: ModelProto, feeds: ReturnType<typeof samples>): Promise<Float32Array[]> {
  const s = await ort.InferenceSession.create(encodeModel(model), { logSeverityLevel: 3 });
  try {
    const out: Float32Array[] = [];
    for (const f of feeds) out.push(Object.values(await s.run(f))[0]!.data as Float32Array);
    return out;
  } finally {
    await s.release();
  }
}

function sqnrDb(ref: Float32Array[], got: Float32Array[]): number {
  let s = 0;
  let e = 0;
  ref.forEach((r, i) =>
    r.forEach((v, j) => {
      s += v * v;
      e += (v - got[i]![j]!) ** 2;
    }),
  );
  return 10 * Math.log10(s / e);
}

describe('storeWeightsAsInt8', () => {
  it('stores pointwise Conv, Gemm and MatMul weights as int8 (GPTQ), the depthwise one as float16: smaller, close outputs', async () => {
    const model = buildNet();
    const bytes = encodeModel(model);
    const result = await storeWeightsAsInt8(decodeModel(bytes), memorySampleSource(samples(24, 1)), {
      signal,
    });
    expect(result.report.converted).toEqual({
      'Conv (int8 weights, GPTQ)': 2,
      'Gemm (int8 weights, GPTQ)': 1,
      'MatMul (int8 weights, GPTQ)': 1,
      'Conv (float16 weights)': 1,
    });
    const stored = result.model.graph!.initializer;
    expect(stored.filter((t) => t.dataType === DT.INT8)).toHaveLength(4);
    expect(stored.filter((t) => t.dataType === DT.FLOAT16)).toHaveLength(1);
    expect(stored.some((t) => ['pw1', 'pw2', 'fc', 'head', 'dw'].includes(t.name))).toBe(false);
    const variant = encodeModel(result.model);
    expect(variant.length).toBeLessThan(0.45 * bytes.length);
    const held = samples(8, 2);
    expect(sqnrDb(await outputs(model, held), await outputs(result.model, held))).toBeGreaterThan(35);
    expect(result.report.warnings.join(' ')).toMatch(/memory use does not/);
  });

  it('without calibration rounds to nearest and says so; GPTQ beats it on the same model', async () => {
    const held = samples(8, 3);
    const ref = await outputs(buildNet(), held);
    const plain = await storeWeightsAsInt8(buildNet(), undefined, { signal });
    expect(plain.report.converted['Conv (int8 weights)']).toBe(2);
    expect(plain.report.warnings.join(' ')).toMatch(/rounded to nearest/);
    const gptq = await storeWeightsAsInt8(buildNet(), memorySampleSource(samples(24, 1)), { signal });
    expect(sqnrDb(ref, await outputs(gptq.model, held))).toBeGreaterThan(
      sqnrDb(ref, await outputs(plain.model, held)),
    );
  });

  it('a model without a pointwise Conv or MatMul/Gemm weight: NOTHING_TO_QUANTIZE', async () => {
    const model = createModelBuilder({ opset: 13 })
      .input('x', DT.FLOAT, [1, 4])
      .output('y', DT.FLOAT, [1, 4])
      .node('Relu', ['x'], ['y'])
      .build();
    await expect(storeWeightsAsInt8(model, undefined, { signal })).rejects.toSatisfy(
      (e) => e instanceof AppError && e.code === 'NOTHING_TO_QUANTIZE',
    );
  });
});

describe('outputHeads', () => {
  it('finds the MatMul/Gemm that feeds an output through Softmax/Add/Reshape only', () => {
    expect(outputHeads(buildNet())).toEqual(['head_matmul']);
    const noHead = createModelBuilder({ opset: 13 })
      .input('x', DT.FLOAT, [1, 4])
      .output('y', DT.FLOAT, [1, 4])
      .initializer('w', DT.FLOAT, [4, 4], randomFloats(createRng(1), 16))
      .node('MatMul', ['x', 'w'], ['m'])
      .node('Relu', ['m'], ['y'])
      .build();
    expect(outputHeads(noHead)).toEqual([]);
  });
});
