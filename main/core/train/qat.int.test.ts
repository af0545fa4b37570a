import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { int8StaticConfigSchema, qatConfigSchema } from '../../../shared/schemas/optimize';
import { buildCnnClassifier } from '../../../test/models/cnn-classifier';
import { writeNpy } from '../../../test/fixtures/npy';
import { createRng, randomFloats } from '../../../test/models/prng';
import { decodeModel, encodeModel } from '../onnx';
import { openSampleSource } from '../optimize/data';
import { int8StaticPass } from '../optimize/passes/int8-static';
import { expectSingle, runOptimization } from '../optimize/run-optimization';
import { producerMap } from '../onnx/graph';
import { distillTargets } from './distill';
import { fromQatGraph, toQatGraph } from './qat';
import { tfReady } from './tf';
import { maxRelativeError, runEngine, runOrtFloat } from './testing';

let work: string;
const samples = 48;
const teacher = buildCnnClassifier({ size: 8, channels: [8, 8], hidden: 16, seed: 3 });

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ef-qat-'));
  await writeNpy(join(work, 'x.npy'), '<f4', [samples, 1, 8, 8], randomFloats(createRng(4), samples * 64, 1));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function ptqModel(model = teacher) {
  const source = await openSampleSource({ kind: 'npy', path: join(work, 'x.npy') }, model);
  const ptq = await int8StaticPass.run(model, int8StaticConfigSchema.parse({ perChannel: true }), {
    signal: new AbortController().signal,
    progress: () => {},
    calibration: source,
    scratchDir: join(work, 'scratch'),
  });
  return ptq.model;
}

describe('QAT graph', () => {
  it('distils on the logits even when the QDQ model quantizes the final Softmax output too', async () => {
    await tfReady();
    const withSoftmax = buildCnnClassifier({ size: 8, channels: [8, 8], hidden: 16, seed: 3, softmax: true });
    const qdq = await ptqModel(withSoftmax);
    const producers = producerMap(qdq.graph!);
    expect(producers.get('probabilities')?.opType).toBe('DequantizeLinear');
    expect(distillTargets(withSoftmax)).toEqual(['logits']);
    for (const model of [qdq, toQatGraph(qdq).model]) {
      const [target] = distillTargets(model);
      expect(target).not.toBe('probabilities');
      const readers = model.graph!.node.filter((n) => n.input.includes(target!));
      expect(readers.map((n) => n.opType)).toEqual(['Softmax']);
    }
  });

  it('simulates the QDQ model: fake-quant forward ≈ ONNX Runtime’s int8 kernels; round trip keeps every integer', async () => {
    await tfReady();
    const qdq = await ptqModel();
    const qat = toQatGraph(qdq);
    expect(qat.weights.size).toBeGreaterThan(0);
    const feeds = {
      image: new ort.Tensor('float32', randomFloats(createRng(9), 4 * 64, 1), [4, 1, 8, 8]),
    };
    const ortOut = await runOrtFloat(encodeModel(qdq), feeds);
    const engineOut = runEngine(qat.model, feeds);
    // Tolerance: a few quantization steps of the output (ORT requantizes in integer arithmetic).
    expect(maxRelativeError(engineOut.logits!.data, ortOut.logits!.data)).toBeLessThan(0.05);
    const back = fromQatGraph(qdq, qat.model, qat.weights);
    expect(encodeModel(back)).toEqual(encodeModel(qdq));
  });

  it('--method qat fine-tunes the QDQ model by distillation and exports QDQ that ONNX Runtime runs', async () => {
    const outcome = expectSingle(
      await runOptimization(
        {
          parentBytes: encodeModel(teacher),
          options: {
            method: 'qat',
            config: qatConfigSchema.parse({ epochs: 2, perChannel: true, learningRate: 0.001 }),
          },
          calibration: { kind: 'npy', path: join(work, 'x.npy') },
          scratchDir: join(work, 'scratch2'),
        },
        { signal: new AbortController().signal, progress: () => {} },
      ),
    );
    const ops = new Set(decodeModel(outcome.bytes).graph!.node.map((n) => n.opType));
    expect(ops.has('QuantizeLinear') && ops.has('DequantizeLinear')).toBe(true);
    expect([...ops].some((op) => op.startsWith('Qat'))).toBe(false);
    expect(outcome.pass.method).toBe('qat');
    expect(outcome.pass.training?.lossCurve).toHaveLength(2);
    expect(outcome.pass.training!.lossCurve.every(Number.isFinite)).toBe(true);
    expect(outcome.fidelity.outputs[0]!.cosine).toBeGreaterThan(0.9);
    const session = await ort.InferenceSession.create(outcome.bytes, { logSeverityLevel: 3 });
    await session.release();
  });
});
