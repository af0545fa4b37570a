import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildMlp } from '../../../test/models';
import { encodeModel } from '../onnx/model-codec';
import { assertLoadsInOrt } from './ort-load-check';

/** Issue 15 item 7: an untrusted model is first loaded by ONNX Runtime in a child process, not in the app. */

const ortInThisProcess = () =>
  /libonnxruntime|onnxruntime_binding/.test(readFileSync('/proc/self/maps', 'utf8'));

describe('the ONNX Runtime load check', () => {
  it('loads the model in a child process: ONNX Runtime never enters this one', async () => {
    expect(ortInThisProcess()).toBe(false);
    await assertLoadsInOrt(encodeModel(buildMlp()));
    expect(ortInThisProcess()).toBe(false);
  });

  it('refuses a model the runtime cannot load with MODEL_UNSUPPORTED and its reason, and stops on cancel', async () => {
    const model = buildMlp();
    model.graph!.node[0]!.opType = 'NoSuchOp';
    await expect(assertLoadsInOrt(encodeModel(model))).rejects.toMatchObject({
      code: 'MODEL_UNSUPPORTED',
      message: expect.stringMatching(/cannot load this model: .*NoSuchOp/),
    });
    const cancelled = new AbortController();
    const started = assertLoadsInOrt(encodeModel(buildMlp()), { signal: cancelled.signal });
    cancelled.abort();
    await expect(started).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
