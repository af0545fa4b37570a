// The MNIST CNN teacher of bench:distill and bench:prune: trained from He-initialised weights in the app's
// training engine (plain cross-entropy, Adam, cosine learning-rate decay, random shifts of up to 2 px),
// exported to ONNX, its accuracy measured with ONNX Runtime.
import * as ort from 'onnxruntime-node';
import { encodeModel } from '../main/core/onnx';
import { cosineLearningRate, setLearningRate } from '../main/core/train/lr-schedule';
import { compileGraph } from '../main/core/train/onnx-graph';
import { tf, tfReady } from '../main/core/train/tf';
import { buildCnnClassifier } from '../test/models/cnn-classifier';
import { createRng } from '../test/models/prng';
import { MNIST_PIXELS, shiftInto, type MnistSplit } from './mnist-data';

/** Top-1 accuracy of an ONNX classifier (input `image` [N,1,28,28], output `logits`) with ONNX Runtime. */
export async function mnistAccuracy(bytes: Uint8Array, data: MnistSplit): Promise<number> {
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3, intraOpNumThreads: 1 });
  const n = data.y.length;
  let right = 0;
  try {
    for (let start = 0; start < n; start += 256) {
      const end = Math.min(n, start + 256);
      const x = new ort.Tensor('float32', data.x.slice(start * MNIST_PIXELS, end * MNIST_PIXELS), [
        end - start,
        1,
        28,
        28,
      ]);
      const out = (await session.run({ [session.inputNames[0]!]: x }))[session.outputNames[0]!]!
        .data as Float32Array;
      for (let i = 0; i < end - start; i++) {
        const row = out.subarray(i * 10, i * 10 + 10);
        if (row.indexOf(Math.max(...row)) === data.y[start + i]) right++;
      }
    }
  } finally {
    await session.release();
  }
  return right / n;
}

export type TeacherEpoch = {
  epoch: number;
  loss: number;
  testAccuracy: number;
  samplesPerSecond: number;
  tensors: number;
};

export type TeacherOptions = {
  train: MnistSplit;
  test: MnistSplit;
  epochs: number;
  channels?: readonly [number, number];
  hidden?: number;
  batchSize?: number;
  /** Peak learning rate; cosine decay to 3 % of it over all steps. */
  learningRate?: number;
  seed?: number;
  /** After each epoch's test accuracy (the distill bench reads memory here). */
  onEpoch?: (e: TeacherEpoch) => void;
};

export type Teacher = {
  bytes: Uint8Array;
  parameters: number;
  testAccuracy: number;
  seconds: number;
  samplesPerSecond: number;
  epochs: TeacherEpoch[];
};

export async function trainMnistTeacher(options: TeacherOptions): Promise<Teacher> {
  const { train, test, epochs, channels = [16, 32], hidden = 64, batchSize = 64 } = options;
  const { learningRate = 0.003, seed = 1 } = options;
  await tfReady();
  const started = performance.now();
  const graph = compileGraph(buildCnnClassifier({ channels, hidden, seed }));
  const optimizer = tf.train.adam(learningRate);
  const rng = createRng(seed + 10);
  const n = train.y.length;
  const totalSteps = epochs * Math.ceil(n / batchSize);
  const log: TeacherEpoch[] = [];
  let step = 0;
  let trained = 0;
  let testAccuracy = 0;
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      const order = Array.from({ length: n }, (_, i) => i);
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(rng() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      let lossSum = 0;
      let steps = 0;
      for (let s = 0; s < n; s += batchSize) {
        setLearningRate(optimizer, cosineLearningRate(learningRate, step, totalSteps));
        const ids = order.slice(s, s + batchSize);
        const xb = new Float32Array(ids.length * MNIST_PIXELS);
        ids.forEach((id, i) =>
          shiftInto(train.x, id, Math.floor(rng() * 5) - 2, Math.floor(rng() * 5) - 2, xb, i),
        );
        const labels = ids.map((i) => train.y[i]!);
        lossSum += tf.tidy(() => {
          const x = tf.tensor4d(xb, [ids.length, 1, 28, 28]);
          const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
          return optimizer
            .minimize(
              () => tf.losses.softmaxCrossEntropy(y, graph.forward({ image: x }).logits!) as tf.Scalar,
              true,
            )!
            .dataSync()[0]!;
        });
        steps++;
        step++;
        trained += ids.length;
      }
      testAccuracy = await mnistAccuracy(encodeModel(graph.exportModel()), test);
      const e: TeacherEpoch = {
        epoch: epoch + 1,
        loss: lossSum / steps,
        testAccuracy,
        samplesPerSecond: trained / ((performance.now() - started) / 1000),
        tensors: tf.memory().numTensors,
      };
      log.push(e);
      options.onEpoch?.(e);
    }
    const seconds = (performance.now() - started) / 1000;
    return {
      bytes: encodeModel(graph.exportModel()),
      parameters: graph.parameterCount(),
      testAccuracy,
      seconds,
      samplesPerSecond: trained / seconds,
      epochs: log,
    };
  } finally {
    graph.dispose();
    optimizer.dispose();
  }
}
