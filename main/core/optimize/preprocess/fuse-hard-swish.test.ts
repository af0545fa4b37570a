import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { TensorProto_DataType as DT, type ModelProto } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { createModelBuilder, decodeModel, defaultOpsetVersion, encodeModel, inferShapes } from '../../onnx';
import { createRng, randomFloats } from '../../../../test/models';
import { ocrModelPath } from '../../../../test/models/ocr-models';
import { tempDir } from '../../../../test/fixtures/temp-dir';
import { foldConvAffine, fuseHardSwish, ortBasicOptimize, shiftsAsBatchNorm, upgradeOpset } from '.';

const scratch = tempDir('ef-fuse-hswish-');

async function run(model: ModelProto, x: ort.Tensor): Promise<Float32Array[]> {
  const s = await ort.InferenceSession.create(encodeModel(model), { logSeverityLevel: 3 });
  try {
    return Object.values(await s.run({ x })).map((t) => t.data as Float32Array);
  } finally {
    await s.release();
  }
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const tensor = (dims: number[], seed: number, scale = 4) =>
  new ort.Tensor(
    'float32',
    randomFloats(
      createRng(seed),
      dims.reduce((a, b) => a * b, 1),
    ).map((v) => v * scale),
    dims,
  );

/**
 * Conv → hard-swish written three ways → scalar affine → a 1×1 Conv (no padding) and a padded depthwise Conv,
 * the way PaddlePaddle and old torch exports write it.
 */
function decomposedModel(opset: number): ModelProto {
  const rng = createRng(7);
  return (
    createModelBuilder({ opset })
      .input('x', DT.FLOAT, [1, 4, 6, 6])
      .output('y', DT.FLOAT, [1, 4, 6, 6])
      .output('z', DT.FLOAT, [1, 4, 6, 6])
      .initializer('w0', DT.FLOAT, [4, 4, 1, 1], randomFloats(rng, 16))
      .initializer('three', DT.FLOAT, [1], Float32Array.of(3))
      .initializer('six', DT.FLOAT, [], Float32Array.of(6))
      .initializer('sixth', DT.FLOAT, [], Float32Array.of(1 / 6))
      .initializer('zero', DT.FLOAT, [], Float32Array.of(0))
      .initializer('a', DT.FLOAT, [1], Float32Array.of(1.3))
      .initializer('b', DT.FLOAT, [1], Float32Array.of(-0.4))
      .initializer('w1', DT.FLOAT, [4, 4, 1, 1], randomFloats(rng, 16))
      .initializer('b1', DT.FLOAT, [4], randomFloats(rng, 4))
      .initializer('w2', DT.FLOAT, [4, 1, 3, 3], randomFloats(rng, 36))
      .initializer('w3', DT.FLOAT, [4, 4, 1, 1], randomFloats(rng, 16))
      .node('Conv', ['x', 'w0'], ['c0'])
      // x·Clip(x+3, 0, 6)/6
      .node('Add', ['c0', 'three'], ['p0'])
      .node('Clip', ['p0', 'zero', 'six'], ['r0'])
      .node('Mul', ['c0', 'r0'], ['m0'])
      .node('Div', ['m0', 'six'], ['h0'])
      .node('Mul', ['a', 'h0'], ['s0'])
      .node('Add', ['s0', 'b'], ['t0'])
      .node('Conv', ['t0', 'w1', 'b1'], ['c1'])
      // x·(Clip(x+3, 0, 6)·⅙)
      .node('Add', ['three', 'c1'], ['p1'])
      .node('Clip', ['p1', 'zero', 'six'], ['r1'])
      .node('Mul', ['r1', 'sixth'], ['q1'])
      .node('Mul', ['q1', 'c1'], ['h1'])
      .node('Mul', ['h1', 'a'], ['s1'])
      .node('Add', ['s1', 'b'], ['t1'])
      .node('Conv', ['t1', 'w2'], ['y'], { group: 4, pads: [1, 1, 1, 1] })
      // x·HardSigmoid(x; ⅙, ½), read by a graph output too: fused, nothing folded after it
      .node('HardSigmoid', ['y'], ['g2'], { alpha: 1 / 6, beta: 0.5 })
      .node('Mul', ['y', 'g2'], ['h2'])
      .node('Conv', ['h2', 'w3'], ['z'])
      .build()
  );
}

describe('fuseHardSwish', () => {
  it('fuses three written-out forms into HardSwish (opset 14) and folds the affines after them: same outputs', async () => {
    const model = decomposedModel(13);
    const copy = decodeModel(encodeModel(model));
    expect(fuseHardSwish(copy)).toEqual({ hardSwish: 3, affineFolded: 2 });
    expect(defaultOpsetVersion(copy)).toBe(14);
    const ops = copy.graph!.node.map((n) => n.opType);
    expect(ops.filter((o) => o === 'HardSwish')).toHaveLength(3);
    expect(ops).not.toContain('Clip');
    expect(ops).not.toContain('Div');
    // before the padded depthwise Conv only the scale folds: one Add of b/a stays
    expect(ops.filter((o) => o === 'Add')).toHaveLength(1);
    expect(ops.filter((o) => o === 'Mul')).toHaveLength(0);
    const x = tensor([1, 4, 6, 6], 3);
    const [y0, z0] = await run(model, x);
    const [y1, z1] = await run(copy, x);
    expect(maxAbsDiff(y0!, y1!)).toBeLessThan(1e-4);
    expect(maxAbsDiff(z0!, z1!)).toBeLessThan(1e-4);
  });

  it('for float execution the shift left before a padded Conv becomes a BatchNormalization: same outputs', async () => {
    const model = decomposedModel(13);
    const copy = decodeModel(encodeModel(model));
    fuseHardSwish(copy);
    expect(shiftsAsBatchNorm(copy)).toBe(1);
    const ops = copy.graph!.node.map((n) => n.opType);
    expect(ops).not.toContain('Add');
    expect(ops).toContain('BatchNormalization');
    const x = tensor([1, 4, 6, 6], 4);
    const [y0, z0] = await run(model, x);
    const [y1, z1] = await run(copy, x);
    expect(maxAbsDiff(y0!, y1!)).toBeLessThan(1e-4);
    expect(maxAbsDiff(z0!, z1!)).toBeLessThan(1e-4);
    // an Add read by something else than a Conv stays
    const other = createModelBuilder({ opset: 13 })
      .input('x', DT.FLOAT, [1, 4])
      .output('y', DT.FLOAT, [1, 4])
      .initializer('s', DT.FLOAT, [], Float32Array.of(0.5))
      .node('Add', ['x', 's'], ['a'])
      .node('Relu', ['a'], ['y'])
      .build();
    expect(shiftsAsBatchNorm(other)).toBe(0);
  });

  it('leaves opset < 13, a Clip to other bounds, and a Div by something else alone', () => {
    expect(fuseHardSwish(decomposedModel(12))).toEqual({ hardSwish: 0, affineFolded: 0 });
    const other = createModelBuilder({ opset: 13 })
      .input('x', DT.FLOAT, [1, 4])
      .output('y', DT.FLOAT, [1, 4])
      .initializer('three', DT.FLOAT, [], Float32Array.of(3))
      .initializer('five', DT.FLOAT, [], Float32Array.of(5))
      .initializer('six', DT.FLOAT, [], Float32Array.of(6))
      .initializer('zero', DT.FLOAT, [], Float32Array.of(0))
      .node('Add', ['x', 'three'], ['p'])
      .node('Clip', ['p', 'zero', 'five'], ['r'])
      .node('Mul', ['x', 'r'], ['m'])
      .node('Div', ['m', 'six'], ['y'])
      .build();
    expect(fuseHardSwish(other)).toEqual({ hardSwish: 0, affineFolded: 0 });
    expect(defaultOpsetVersion(other)).toBe(13);
  });

  it('PaddleOCR rec: 28 hard-swish fused, same outputs, and ONNX Runtime runs it', async () => {
    const b = readFileSync(ocrModelPath('ch_PP-OCRv4_rec_infer.onnx'));
    const original = decodeModel(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
    const pre = await ortBasicOptimize(original, scratch);
    foldConvAffine(pre);
    expect(upgradeOpset(pre, inferShapes(pre)).ok).toBe(true);
    const fused = fuseHardSwish(pre);
    expect(fused.hardSwish).toBe(28);
    expect(fused.affineFolded).toBeGreaterThan(20);
    const x = tensor([1, 3, 48, 160], 5, 1);
    const [a] = await run(original, x);
    const [c] = await run(pre, x);
    expect(maxAbsDiff(a!, c!)).toBeLessThan(1e-4);
  });
});
