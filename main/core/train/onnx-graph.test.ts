import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import type { ModelProto } from 'onnx-buf';
import { encodeModel } from '../onnx';
import { createModelBuilder } from '../onnx/builder';
import { TensorProto_DataType as DT } from 'onnx-buf';
import { buildMlp, buildSmallCnn } from '../../../test/models';
import { buildAttentionBlock } from '../../../test/models/attention-block';
import { buildOpZoo } from '../../../test/models/op-zoo';
import { randomFeeds } from '../../../test/models/ort';
import { compileGraph } from './onnx-graph';
import { tf, tfReady } from './tf';
import { maxRelativeError, runEngine, runOrtFloat } from './testing';

// Tolerance: max |engine − ORT| / max(|ORT|, 1e-3 scale) ≤ 1e-4 (float32, different summation orders).
const tolerance = 1e-4;

async function expectParity(model: ModelProto): Promise<void> {
  await tfReady();
  const feeds = randomFeeds(model, 11, 2);
  const expected = await runOrtFloat(encodeModel(model), feeds);
  const actual = runEngine(model, feeds);
  for (const [name, ref] of Object.entries(expected)) {
    expect(actual[name]?.dims).toEqual(ref.dims);
    expect(maxRelativeError(actual[name]!.data, ref.data)).toBeLessThan(tolerance);
  }
}

describe('training engine forward pass equals ONNX Runtime', () => {
  it('small CNN (Conv, BatchNormalization, MaxPool, GlobalAveragePool, Flatten, Gemm)', async () => {
    await expectParity(buildSmallCnn());
  });
  it('MLP', async () => {
    await expectParity(buildMlp());
  });
  it('attention block', async () => {
    await expectParity(buildAttentionBlock());
  });
  it('op zoo: grouped/depthwise/dilated/strided Conv, pads, pools, activations, shape ops', async () => {
    await expectParity(buildOpZoo());
  });
});

describe('training engine', () => {
  it('refuses unsupported ops up front, naming op and node', async () => {
    await tfReady();
    const model = createModelBuilder()
      .input('x', DT.FLOAT, [1, 4])
      .output('y', DT.FLOAT, [1, 4])
      .node('Relu', ['x'], ['r'])
      .node('Einsum', ['r'], ['y'], { equation: 'ij->ij' }, { name: 'the_einsum' })
      .build();
    expect(() => compileGraph(model)).toThrow(/Einsum \(node 'the_einsum'\)/);
    try {
      compileGraph(model);
    } catch (err) {
      expect((err as { code: string }).code).toBe('TRAIN_UNSUPPORTED_OP');
    }
  });

  it('trains initializers and writes them into a new model that ORT runs, leaving the input as it was', async () => {
    await tfReady();
    const model = buildSmallCnn();
    const before = encodeModel(model);
    const graph = compileGraph(model);
    // BatchNormalization running statistics stay fixed; weights, biases, BN scale/shift train.
    expect([...graph.params.keys()].sort()).toEqual([
      'bn1.bias',
      'bn1.scale',
      'conv1.bias',
      'conv1.weight',
      'conv2.bias',
      'conv2.weight',
      'fc.bias',
      'fc.weight',
    ]);
    const feeds = randomFeeds(model, 3, 2);
    const x = tf.tensor(feeds.input!.data as Float32Array, [...feeds.input!.dims]);
    const target = tf.oneHot(tf.tensor1d([3], 'int32'), 10);
    const optimizer = tf.train.adam(0.05);
    const lossOf = () =>
      tf.losses.softmaxCrossEntropy(target, graph.forward({ input: x }).logits!) as tf.Scalar;
    const first = tf.tidy(() => lossOf().dataSync()[0]!);
    for (let i = 0; i < 8; i++) tf.tidy(() => void optimizer.minimize(lossOf));
    const last = tf.tidy(() => lossOf().dataSync()[0]!);
    expect(last).toBeLessThan(first * 0.5);

    const trained = graph.exportModel();
    expect(encodeModel(model)).toEqual(before);
    const ortOut = await runOrtFloat(encodeModel(trained), feeds);
    const engineOut = runEngine(trained, feeds);
    expect(maxRelativeError(engineOut.logits!.data, ortOut.logits!.data)).toBeLessThan(tolerance);
    const original = await runOrtFloat(before, feeds);
    expect(maxRelativeError(ortOut.logits!.data, original.logits!.data)).toBeGreaterThan(0.01);
    graph.dispose();
    optimizer.dispose();
    x.dispose();
    target.dispose();
  });

  it('keeps feeds of another batch size working when the graph has no fixed batch', async () => {
    await tfReady();
    const model = buildMlp();
    const graph = compileGraph(model);
    const name = graph.inputNames[0]!;
    const width = (
      model.graph!.input[0]!.type!.value.value as { shape: { dim: { value: { value: bigint } }[] } }
    ).shape.dim[1]!.value.value;
    const out = tf.tidy(
      () => graph.forward({ [name]: tf.zeros([5, Number(width)]) })[graph.outputNames[0]!]!.shape,
    );
    expect(out[0]).toBe(5);
    graph.dispose();
    void ort;
  });
});
