import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { ModelProto } from 'onnx-buf';
import { TensorProto_DataType as DT } from 'onnx-buf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../../shared/errors';
import { fidelityReportSchema } from '../../../../shared/schemas/optimize';
import { writeNpy } from '../../../../test/fixtures/npy';
import { buildMlp, buildSmallCnn } from '../../../../test/models';
import { runOrt } from '../../../../test/models/ort';
import type { ProgressReport } from '../../jobs/job-manager';
import {
  createModelBuilder,
  encodeModel,
  initializerMap,
  makeValueInfo,
  tensorToTypedArray,
} from '../../onnx';
import { openSampleSource, type DataSource } from '../data';
import type { Sample } from '../types';
import { evaluateFidelity, SQNR_CAP_DB } from '.';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fidelity-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const mlp = buildMlp();
const mlpBytes = encodeModel(mlp);
const weight = (name: string) => tensorToTypedArray(initializerMap(mlp.graph!).get(name)!) as Float32Array;

type MlpOptions = {
  fc2Bias?: Float32Array;
  fc1Weight?: Float32Array;
  /** QuantizeLinear → DequantizeLinear after these tensors: [tensor, scale, signed]. */
  qdq?: [string, number, boolean][];
};

/** The MLP of test/models, rebuilt with optional changes: shifted weights, or Q/DQ pairs on activations. */
function mlpVariant(opts: MlpOptions = {}): ModelProto {
  const b = createModelBuilder({ opset: 13 })
    .input('x', DT.FLOAT, [4, 64])
    .output('y', DT.FLOAT, [4, 10])
    .initializer('fc1.weight', DT.FLOAT, [64, 128], opts.fc1Weight ?? weight('fc1.weight'))
    .initializer('fc1.bias', DT.FLOAT, [128], weight('fc1.bias'))
    .initializer('fc2.weight', DT.FLOAT, [128, 10], weight('fc2.weight'))
    .initializer('fc2.bias', DT.FLOAT, [10], opts.fc2Bias ?? weight('fc2.bias'));
  const qdq = new Map((opts.qdq ?? []).map(([name, scale, signed]) => [name, { scale, signed }]));
  const out = (name: string) => (qdq.has(name) ? `${name}_raw` : name);
  const after = (name: string) => {
    const q = qdq.get(name);
    if (!q) return;
    const zpType = q.signed ? DT.INT8 : DT.UINT8;
    b.initializer(`${name}_scale`, DT.FLOAT, [], new Float32Array([q.scale]))
      .initializer(`${name}_zp`, zpType, [], q.signed ? new Int8Array(1) : new Uint8Array(1))
      .node('QuantizeLinear', [`${name}_raw`, `${name}_scale`, `${name}_zp`], [`${name}_q`])
      .node('DequantizeLinear', [`${name}_q`, `${name}_scale`, `${name}_zp`], [name]);
  };
  // With a Q/DQ pair the float tensor keeps its name under `_raw` and the dequantized value takes the name the
  // consumers read; the comparison maps parent 'h1' → variant 'h1' (dequantized).
  b.node('MatMul', ['x', 'fc1.weight'], [out('h1')]);
  after('h1');
  b.node('Add', ['h1', 'fc1.bias'], [out('h1b')]);
  after('h1b');
  b.node('Relu', ['h1b'], [out('h1r')]);
  after('h1r');
  b.node('MatMul', ['h1r', 'fc2.weight'], ['h2']).node('Add', ['h2', 'fc2.bias'], ['y']);
  return b.build();
}

async function allSamples(source: DataSource): Promise<Sample[]> {
  const out: Sample[] = [];
  for await (const s of source.read()) out.push(s);
  return out;
}

/** Σx² / Σ(x−y)² in dB, computed here from ORT outputs run by the test itself. */
function sqnr(ref: ArrayLike<number>[], variant: ArrayLike<number>[]): number {
  let s = 0;
  let n = 0;
  ref.forEach((x, k) => {
    for (let i = 0; i < x.length; i++) {
      s += x[i]! ** 2;
      n += (x[i]! - variant[k]![i]!) ** 2;
    }
  });
  return 10 * Math.log10(s / n);
}

const floatsOf = (bytes: Uint8Array) =>
  new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);

