import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, type ErrorCode } from '../../../shared/errors';
import type { Model } from '../../../shared/schemas/models';
import { distillConfigSchema, recipeSchema, trainingProgressSchema } from '../../../shared/schemas/optimize';
import { buildCnnClassifier } from '../../../test/models/cnn-classifier';
import { writeNpy } from '../../../test/fixtures/npy';
import { createRng, randomFloats } from '../../../test/models/prng';
import { writeTestModel } from '../../../test/models';
import { encodeModel } from '../onnx';
import { tensorToTypedArray, typedArrayToTensor } from '../onnx/tensor';
import { createModelBuilder } from '../onnx/builder';
import { TensorProto_DataType as DT } from 'onnx-buf';
import type { ProgressReport } from '../jobs/job-manager';
import { createSilentLogger } from '../logger';
import { expectSingle, runOptimization } from '../optimize/run-optimization';
import { createServices, type Services } from '../services';
import { distill } from './distill';
import { sliceWidth } from './width-slice';

let work: string;
let services: Services;
let teacher: Model;
const samples = 48;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ef-distill-'));
  services = createServices({ dataDir: join(work, 'data'), logger: createSilentLogger() });
  await writeTestModel(
    buildCnnClassifier({ size: 8, channels: [8, 8], hidden: 16, seed: 3 }),
    join(work, 't.onnx'),
  );
  teacher = (await services.models.importFile(join(work, 't.onnx'))).model;
  await writeNpy(join(work, 'x.npy'), '<f4', [samples, 1, 8, 8], randomFloats(createRng(4), samples * 64, 1));
  writeFileSync(
    join(work, 'x.labels.txt'),
    Array.from({ length: samples }, (_, i) => `${i % 10}\n`).join(''),
  );
  const huge = randomFloats(createRng(5), samples * 64, 1).map((v) => v * 3e38);
  await writeNpy(join(work, 'huge.npy'), '<f4', [samples, 1, 8, 8], huge);
});
afterAll(async () => {
  await services.close();
  rmSync(work, { recursive: true, force: true });
});

const config = (patch: Record<string, unknown>) =>
  distillConfigSchema.parse({ epochs: 3, learningRate: 0.01, ...patch });

async function expectCode(p: Promise<unknown>, code: ErrorCode): Promise<void> {
  await expect(p).rejects.toSatisfy((e) => e instanceof AppError && e.code === code);
}

