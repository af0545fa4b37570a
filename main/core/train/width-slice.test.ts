import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import { buildAttentionBlock } from '../../../test/models/attention-block';
import { buildCnnClassifier } from '../../../test/models/cnn-classifier';
import { encodeModel } from '../onnx';
import { sliceWidth } from './width-slice';

describe('width:F student', () => {
  it('keeps ⌈F·C⌉ channels of every Conv/Gemm chain and still runs in ORT with the same outputs', async () => {
    const model = buildCnnClassifier({ size: 8, channels: [8, 12], hidden: 16 });
    const { model: student, sliced } = sliceWidth(model, 0.25);
    expect(sliced.map((s) => [s.from, s.to])).toEqual([
      [8, 2],
      [12, 3],
      [16, 4],
    ]);
    const session = await ort.InferenceSession.create(encodeModel(student), { logSeverityLevel: 3 });
    const out = await session.run({
      image: new ort.Tensor('float32', new Float32Array(2 * 64), [2, 1, 8, 8]),
    });
    expect(out.logits!.dims).toEqual([2, 10]);
    await session.release();
  });

  it('refuses a graph with no plain chain (STUDENT_MISMATCH)', () => {
    expect(() => sliceWidth(buildAttentionBlock(), 0.5)).toThrow(AppError);
    expect(() => sliceWidth(buildAttentionBlock(), 0.5)).toThrow(/no Conv\/Gemm chain/);
  });

  it('leaves its input model as it was', () => {
    const model = buildCnnClassifier({ size: 8 });
    const before = encodeModel(model);
    sliceWidth(model, 0.5);
    expect(encodeModel(model)).toEqual(before);
  });
});