describe('evaluateFidelity', () => {
  it('reports a perfect match for identical models', async () => {
    const samples = await openSampleSource({ kind: 'random', count: 4, seed: 3 }, buildSmallCnn());
    const bytes = encodeModel(buildSmallCnn());
    const progress: ProgressReport[] = [];
    const report = await evaluateFidelity({
      parent: bytes,
      variant: bytes,
      samples,
      source: 'random',
      progress: (p) => progress.push(p),
    });
    expect(fidelityReportSchema.parse(report)).toEqual(report);
    expect(report.samples).toBe(4);
    expect(report.source).toBe('random');
    expect(report.outputs).toEqual([
      { name: 'logits', sqnrDb: SQNR_CAP_DB, cosine: 1, maxAbsError: 0, meanAbsError: 0, top1Agreement: 1 },
    ]);
    expect(report.accuracy).toBeNull();
    expect(report.tensors).toEqual([]);
    expect(report.sizeBytes).toEqual({ parent: bytes.byteLength, variant: bytes.byteLength, ratio: 1 });
    // Default timing: at least 30 interleaved pairs, more while they take under 0.5 s, never over 1,000.
    expect(report.latencyMs.runs).toBeGreaterThanOrEqual(30);
    expect(report.latencyMs.runs).toBeLessThanOrEqual(1000);
    expect(report.latencyMs.parent).toBeGreaterThan(0);
    expect(report.latencyMs.ratio).toBeCloseTo(report.latencyMs.variant / report.latencyMs.parent, 10);
    expect(report.warnings.join(' ')).toMatch(/random inputs/);
    expect(progress.every((p) => p.phase === 'evaluating')).toBe(true);
    const percents = progress.map((p) => p.percent ?? -1);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(percents.at(-1)).toBe(100);
    expect(samples.stats.maxSamplesHeld).toBe(1);
  });

  it('measures a known error: a bias shifted by δ moves every output by δ', async () => {
    const delta = 0.01;
    const shifted = weight('fc2.bias').map((v) => v + delta);
    const variant = encodeModel(mlpVariant({ fc2Bias: shifted }));
    const samples = await openSampleSource({ kind: 'random', count: 6, seed: 11 }, mlp);
    const report = await evaluateFidelity({
      parent: mlpBytes,
      variant,
      samples,
      source: 'held-out',
      latencyRuns: 3,
    });
    const [y] = report.outputs;
    const refs: Float32Array[] = [];
    for (const s of await allSamples(samples)) refs.push(floatsOf((await runOrt(mlpBytes, s)).y!.bytes));
    const signal = refs.reduce((acc, r) => acc + r.reduce((a, v) => a + v * v, 0), 0);
    const expected = 10 * Math.log10(signal / (6 * 40 * delta * delta));
    expect(y!.sqnrDb).toBeCloseTo(expected, 3);
    expect(y!.maxAbsError).toBeCloseTo(delta, 5);
    expect(y!.meanAbsError).toBeCloseTo(delta, 5);
    // [4, 10] is four predictions per sample; a uniform shift never changes the arg-max.
    expect(y!.top1Agreement).toBe(1);
    expect(y!.cosine!).toBeLessThan(1);
    expect(y!.cosine!).toBeGreaterThan(0.99);
    expect(report.warnings).toHaveLength(1);
    expect(report.warnings[0]).toMatch(/random inputs/);
  });

  it('matches an SQNR computed independently for perturbed weights, with partial top-1 agreement', async () => {
    const w = weight('fc1.weight');
    const noisy = w.map((v, i) => v + (i % 7 === 0 ? 0.2 : -0.03) * Math.sign(v));
    const variant = encodeModel(mlpVariant({ fc1Weight: noisy }));
    const samples = await openSampleSource({ kind: 'random', count: 5, seed: 4 }, mlp);
    const report = await evaluateFidelity({
      parent: mlpBytes,
      variant,
      samples,
      source: 'eval',
      latencyRuns: 3,
    });
    const refs: Float32Array[] = [];
    const outs: Float32Array[] = [];
    let agree = 0;
    for (const s of await allSamples(samples)) {
      const r = floatsOf((await runOrt(mlpBytes, s)).y!.bytes);
      const o = floatsOf((await runOrt(variant, s)).y!.bytes);
      refs.push(r);
      outs.push(o);
      for (let row = 0; row < 4; row++) {
        const am = (a: Float32Array) =>
          a.subarray(row * 10, row * 10 + 10).reduce((b, v, i, arr) => (v > arr[b]! ? i : b), 0);
        if (am(r) === am(o)) agree++;
      }
    }
    const y = report.outputs[0]!;
    expect(y.sqnrDb).toBeCloseTo(sqnr(refs, outs), 4);
    expect(y.sqnrDb!).toBeLessThan(40);
    expect(y.top1Agreement).toBeCloseTo(agree / 20, 10);
  });

  it('ranks quantized tensors worst first, matching a Q/DQ computed by hand', async () => {
    const fine = 0.02;
    const coarse = 0.25;
    const variantModel = mlpVariant({
      qdq: [
        ['h1', fine, true],
        ['h1r', coarse, false],
      ],
    });
    const samples = await openSampleSource({ kind: 'random', count: 3, seed: 8 }, mlp);
    const report = await evaluateFidelity({
      parent: mlpBytes,
      variant: encodeModel(variantModel),
      samples,
      source: 'calibration',
      latencyRuns: 3,
      quantizedTensors: [
        { name: 'h1r', dequantizedName: 'h1r', producer: 'Relu' },
        { name: 'h1', dequantizedName: 'h1', producer: 'MatMul' },
        { name: 'ghost', dequantizedName: 'ghost_dq', producer: 'Conv' },
      ],
    });
    expect(report.tensors.map((t) => [t.name, t.producer])).toEqual([
      ['h1r', 'Relu'],
      ['h1', 'MatMul'],
    ]);
    const [h1r, h1] = report.tensors;
    expect(Number.isFinite(h1r!.sqnrDb)).toBe(true);
    expect(h1!.sqnrDb!).toBeGreaterThan(h1r!.sqnrDb! + 10);
    expect(report.warnings.join(' ')).toMatch(/skipped 1 quantized tensor.*'ghost'/);

    // By hand: QuantizeLinear (round half to even, saturate) then DequantizeLinear, on the parent's values.
    const withTaps = buildMlp();
    withTaps.graph!.output.push(
      makeValueInfo('h1', DT.FLOAT, [4, 128]),
      makeValueInfo('h1r', DT.FLOAT, [4, 128]),
    );
    const roundTrip = (x: number, scale: number, min: number, max: number) => {
      const v = Math.fround(x / scale);
      let q = Math.round(v);
      if (Math.abs(v % 1) === 0.5) q = 2 * Math.round(v / 2);
      return Math.fround(Math.max(min, Math.min(max, q)) * scale);
    };
    const refs: number[][] = [];
    const deq: number[][] = [];
    const reluRefs: number[][] = [];
    const reluAlone: number[][] = [];
    for (const s of await allSamples(samples)) {
      const taps = await runOrt(encodeModel(withTaps), s);
      const h = floatsOf(taps.h1!.bytes);
      refs.push(Array.from(h));
      deq.push(Array.from(h, (x) => roundTrip(x, fine, -128, 127)));
      const r = floatsOf(taps.h1r!.bytes);
      reluRefs.push(Array.from(r));
      reluAlone.push(Array.from(r, (x) => roundTrip(x, coarse, 0, 255)));
    }
    expect(h1!.sqnrDb).toBeCloseTo(sqnr(refs, deq), 4);
    // h1 is the first rounding: the error made there is all the error it carries.
    expect(h1!.roundingSqnrDb).toBeCloseTo(sqnr(refs, deq), 4);
    // h1r's own rounding, on the parent's values; it also carries h1's error, so it has built up more.
    expect(h1r!.roundingSqnrDb).toBeCloseTo(sqnr(reluRefs, reluAlone), 4);
    expect(h1r!.sqnrDb!).toBeLessThan(h1r!.roundingSqnrDb!);
    // The outputs carry the error of both pairs.
    expect(report.outputs[0]!.sqnrDb!).toBeLessThan(SQNR_CAP_DB);
    const summed = -10 * Math.log10(10 ** (-h1!.roundingSqnrDb! / 10) + 10 ** (-h1r!.roundingSqnrDb! / 10));
    expect(report.noiseBudget).toEqual({
      tensors: 2,
      medianDb: (h1!.roundingSqnrDb! + h1r!.roundingSqnrDb!) / 2,
      bestTenthDb: Math.max(h1!.roundingSqnrDb!, h1r!.roundingSqnrDb!),
      summedDb: expect.closeTo(summed, 10),
      outputDb: report.outputs[0]!.sqnrDb,
      gainDb: expect.closeTo(report.outputs[0]!.sqnrDb! - summed, 10),
      neededMedianDb: expect.closeTo(
        (h1!.roundingSqnrDb! + h1r!.roundingSqnrDb!) / 2 + 27 - report.outputs[0]!.sqnrDb!,
        10,
      ),
    });
    expect(fidelityReportSchema.parse(report)).toEqual(report);
  });

  it('reports accuracy against labels for a classifier', async () => {
    const cnn = buildSmallCnn(1);
    const other = buildSmallCnn(5);
    const parentBytes = encodeModel(cnn);
    const variantBytes = encodeModel(other);
    const data = join(dir, 'labelled');
    const argmax = (a: Float32Array) => a.reduce((b, v, i, arr) => (v > arr[b]! ? i : b), 0);
    const labels: number[] = [];
    let variantCorrect = 0;
    for (let i = 0; i < 6; i++) {
      const x = Float32Array.from({ length: 3 * 32 * 32 }, (_, k) => Math.sin(k * (i + 1) * 0.37));
      await writeNpy(join(data, `${i}.npy`), '<f4', [3, 32, 32], x);
      const feeds = { input: new ort.Tensor('float32', x, [1, 3, 32, 32]) };
      const p = argmax(floatsOf((await runOrt(parentBytes, feeds)).logits!.bytes));
      const v = argmax(floatsOf((await runOrt(variantBytes, feeds)).logits!.bytes));
      const label = i < 4 ? p : (p + 1) % 10;
      labels.push(label);
      if (v === label) variantCorrect++;
    }
    await writeFile(join(data, 'labels.txt'), labels.join('\n'));
    const samples = await openSampleSource({ kind: 'npy', path: data }, cnn);
    const report = await evaluateFidelity({
      parent: parentBytes,
      variant: variantBytes,
      samples,
      source: 'eval',
      latencyRuns: 3,
    });
    expect(report.accuracy).toEqual({ parent: 4 / 6, variant: variantCorrect / 6, samples: 6 });
    expect(report.outputs[0]!.top1Agreement).not.toBeNull();
  });

  it('feeds float16 variants (fp16 without kept I/O types) and compares their outputs', async () => {
    const make = (type: number) =>
      createModelBuilder({ opset: 13 })
        .input('x', type, [1, 8])
        .output('y', type, [1, 8])
        .node('Relu', ['x'], ['y'])
        .build();
    const samples = await openSampleSource({ kind: 'random', count: 3, seed: 1 }, make(DT.FLOAT));
    const report = await evaluateFidelity({
      parent: encodeModel(make(DT.FLOAT)),
      variant: encodeModel(make(DT.FLOAT16)),
      samples,
      source: 'random',
      latencyRuns: 3,
    });
    const y = report.outputs[0]!;
    // float16 keeps 11 significant bits: about 6·11 ≈ 66 dB of SQNR, and a relative error under 2^-11.
    expect(y.sqnrDb!).toBeGreaterThan(60);
    expect(y.sqnrDb!).toBeLessThan(SQNR_CAP_DB);
    expect(y.maxAbsError).toBeGreaterThan(0);
    expect(y.maxAbsError).toBeLessThan(4 * 2 ** -11);
  });

  it('stops with CANCELLED when the signal is aborted', async () => {
    const samples = await openSampleSource({ kind: 'random', count: 3, seed: 1 }, mlp);
    const controller = new AbortController();
    controller.abort();
    const err = await evaluateFidelity({
      parent: mlpBytes,
      variant: mlpBytes,
      samples,
      source: 'random',
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('CANCELLED');

    // Aborted part-way (after the first sample), it stops before the next one.
    const later = new AbortController();
    let reports = 0;
    const err2 = await evaluateFidelity({
      parent: mlpBytes,
      variant: mlpBytes,
      samples,
      source: 'random',
      signal: later.signal,
      progress: (p) => {
        reports++;
        if ((p.percent ?? 0) > 0) later.abort();
      },
    }).catch((e: unknown) => e);
    expect((err2 as AppError).code).toBe('CANCELLED');
    expect(reports).toBe(2);
    expect(samples.stats.samplesHeld).toBe(0);
  });
});