describe('distill pass (worker, real ONNX Runtime)', () => {
  it('trains a ½-width student, stores it with recipe, data hash, loss curve and fidelity', async () => {
    const phases: string[] = [];
    const { model } = await services.optimize.optimize(
      {
        model: teacher.id,
        options: { method: 'distill', config: config({ student: 'width:0.5', alpha: 1, batchSize: 8 }) },
        calibration: { kind: 'npy', path: join(work, 'x.npy') },
      },
      { onProgress: (p) => phases.push(p.phase) },
    );
    expect(phases).toContain('training epoch 3/3');
    const training = model.report!.pass.training!;
    expect(training.epochs).toBe(3);
    expect(training.lossCurve).toHaveLength(3);
    expect(training.lossCurve[2]!).toBeLessThan(training.lossCurve[0]!);
    expect(training.studentParameters).toBeLessThan(training.teacherParameters / 2);
    expect(training.labelled).toBe(true);
    const recipe = recipeSchema.parse(model.recipe);
    expect(recipe.calibration?.sha256).toBe(training.dataSha256);
    expect(model.report!.fidelity.source).toBe('held-out');
    expect(model.report!.fidelity.accuracy?.samples).toBeGreaterThan(0);
    const session = await ort.InferenceSession.create(services.models.pathOf(model), { logSeverityLevel: 3 });
    await session.release();
  });

  it('refuses bad input with a code and stores nothing', async () => {
    const before = services.models.list().length;
    const run = (patch: Record<string, unknown>, path = join(work, 'x.npy')) =>
      services.optimize.optimize({
        model: teacher.id,
        options: { method: 'distill', config: config(patch) },
        calibration: { kind: 'npy', path },
      });
    // A student whose output has another shape.
    const wrong = buildCnnClassifier({ size: 8, channels: [4, 4], hidden: 8, classes: 7 });
    await writeTestModel(wrong, join(work, 'wrong.onnx'));
    await expectCode(run({ student: join(work, 'wrong.onnx') }), 'STUDENT_MISMATCH');
    // The same student picked from the library (as the Optimize page does), and one that is not there.
    const library = (await services.models.importFile(join(work, 'wrong.onnx'), { name: 'wrong-student' }))
      .model;
    await expectCode(run({ student: `model:${library.id}` }), 'STUDENT_MISMATCH');
    await expectCode(run({ student: 'model:no-such-model' }), 'NOT_FOUND');
    await services.models.remove(library.id);
    // A student the engine cannot run.
    const einsum = createModelBuilder()
      .input('image', DT.FLOAT, ['N', 1, 8, 8])
      .output('logits', DT.FLOAT, ['N', 10])
      .node('Einsum', ['image'], ['logits'], { equation: 'nchw->nc' })
      .build();
    await writeTestModel(einsum, join(work, 'einsum.onnx'));
    await expectCode(run({ student: join(work, 'einsum.onnx') }), 'TRAIN_UNSUPPORTED_OP');
    await expectCode(run({ student: join(work, 'missing.onnx') }), 'FILE_NOT_FOUND');
    await expectCode(run({ student: 'width:2' }), 'USAGE');
    // Inputs near float max overflow in the first step: no good checkpoint, nothing written.
    await expectCode(run({}, join(work, 'huge.npy')), 'TRAINING_DIVERGED');
    await expectCode(
      services.optimize.optimize({ model: teacher.id, options: { method: 'distill', config: config({}) } }),
      'CALIBRATION_REQUIRED',
    );
    expect(services.models.list().length).toBe(before);
  });

  it('cancelled after an epoch: stores the best completed epoch, marked "cancelled at epoch k of N"', async () => {
    const before = services.models.list().length;
    const controller = new AbortController();
    const details: unknown[] = [];
    const { model } = await services.optimize.optimize(
      {
        model: teacher.id,
        options: { method: 'distill', config: config({ student: 'width:0.5', epochs: 50, batchSize: 4 }) },
        calibration: { kind: 'npy', path: join(work, 'x.npy') },
      },
      {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.detail?.key === 'training') details.push(p.detail);
          if (p.phase.startsWith('training epoch 3')) controller.abort();
        },
      },
    );
    expect(services.models.list().length).toBe(before + 1);
    const training = model.report!.pass.training!;
    expect(training.cancelled?.atEpoch).toBe(3);
    expect(training.cancelled?.epochs).toBe(50);
    expect([1, 2]).toContain(training.cancelled?.bestEpoch);
    expect(training.lossCurve).toHaveLength(2);
    // Held-out fidelity (the last 20 % of the data) after each completed epoch.
    expect(training.fidelityCurve).toHaveLength(2);
    expect(Math.max(...training.fidelityCurve!)).toBe(
      training.fidelityCurve![training.cancelled!.bestEpoch - 1],
    );
    expect(model.report!.pass.warnings.join(' ')).toContain('Cancelled at epoch 3 of 50');
    // The live progress carried the contract's training detail, curves included.
    const last = trainingProgressSchema.parse(details.at(-1));
    expect(last.epochs).toBe(50);
    expect(last.lossCurve.length).toBeGreaterThanOrEqual(1);
    expect(last.fidelityCurve.length).toBe(last.lossCurve.length);
  });

  it('cancelled before any epoch finished: CANCELLED, says so, nothing stored', async () => {
    const before = services.models.list().length;
    const controller = new AbortController();
    const job = services.optimize.optimize(
      {
        model: teacher.id,
        options: { method: 'distill', config: config({ epochs: 50, batchSize: 4 }) },
        calibration: { kind: 'npy', path: join(work, 'x.npy') },
      },
      {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase.startsWith('training epoch 1')) controller.abort();
        },
      },
    );
    await expect(job).rejects.toSatisfy(
      (e) => e instanceof AppError && e.code === 'CANCELLED' && /before any epoch finished/.test(e.message),
    );
    expect(services.models.list().length).toBe(before);
  });

  it('runOptimization hands back the best epoch when cancelled after one', async () => {
    const controller = new AbortController();
    const outcome = await runOptimization(
      {
        parentBytes: encodeModel(buildCnnClassifier({ size: 8, channels: [8, 8], hidden: 16, seed: 3 })),
        options: { method: 'distill', config: config({ epochs: 50, batchSize: 4 }) },
        calibration: { kind: 'npy', path: join(work, 'x.npy') },
        scratchDir: join(work, 'scratch'),
      },
      {
        signal: controller.signal,
        progress: (p) => {
          if (p.phase.startsWith('training epoch 2')) controller.abort();
        },
      },
    );
    const single = expectSingle(outcome);
    expect(single.pass.training?.cancelled).toEqual({ atEpoch: 2, epochs: 50, bestEpoch: 1 });
    expect(single.fidelity.samples).toBeGreaterThan(0);
  });
});

