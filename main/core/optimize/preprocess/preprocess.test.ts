import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { TensorProto_DataType as DT, type ModelProto } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../shared/errors';
import { createModelBuilder, decodeModel, defaultOpsetVersion, encodeModel, inferShapes } from '../../onnx';
import { buildSmallCnn, createRng, randomFloats } from '../../../../test/models';
import { ocrModelPath } from '../../../../test/models/ocr-models';
import { buildOpset9Ops } from '../../../../test/models/opset9-ops';
import { tempDir } from '../../../../test/fixtures/temp-dir';
import { foldConvAffine, ortBasicOptimize, preprocessForQdq, upgradeOpset } from '.';

const scratch = tempDir('ef-preprocess-');

function paddleModel(name: string): ModelProto {
  const b = readFileSync(ocrModelPath(name));
  return decodeModel(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
}

async function run(
  model: ModelProto,
  feeds: Record<string, ort.Tensor>,
): Promise<Record<string, Float32Array>> {
  const s = await ort.InferenceSession.create(encodeModel(model), { logSeverityLevel: 3 });
  try {
    const out = await s.run(feeds);
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
  } finally {
    await s.release();
  }
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const input = (dims: number[], seed = 1) =>
  new ort.Tensor(
    'float32',
    randomFloats(
      createRng(seed),
      dims.reduce((a, b) => a * b, 1),
    ),
    dims,
  );

describe('ortBasicOptimize', () => {
  it('folds BatchNormalization into the Conv, keeps input/output names, drops the opset imports ORT adds', async () => {
    const model = buildSmallCnn();
    const before = encodeModel(model);
    const pre = await ortBasicOptimize(model, scratch);
    const ops = pre.graph!.node.map((n) => n.opType);
    expect(ops).not.toContain('BatchNormalization');
    expect(ops.filter((o) => o === 'Conv')).toHaveLength(2);
    expect(pre.graph!.input.map((v) => v.name)).toEqual(['input']);
    expect(pre.graph!.output.map((v) => v.name)).toEqual(['logits']);
    expect(pre.opsetImport.map((o) => o.domain)).toEqual(['']);
    expect(encodeModel(model)).toEqual(before);
    const feeds = { input: input([1, 3, 32, 32]) };
    expect(maxAbsDiff((await run(model, feeds)).logits!, (await run(pre, feeds)).logits!)).toBeLessThan(1e-5);
  });

  it('reports a model ORT cannot load as MODEL_INVALID', async () => {
    const bad = createModelBuilder()
      .input('x', DT.FLOAT, [2])
      .output('y', DT.FLOAT, [2])
      .node('NoSuchOp', ['x'], ['y'])
      .build();
    await expect(ortBasicOptimize(bad, scratch)).rejects.toSatisfy(
      (e) => e instanceof AppError && e.code === 'MODEL_INVALID',
    );
  });
});

describe('foldConvAffine', () => {
  it('folds Mul(k, conv) with k of shape [1] and Add(·, d[C,1,1]) into the conv, same outputs', async () => {
    const rng = createRng(4);
    const model = createModelBuilder({ opset: 13 })
      .input('x', DT.FLOAT, [1, 2, 6, 6])
      .output('y', DT.FLOAT, [1, 4, 6, 6])
      .initializer('w', DT.FLOAT, [4, 2, 3, 3], randomFloats(rng, 72))
      .initializer('b', DT.FLOAT, [4], randomFloats(rng, 4))
      .initializer('k', DT.FLOAT, [1], Float32Array.of(1.7))
      .initializer('d', DT.FLOAT, [4, 1, 1], Float32Array.of(0.1, -0.2, 0.3, 0.4))
      .node('Conv', ['x', 'w', 'b'], ['c'], { pads: [1, 1, 1, 1] })
      .node('Mul', ['k', 'c'], ['m'])
      .node('Add', ['m', 'd'], ['a'])
      .node('Relu', ['a'], ['y'])
      .build();
    const copy = decodeModel(encodeModel(model));
    expect(foldConvAffine(copy)).toBe(2);
    expect(copy.graph!.node.map((n) => n.opType)).toEqual(['Conv', 'Relu']);
    expect(copy.graph!.initializer.map((t) => t.name).sort()).toEqual(['b_folded', 'w_folded']);
    const feeds = { x: input([1, 2, 6, 6], 9) };
    expect(maxAbsDiff((await run(model, feeds)).y!, (await run(copy, feeds)).y!)).toBeLessThan(1e-5);
  });

  it('leaves a conv whose output has two readers, or a non-per-channel constant', () => {
    const rng = createRng(4);
    const model = createModelBuilder({ opset: 13 })
      .input('x', DT.FLOAT, [1, 2, 4, 4])
      .output('y', DT.FLOAT, [1, 4, 4, 4])
      .output('z', DT.FLOAT, [1, 4, 4, 4])
      .initializer('w', DT.FLOAT, [4, 2, 1, 1], randomFloats(rng, 8))
      .initializer('s', DT.FLOAT, [1, 1, 4, 1], randomFloats(rng, 4))
      .node('Conv', ['x', 'w'], ['c'])
      .node('Mul', ['c', 's'], ['y'])
      .node('Conv', ['x', 'w'], ['c2'])
      .node('Relu', ['c2'], ['r'])
      .node('Add', ['c2', 'r'], ['z'])
      .build();
    expect(foldConvAffine(model)).toBe(0);
  });
});

describe('upgradeOpset (→ 13)', () => {
  it('converts opset-9 Clip, Slice, Squeeze, Unsqueeze, Softmax, Pad, ReduceSum, Split, TopK, Dropout: same outputs', async () => {
    const model = buildOpset9Ops();
    const upgraded = decodeModel(encodeModel(model));
    const result = upgradeOpset(upgraded, inferShapes(upgraded));
    expect(result).toMatchObject({ ok: true, from: 9, to: 13 });
    expect(defaultOpsetVersion(upgraded)).toBe(13);
    expect(upgraded.irVersion).toBe(7n);
    expect(upgraded.graph!.node.find((n) => n.output[0] === 'drop')!.opType).toBe('Identity');
    const feeds = { x: input([2, 3, 4], 3) };
    const a = await run(model, feeds);
    const b = await run(upgraded, feeds);
    for (const k of Object.keys(a)) expect([k, ...b[k]!]).toEqual([k, ...a[k]!]);
  });

  it('refuses Upsample and a Softmax whose axis is not the last one, and leaves the model untouched', () => {
    const model = createModelBuilder({ opset: 9 })
      .input('x', DT.FLOAT, [1, 2, 3, 3])
      .output('y', DT.FLOAT, null)
      .output('s', DT.FLOAT, null)
      .initializer('scales', DT.FLOAT, [4], Float32Array.of(1, 1, 2, 2))
      .node('Upsample', ['x', 'scales'], ['y'], { mode: 'nearest' }, { name: 'up' })
      .node('Softmax', ['x'], ['s'], {}, { name: 'sm' })
      .build();
    const before = encodeModel(model);
    const result = upgradeOpset(model, inferShapes(model));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reasons.join('\n')).toMatch(/Upsample 'up'.*deprecated/);
    expect(result.reasons.join('\n')).toMatch(/Softmax 'sm': axis 1 of a rank-4 input is not the last one/);
    expect(encodeModel(model)).toEqual(before);
  });

  it('PaddleOCR cls and rec (opset 9, after ORT basic) upgrade with the same outputs', async () => {
    for (const [name, dims] of [
      ['ch_ppocr_mobile_v2.0_cls_infer.onnx', [1, 3, 48, 192]],
      ['ch_PP-OCRv4_rec_infer.onnx', [1, 3, 48, 160]],
    ] as const) {
      const pre = await ortBasicOptimize(paddleModel(name), scratch);
      const upgraded = decodeModel(encodeModel(pre));
      const result = upgradeOpset(upgraded, inferShapes(upgraded));
      expect(result.ok, name).toBe(true);
      const feeds = { x: input([...dims], 5) };
      const a = await run(pre, feeds);
      const b = await run(upgraded, feeds);
      for (const k of Object.keys(a)) expect(maxAbsDiff(a[k]!, b[k]!), name).toBeLessThan(1e-6);
    }
  });
});

describe('preprocessForQdq', () => {
  it('per-channel on a model that cannot be upgraded: OPSET_TOO_OLD suggesting per-tensor', async () => {
    // Opset 11 with a Resize mode removed in 13: upgrade refused; per-tensor still fine (opset ≥ 10).
    const model = createModelBuilder({ opset: 11 })
      .input('x', DT.FLOAT, [1, 1, 2, 2])
      .output('y', DT.FLOAT, null)
      .initializer('roi', DT.FLOAT, [0], new Float32Array(0))
      .initializer('scales', DT.FLOAT, [4], Float32Array.of(1, 1, 2, 2))
      .initializer('w', DT.FLOAT, [1, 1, 1, 1], Float32Array.of(2))
      .node('Resize', ['x', 'roi', 'scales'], ['r'], {
        mode: 'nearest',
        coordinate_transformation_mode: 'tf_half_pixel_for_nn',
      })
      .node('Conv', ['r', 'w'], ['y'])
      .build();
    await expect(preprocessForQdq(model, { scratchDir: scratch, perChannel: true })).rejects.toSatisfy(
      (e) =>
        e instanceof AppError &&
        e.code === 'OPSET_TOO_OLD' &&
        e.message.startsWith(
          'per-channel needs opset ≥ 13; this model is opset 11 — use per-tensor (omit --per-channel)',
        ),
    );
    const pre = await preprocessForQdq(model, { scratchDir: scratch, perChannel: false });
    expect(pre.opset).toBe(11);
    expect(pre.warnings.join()).toMatch(/Kept opset 11/);
  });

  it('below opset 10 without a possible upgrade: OPSET_TOO_OLD even per-tensor', async () => {
    const model = createModelBuilder({ opset: 9 })
      .input('x', DT.FLOAT, [1, 1, 2, 2])
      .output('y', DT.FLOAT, null)
      .initializer('scales', DT.FLOAT, [4], Float32Array.of(1, 1, 2, 2))
      .node('Upsample', ['x', 'scales'], ['y'], { mode: 'nearest' })
      .build();
    await expect(preprocessForQdq(model, { scratchDir: scratch, perChannel: false })).rejects.toSatisfy(
      (e) =>
        e instanceof AppError &&
        e.code === 'OPSET_TOO_OLD' &&
        /needs opset ≥ 10; this model is opset 9/.test(e.message),
    );
  });
});
