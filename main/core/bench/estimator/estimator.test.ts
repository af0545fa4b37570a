import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelProto } from 'onnx-buf';
import { TensorProto_DataType as DT } from 'onnx-buf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchInput, HardwareProfile } from '../../../../shared/schemas/bench';
import { hardwareProfileSchema } from '../../../../shared/schemas/bench';
import { buildMlp, buildSmallCnn, buildSymbolicBatchModel, ocrModelPath } from '../../../../test/models';
import { createModelBuilder, decodeModel, encodeModel, summarizeModel } from '../../onnx';
import { calibrateThisMachine } from '../profiles/calibration';
import { builtinProfile } from '../profiles/catalog';
import { thisMachineProfile } from '../profiles/this-machine';
import { resolveInputs } from '../runner/input-plan';
import { benchmarkLocal } from '../runner/local-runner';
import type { ModelAnalysis } from './analyze-model';
import { analyzeModel } from './analyze-model';
import type { CostedModel } from './estimate';
import { costModel, estimateOn } from './estimate';
import { memoryNeed } from './memory-need';

const work = mkdtempSync(join(tmpdir(), 'edgefleet-estimator-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Dynamic int8 as ORT's quantize_dynamic writes it: DynamicQuantizeLinear → MatMulInteger → Cast → Mul. */
function dynamicInt8Mlp(): ModelProto {
  return createModelBuilder({ opset: 13 })
    .input('x', DT.FLOAT, [8, 256])
    .output('y', DT.FLOAT, [8, 256])
    .initializer(
      'w_q',
      DT.INT8,
      [256, 256],
      new Int8Array(256 * 256).map((_, i) => (i % 11) - 5),
    )
    .initializer('w_scale', DT.FLOAT, [], new Float32Array([0.01]))
    .initializer('w_zero', DT.INT8, [], new Int8Array([0]))
    .node('DynamicQuantizeLinear', ['x'], ['x_q', 'x_scale', 'x_zero'])
    .node('MatMulInteger', ['x_q', 'w_q', 'x_zero', 'w_zero'], ['acc'])
    .node('Cast', ['acc'], ['acc_f'], { to: DT.FLOAT })
    .node('Mul', ['x_scale', 'w_scale'], ['scale'])
    .node('Mul', ['acc_f', 'scale'], ['y'])
    .build();
}

/** Static QDQ around a 3×3 Conv (what int8-static writes): ORT fuses it to QLinearConv. */
function qdqConv(): ModelProto {
  return createModelBuilder({ opset: 13 })
    .input('x', DT.FLOAT, [1, 16, 32, 32])
    .output('y', DT.FLOAT, [1, 32, 32, 32])
    .initializer('s', DT.FLOAT, [], new Float32Array([0.02]))
    .initializer('z', DT.UINT8, [], new Uint8Array([128]))
    .initializer(
      'w_q',
      DT.INT8,
      [32, 16, 3, 3],
      new Int8Array(32 * 16 * 9).map((_, i) => (i % 9) - 4),
    )
    .initializer('w_s', DT.FLOAT, [], new Float32Array([0.01]))
    .initializer('w_z', DT.INT8, [], new Int8Array([0]))
    .node('QuantizeLinear', ['x', 's', 'z'], ['x_q'])
    .node('DequantizeLinear', ['x_q', 's', 'z'], ['x_dq'])
    .node('DequantizeLinear', ['w_q', 'w_s', 'w_z'], ['w_dq'])
    .node('Conv', ['x_dq', 'w_dq'], ['c'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] })
    .node('QuantizeLinear', ['c', 's', 'z'], ['c_q'])
    .node('DequantizeLinear', ['c_q', 's', 'z'], ['y'])
    .build();
}

/** An fp16 variant with fp32 I/O (keep_io_types): Cast → MatMul(fp16 weights) → Cast. */
function fp16Mlp(): ModelProto {
  const half = new Uint16Array(256 * 256).fill(0x2e66); // ≈ 0.1
  return createModelBuilder({ opset: 13 })
    .input('x', DT.FLOAT, [8, 256])
    .output('y', DT.FLOAT, [8, 256])
    .initializer('w', DT.FLOAT16, [256, 256], half)
    .node('Cast', ['x'], ['x16'], { to: DT.FLOAT16 })
    .node('MatMul', ['x16', 'w'], ['y16'])
    .node('Cast', ['y16'], ['y'], { to: DT.FLOAT })
    .build();
}

const ocrCls = ocrModelPath('ch_ppocr_mobile_v2.0_cls_infer.onnx');

type Case = { name: string; bytes: Uint8Array; shapes?: Record<string, number[]> };
const cases: Case[] = [
  { name: 'mlp', bytes: encodeModel(buildMlp()) },
  { name: 'small-cnn', bytes: encodeModel(buildSmallCnn()) },
  { name: 'symbolic-batch', bytes: encodeModel(buildSymbolicBatchModel()) },
  { name: 'int8-dynamic', bytes: encodeModel(dynamicInt8Mlp()) },
  { name: 'int8-qdq-conv', bytes: encodeModel(qdqConv()) },
  { name: 'fp16', bytes: encodeModel(fp16Mlp()) },
  { name: 'paddleocr-cls', bytes: new Uint8Array(readFileSync(ocrCls)), shapes: { x: [1, 3, 48, 192] } },
];

let machine: HardwareProfile;
const costed = new Map<string, CostedModel>();
const inputsOf = new Map<string, BenchInput[]>();

beforeAll(async () => {
  machine = thisMachineProfile(await calibrateThisMachine({ threads: 1, effort: 0.34 }));
  for (const c of cases) {
    const inputs = resolveInputs(summarizeModel(decodeModel(c.bytes)).inputs, { shapes: c.shapes ?? {} });
    inputsOf.set(c.name, inputs);
    costed.set(c.name, costModel(await analyzeModel(c.bytes, inputs, { label: c.name })));
  }
}, 60_000);

const get = (name: string): CostedModel => {
  const c = costed.get(name);
  if (!c) throw new Error(`no analysis for ${name}`);
  return c;
};
const profile = (id: string): HardwareProfile => {
  const p = builtinProfile(id);
  if (!p) throw new Error(id);
  return p;
};
const codes = (name: string, id: string) =>
  estimateOn(get(name), profile(id), 4, { machine }).warnings.map((w) => w.code);

describe('calibration of this machine', () => {
  it('measures positive rates and a valid profile', () => {
    const m = machine.measured;
    expect(m).toBeDefined();
    for (const v of [m?.fp32Gflops, m?.int8Gops, m?.fp32ConvGflops, m?.bandwidthGBs, m?.smallBandwidthGBs]) {
      expect(v).toBeGreaterThan(0);
      expect(Number.isFinite(v)).toBe(true);
    }
    expect(m?.runtimeBaselineBytes).toBeGreaterThan(20 * 1024 ** 2);
    expect(hardwareProfileSchema.parse(machine)).toEqual(machine);
  });
});

describe('model analysis (ORT-optimized graph, shapes from ORT)', () => {
  it('knows every tensor shape, for real models too', () => {
    for (const c of cases) {
      const a: ModelAnalysis = get(c.name).analysis;
      expect(a.shapeSource, c.name).toBe('ort');
      expect(
        get(c.name).costs.every((n) => n.known),
        c.name,
      ).toBe(true);
    }
  });

  it('counts the same MACs as the model summary on a static CNN (after ORT fused BatchNorm)', () => {
    const macs = get('small-cnn').costs.reduce((n, c) => n + c.macs, 0);
    expect(macs).toBe(516_256);
    expect(get('small-cnn').costs.some((c) => c.opType === 'BatchNormalization')).toBe(false);
  });

  it('detects int8 and fp16 variants from the graph', () => {
    const traits = (name: string) => estimateOn(get(name), machine, 1, { machine }).traits;
    expect(traits('mlp')).toMatchObject({ int8: false, fp16: false, int8MacFraction: 0 });
    expect(traits('int8-dynamic')).toMatchObject({ int8: true, fp16: false });
    expect(traits('int8-dynamic').int8MacFraction).toBe(1);
    // QDQ Conv runs as QLinearConv: all its MACs are int8.
    expect(traits('int8-qdq-conv')).toMatchObject({ int8: true, int8MacFraction: 1 });
    expect(traits('fp16')).toMatchObject({ int8: false, fp16: true, fp16WeightFraction: 1 });
  });

  it('estimates memory from weights and the live activations', () => {
    const need = memoryNeed(get('mlp').analysis.model, get('mlp').analysis.shapes);
    expect(need.weightsBytes).toBe(9610 * 4);
    // x [4,64] and the [4,128] hidden layers are the largest set alive at once.
    expect(need.peakActivationBytes).toBeGreaterThanOrEqual(4 * 128 * 4);
    expect(need.peakActivationBytes).toBeLessThan(4 * (4 * 64 + 3 * 4 * 128));
  });
});

describe('estimates on profiles', () => {
  it('gives finite, ordered predictions on every built-in profile', () => {
    for (const c of cases) {
      const pi3 = estimateOn(get(c.name), profile('rpi3bplus'), 4, { machine });
      const avx512 = estimateOn(get(c.name), profile('x86-ipc-avx512-vnni'), 4, { machine });
      for (const e of [pi3, avx512]) {
        expect(Number.isFinite(e.latencyMs) && e.latencyMs > 0, c.name).toBe(true);
        expect(e.lowMs).toBeLessThan(e.latencyMs);
        expect(e.highMs).toBeGreaterThan(e.latencyMs);
      }
      // A 1.4 GHz in-order A53 with 3.6 GB/s is never faster than a 4-core AVX-512 PC.
      expect(pi3.latencyMs, c.name).toBeGreaterThan(avx512.latencyMs);
    }
  });

  it('warns about int8 without dot products (and saturation on AVX2 without VNNI), fp16 on CPU, threads', () => {
    expect(codes('int8-qdq-conv', 'rpi4')).toContain('INT8_NO_DOT_PRODUCT');
    expect(codes('int8-qdq-conv', 'rpi4')).not.toContain('INT8_SATURATION_RISK');
    expect(codes('int8-qdq-conv', 'x86-ipc-avx2')).toEqual(
      expect.arrayContaining(['INT8_NO_DOT_PRODUCT', 'INT8_SATURATION_RISK']),
    );
    expect(codes('int8-qdq-conv', 'rpi5')).not.toContain('INT8_NO_DOT_PRODUCT');
    expect(codes('int8-qdq-conv', 'x86-ipc-avx512-vnni')).toEqual([]);
    expect(codes('fp16', 'rpi4')).toContain('FP16_NO_SPEEDUP');
    expect(codes('fp16', 'rpi5')).toContain('FP16_PARTIAL');
    expect(codes('mlp', 'rpi4')).toEqual([]);
    const capped = estimateOn(get('mlp'), profile('rpi4'), 16, { machine });
    expect(capped.threads).toBe(4);
    expect(capped.warnings.map((w) => w.code)).toContain('THREADS_CAPPED');
    expect(estimateOn(get('mlp'), profile('rk3588'), 8, { machine }).warnings.map((w) => w.code)).toContain(
      'LITTLE_CORES',
    );
  });

  it('says when a model does not fit the profile’s RAM', () => {
    const tiny = hardwareProfileSchema.parse({
      ...profile('rpi3bplus'),
      id: 'tiny',
      origin: 'user',
      ramGB: 0.01,
    });
    const e = estimateOn(get('paddleocr-cls'), tiny, 1, { machine });
    expect(e.memory.fits).toBe(false);
    expect(e.memory.totalBytes).toBeGreaterThan(e.memory.ramBytes);
    expect(e.warnings.map((w) => w.code)).toContain('DOES_NOT_FIT');
  });

  it('applies a device correction factor', () => {
    const plain = estimateOn(get('mlp'), profile('rpi4'), 4, { machine });
    const corrected = estimateOn(get('mlp'), profile('rpi4'), 4, {
      machine,
      correction: { factor: 1.5, basedOn: 3 },
    });
    expect(corrected.latencyMs).toBeCloseTo(plain.latencyMs * 1.5, 2);
    expect(corrected.correction).toEqual({ factor: 1.5, basedOn: 3 });
  });
});

describe('estimator report on this machine (predicted vs measured)', () => {
  it('produces a finite prediction and a measurement for every model', async () => {
    const rows: { name: string; predicted: number; measured: number; errorPct: number }[] = [];
    for (const c of cases) {
      const path = join(work, `${c.name}.onnx`);
      writeFileSync(path, c.bytes);
      const run = await benchmarkLocal({
        modelPath: path,
        label: c.name,
        settings: {
          threads: 1,
          optimizationLevel: 'all',
          warmupIterations: 2,
          stop: { kind: 'iterations', count: 10 },
          inputs: inputsOf.get(c.name) ?? [],
          inputData: { kind: 'random', seed: 1 },
        },
      });
      const predicted = estimateOn(get(c.name), machine, 1, { machine }).latencyMs;
      const measured = run.latency.p50Ms;
      rows.push({ name: c.name, predicted, measured, errorPct: ((predicted - measured) / measured) * 100 });
    }
    expect(rows.length).toBeGreaterThanOrEqual(5);
    for (const r of rows) {
      expect(Number.isFinite(r.predicted) && r.predicted > 0, r.name).toBe(true);
      expect(Number.isFinite(r.errorPct), r.name).toBe(true);
    }
  }, 30_000);
});