describe('distill keeps the best held-out weights', () => {
  const model = buildCnnClassifier({ size: 8, channels: [8, 8], hidden: 16, seed: 3 });
  const sample = (seed: number) => ({
    image: new ort.Tensor('float32', randomFloats(createRng(seed), 64, 1), [1, 1, 8, 8]),
  });
  const run = (learningRate: number, alpha: number) =>
    distill({
      teacher: model,
      student: model,
      samples: Array.from({ length: 16 }, (_, i) => sample(100 + i)),
      // Labels that have nothing to do with the teacher: cross-entropy on them pulls the student away.
      labels: Array.from({ length: 16 }, (_, i) => (i * 7) % 10),
      heldOut: Array.from({ length: 8 }, (_, i) => sample(200 + i)),
      settings: { epochs: 2, temperature: 1, alpha, learningRate, batchSize: 8, seed: 1 },
      signal: new AbortController().signal,
      progress: () => {},
    });

  it('hands back the starting weights, and says so, when no epoch beat them on held-out data', async () => {
    const result = await run(0.05, 0);
    expect(result.fidelityBefore).toBeGreaterThan(0.9999);
    expect(Math.max(...result.fidelityCurve)).toBeLessThan(result.fidelityBefore!);
    expect(result.keptEpoch).toBe(0);
    expect(result.warnings.join(' ')).toMatch(
      /did not improve held-out fidelity.*the one training started from/,
    );
    const values = (m: typeof model) =>
      Object.fromEntries(
        m.graph!.initializer.map((t) => [t.name, Array.from(tensorToTypedArray(t) as Float32Array)]),
      );
    expect(values(result.model)).toEqual(values(model));
  });

  it('scores logits behind a final Softmax as probabilities (a constant shift of the logits changes nothing)', async () => {
    const withSoftmax = buildCnnClassifier({ size: 8, channels: [8, 8], hidden: 16, seed: 3, softmax: true });
    const shifted = buildCnnClassifier({ size: 8, channels: [8, 8], hidden: 16, seed: 3, softmax: true });
    shifted.graph!.initializer = shifted.graph!.initializer.map((t) =>
      t.name === 'fc2.bias' ? typedArrayToTensor(t.name, t.dataType, [10], new Float32Array(10).fill(5)) : t,
    );
    const result = await distill({
      teacher: withSoftmax,
      student: shifted,
      samples: Array.from({ length: 8 }, (_, i) => sample(500 + i)),
      labels: null,
      heldOut: Array.from({ length: 8 }, (_, i) => sample(600 + i)),
      settings: { epochs: 1, temperature: 1, alpha: 1, learningRate: 1e-6, batchSize: 8, seed: 1 },
      signal: new AbortController().signal,
      progress: () => {},
    });
    expect(result.targets).toEqual(['logits']);
    expect(result.fidelityBefore).toBeGreaterThan(0.99999);
  });

  /** 3 epochs of 8 updates, 4 held-out checks per epoch; this run's best check falls inside epoch 2. */
  const peaksInside = (
    heldOut: ReturnType<typeof sample>[],
    signal = new AbortController().signal,
    progress: (p: ProgressReport) => void = () => {},
  ) =>
    distill({
      teacher: model,
      student: sliceWidth(model, 0.5).model,
      samples: Array.from({ length: 32 }, (_, i) => sample(300 + i)),
      // KL pulls the narrow student toward the teacher; cross-entropy on unrelated labels pulls it away later.
      labels: Array.from({ length: 32 }, (_, i) => (i * 7) % 10),
      heldOut,
      settings: {
        ...{ epochs: 3, temperature: 1, alpha: 0.5, learningRate: 0.1, batchSize: 4, seed: 1 },
        checksPerEpoch: 4,
      },
      signal,
      progress,
    });

  it('checks held-out data inside epochs and keeps the best check, measured on the model it hands back', async () => {
    const heldOut = Array.from({ length: 8 }, (_, i) => sample(400 + i));
    const result = await peaksInside(heldOut);
    // 8 updates per epoch, 4 checks each: after updates 2, 4, 6, 8, … 24 (and 0: before training).
    expect(result.checks.map((c) => c.update)).toEqual(Array.from({ length: 13 }, (_, i) => i * 2));
    expect(result.fidelityCurve).toEqual([8, 16, 24].map((u) => result.checks[u / 2]!.cosine));
    const best = result.checks.reduce((a, b) => (b.cosine > a.cosine ? b : a));
    expect(best.update % 8).not.toBe(0); // this run peaks inside an epoch
    expect(result.keptUpdate).toBe(best.update);
    expect(result.keptEpoch).toBe(Math.ceil(best.update / 8));
    expect(result.keptCosine).toBe(best.cosine);
    expect(result.warnings.join(' ')).toContain(
      `peaked after update ${best.update} (in epoch ${result.keptEpoch})`,
    );
    // Scored again from scratch, in ONNX Runtime, the model handed back is the best check's.
    const teacherRun = await ort.InferenceSession.create(encodeModel(model));
    const studentRun = await ort.InferenceSession.create(encodeModel(result.model));
    let sum = 0;
    for (const s of heldOut) {
      const t = (await teacherRun.run(s)).logits!.data as Float32Array;
      const o = (await studentRun.run(s)).logits!.data as Float32Array;
      let dot = 0;
      let nt = 0;
      let no = 0;
      t.forEach((v, i) => ((dot += v * o[i]!), (nt += v * v), (no += o[i]! * o[i]!)));
      sum += dot / Math.sqrt(nt * no);
    }
    expect(sum / heldOut.length).toBeCloseTo(best.cosine, 5);
  });

  it('cancelled in epoch 3: keeps the best check so far, one inside an epoch, and says which update', async () => {
    const controller = new AbortController();
    const full = await peaksInside(Array.from({ length: 8 }, (_, i) => sample(400 + i)));
    const best = full.checks.filter((c) => c.update <= 16).reduce((a, b) => (b.cosine > a.cosine ? b : a));
    expect(best.update % 8).not.toBe(0);
    const result = await peaksInside(
      Array.from({ length: 8 }, (_, i) => sample(400 + i)),
      controller.signal,
      (p) => {
        if (trainingProgressSchema.safeParse(p.detail).data?.epoch === 3) controller.abort();
      },
    );
    expect(result.cancelled).toEqual({
      atEpoch: 3,
      epochs: 3,
      bestEpoch: Math.ceil(best.update / 8),
      bestUpdate: best.update,
    });
    expect(result.keptCosine).toBe(best.cosine);
    expect(result.warnings.join(' ')).toContain(
      `this is the model after update ${best.update} (in epoch ${Math.ceil(best.update / 8)})`,
    );
  });

  it('keeps the last epoch when it is the best (nothing to say)', async () => {
    const student = sliceWidth(model, 0.5).model;
    const result = await distill({
      teacher: model,
      student,
      samples: Array.from({ length: 32 }, (_, i) => sample(300 + i)),
      labels: null,
      heldOut: Array.from({ length: 8 }, (_, i) => sample(400 + i)),
      settings: { epochs: 3, temperature: 1, alpha: 1, learningRate: 0.01, batchSize: 8, seed: 1 },
      signal: new AbortController().signal,
      progress: () => {},
    });
    expect(result.fidelityCurve.at(-1)!).toBeGreaterThan(result.fidelityBefore!);
    if (result.keptEpoch === null) {
      expect(result.fidelityCurve.at(-1)).toBe(Math.max(...result.fidelityCurve));
      expect(result.warnings.join(' ')).not.toMatch(/kept|did not improve/);
    } else {
      expect(result.fidelityCurve[result.keptEpoch - 1]).toBe(Math.max(...result.fidelityCurve));
    }
  });
});
