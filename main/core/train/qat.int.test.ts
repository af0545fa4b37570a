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
import { tensorToTypedArray, typedArrayToTensor } from '../onnx/tensor';
import { compileGraph } from './onnx-graph';
import { fromQatGraph, LOG_SCALE_UNITS, STEP_UNITS, toQatGraph } from './qat';
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

  it('exports what trained: moved weights and learned activation scales run in ONNX Runtime as in the engine', async () => {
    await tfReady();
    // Biases of a trained model (the fresh ones are 0, which any scale quantizes alike).
    const biased = buildCnnClassifier({ size: 8, channels: [8, 8], hidden: 16, seed: 3 });
    const rng = createRng(31);
    biased.graph!.initializer = biased.graph!.initializer.map((t) =>
      t.name.endsWith('.bias')
        ? typedArrayToTensor(
            t.name,
            t.dataType,
            t.dims.map(Number),
            randomFloats(rng, Number(t.dims[0]), 0.5),
          )
        : t,
    );
    const qdq = await ptqModel(biased);
    const qat = toQatGraph(qdq);
    expect(qat.scales.size).toBeGreaterThan(0);
    const graph = compileGraph(qat.model);
    let trained;
    try {
      // As a training run would leave them: every activation range 20 % narrower, weights moved by a
      // fraction of a step (and biases, in float units).
      const values = graph.snapshot();
      for (const [name, v] of values) {
        if (qat.scales.has(name)) v[0] = v[0]! + Math.log(0.8) / LOG_SCALE_UNITS;
        else
          v.forEach(
            (x, i) =>
              (v[i] = x + 0.3 * Math.sin(i) * (qat.weights.get(name)?.stepUnits ? 1 / STEP_UNITS : 1e-3)),
          );
      }
      graph.restore(values);
      trained = graph.exportModel();
    } finally {
      graph.dispose();
    }
    const feeds = {
      image: new ort.Tensor('float32', randomFloats(createRng(19), 4 * 64, 1), [4, 1, 8, 8]),
    };
    const exported = fromQatGraph(qdq, trained, qat.weights, qat.scales);
    const scaleName = [...qat.scales.values()][0]!;
    const scaleOf = (m: typeof qdq) =>
      (tensorToTypedArray(m.graph!.initializer.find((t) => t.name === scaleName)!) as Float32Array)[0]!;
    expect(scaleOf(exported) / scaleOf(qdq)).toBeCloseTo(0.8, 5);
    const ortOut = await runOrtFloat(encodeModel(exported), feeds);
    const engineOut = runEngine(trained, feeds);
    expect(maxRelativeError(engineOut.logits!.data, ortOut.logits!.data)).toBeLessThan(0.02);
    // And the export differs from the untrained model (the change reached ONNX Runtime).
    const before = await runOrtFloat(encodeModel(qdq), feeds);
    expect(maxRelativeError(before.logits!.data, ortOut.logits!.data)).toBeGreaterThan(0.01);
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
    // Held-out checks ran in ONNX Runtime on the QDQ model the fake-quant graph stands for (it has no Qat ops).
    expect(outcome.pass.training!.fidelityBefore).toBeGreaterThan(0.9);
    const session = await ort.InferenceSession.create(outcome.bytes, { logSeverityLevel: 3 });
    await session.release();
  });
});
