import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelProto } from 'onnx-buf';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../../shared/errors';
import { buildBenchConvNet } from '../../../../bench/bench-models';
import {
  buildChannelOpsNet,
  buildConvIntoReshape,
  buildConvToOutput,
  buildDecoderNet,
  buildPruneZoo,
  ZOO_DEAD,
} from '../../../../test/models/prune-nets';
import { buildCnnClassifier } from '../../../../test/models/cnn-classifier';
import { randomFeeds, runOrt } from '../../../../test/models/ort';
import { defaultOpsetVersion, encodeModel, getAttrInt } from '../../onnx';
import { pruneChannels } from './prune-channels';

const root = mkdtempSync(join(tmpdir(), 'ef-prune-channels-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let runs = 0;
const ctx = () => ({
  signal: new AbortController().signal,
  progress: () => {},
  scratchDir: join(root, `s${runs++}`),
});

const weightDims = (m: ModelProto, nodeName: string): number[] => {
  const node = m.graph!.node.find((n) => n.name === nodeName)!;
  const t = m.graph!.initializer.find((i) => i.name === node.input[1])!;
  return t.dims.map(Number);
};

async function logits(m: ModelProto, seed: number, output = 'logits'): Promise<Float32Array> {
  const out = await runOrt(encodeModel(m), randomFeeds(m, seed));
  const r = out[output]!;
  return new Float32Array(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength / 4);
}

async function expectFailure(p: Promise<unknown>, code: string, text?: RegExp): Promise<AppError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe(code);
  if (text) expect((err as AppError).message).toMatch(text);
  return err as AppError;
}

describe('prune-channels', () => {
  it('removes the dead channels of every coupled group and leaves the output unchanged', async () => {
    const zoo = buildPruneZoo();
    const { model, report } = await pruneChannels(zoo, { ratio: 0.25, channelMultiple: 1 }, ctx());

    // Residual group (stem + project), SE gate group (expand + dw + fc2), concat members, Flatten → Gemm.
    expect(weightDims(model, 'stem')).toEqual([6, 3, 3, 3]);
    expect(weightDims(model, 'expand')).toEqual([12, 6, 1, 1]);
    expect(weightDims(model, 'dw')).toEqual([12, 1, 3, 3]);
    expect(
      getAttrInt(
        model.graph!.node.find((n) => n.name === 'dw')!,
        'group',
      ),
    ).toBe(12);
    expect(weightDims(model, 'se.fc1')).toEqual([3, 12, 1, 1]);
    expect(weightDims(model, 'se.fc2')).toEqual([12, 3, 1, 1]);
    expect(weightDims(model, 'project')).toEqual([6, 12, 1, 1]);
    expect(weightDims(model, 'left')).toEqual([4, 6, 3, 3]);
    expect(weightDims(model, 'right')).toEqual([3, 6, 1, 1]);
    expect(weightDims(model, 'head')).toEqual([9, 7, 3, 3]);
    expect(weightDims(model, 'fc')).toEqual([10, 9 * 64]);
    expect(model.graph!.node.some((n) => n.opType === 'BatchNormalization')).toBe(false);
    expect(defaultOpsetVersion(model)).toBe(14);

    const removed = report.groups.reduce((n, g) => n + g.channelsBefore - g.channelsAfter, 0);
    expect(removed).toBe(Object.values(ZOO_DEAD).reduce((n, d) => n + d.length, 0));
    expect(report.blocked).toEqual([{ producers: ['fc'], reasons: ["graph output 'logits'"] }]);
    expect(report.totals.macsAfter).toBeLessThan(report.totals.macsBefore * 0.7);
    expect(report.totals.paramsAfter).toBeLessThan(report.totals.paramsBefore);
    const head = report.layers.find((l) => l.node === 'head')!;
    expect(head).toMatchObject({ channelsBefore: 12, channelsAfter: 9, inputsBefore: 10, inputsAfter: 7 });
    expect(head.macsAfter! / head.macsBefore!).toBeCloseTo((9 * 7) / (12 * 10), 6);

    for (const seed of [1, 2]) {
      const a = await logits(zoo, seed);
      const b = await logits(model, seed);
      const scale = Math.max(...a.map(Math.abs));
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-4 * scale);
    }
  });

  it('follows channels through Resize and prunes ConvTranspose outputs', async () => {
    const net = buildDecoderNet();
    const { model, report } = await pruneChannels(net, { ratio: 0.25, channelMultiple: 1 }, ctx());
    expect(weightDims(model, 'conv')).toEqual([6, 3, 3, 3]);
    expect(weightDims(model, 'deconv')).toEqual([6, 4, 2, 2]);
    expect(weightDims(model, 'out')).toEqual([4, 4, 1, 1]);
    expect(report.blocked.map((b) => b.producers)).toEqual([['out']]);
    const a = await logits(net, 4, 'y');
    const b = await logits(model, 4, 'y');
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-4);
  });

  it('slices PRelu slopes, a standalone BatchNorm and a flattening Reshape, through Pad', async () => {
    const net = buildChannelOpsNet();
    const { model } = await pruneChannels(net, { ratio: 0.25, channelMultiple: 1 }, ctx());
    expect(weightDims(model, 'conv1')).toEqual([6, 3, 3, 3]);
    expect(weightDims(model, 'conv2')).toEqual([6, 6, 3, 3]);
    expect(weightDims(model, 'fc')).toEqual([5, 6 * 16]);
    expect(model.graph!.node.some((n) => n.opType === 'BatchNormalization')).toBe(true);
    const a = await logits(net, 6, 'y');
    const b = await logits(model, 6, 'y');
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-4);
  });

  it('ranks by BatchNorm gamma when asked, falling back to weight norms where no BN follows', async () => {
    const { model, warnings } = await pruneChannels(
      buildPruneZoo(),
      { ratio: 0.25, importance: 'bn-gamma', channelMultiple: 1 },
      ctx(),
    );
    expect(weightDims(model, 'stem')).toEqual([6, 3, 3, 3]);
    expect(warnings.join(' ')).toMatch(/no BatchNormalization after them/);
  });

  it('keeps excluded layers whole', async () => {
    const { model, report } = await pruneChannels(
      buildPruneZoo(),
      { ratio: 0.25, exclude: ['head'], channelMultiple: 1 },
      ctx(),
    );
    expect(weightDims(model, 'head')).toEqual([12, 7, 3, 3]);
    expect(report.blocked.find((b) => b.producers.includes('head'))?.reasons.join()).toMatch(/excluded/);
  });

  it('searches the ratio that meets a MAC target', async () => {
    const { report } = await pruneChannels(buildBenchConvNet(), { targetMacs: 0.4 }, ctx());
    const kept = report.totals.macsAfter / report.totals.macsBefore;
    expect(kept).toBeLessThanOrEqual(0.4);
    expect(kept).toBeGreaterThan(0.3);
    expect(report.ratio).toBeGreaterThan(0.3);
    await expectFailure(
      pruneChannels(buildBenchConvNet(), { targetMacs: 0.001 }, ctx()),
      'PRUNE_TARGET_UNREACHABLE',
      /cannot be reached/,
    );
  });

  it('prunes sensitive groups less after a sensitivity scan, for about the same MACs', async () => {
    const uniform = await pruneChannels(buildBenchConvNet(), { ratio: 0.3, channelMultiple: 1 }, ctx());
    const scanned = await pruneChannels(buildBenchConvNet(), { ratio: 0.3, sensitivity: true }, ctx());
    const groups = scanned.report.groups;
    expect(groups.every((g) => g.sensitivityDb !== null)).toBe(true);
    expect(new Set(groups.map((g) => g.channelsAfter / g.channelsBefore)).size).toBeGreaterThan(1);
    const worst = groups.reduce((a, g) => (g.sensitivityDb! < a.sensitivityDb! ? g : a));
    const best = groups.reduce((a, g) => (g.sensitivityDb! > a.sensitivityDb! ? g : a));
    expect(worst.ratio).toBeLessThan(best.ratio);
    expect(scanned.report.totals.macsAfter).toBeLessThanOrEqual(uniform.report.totals.macsAfter);
    expect(scanned.warnings.join(' ')).toMatch(/random inputs/);
  });

  it('rounds kept channels to multiples of 8 within the MACs of the exact ratio', async () => {
    const exact = await pruneChannels(buildBenchConvNet(), { ratio: 0.3, channelMultiple: 1 }, ctx());
    const rounded = await pruneChannels(buildBenchConvNet(), { ratio: 0.3 }, ctx());
    expect(rounded.report.groups.every((g) => g.channelsAfter % 8 === 0)).toBe(true);
    expect(exact.report.groups.some((g) => g.channelsAfter % 8 !== 0)).toBe(true);
    expect(rounded.report.totals.macsAfter).toBeLessThanOrEqual(exact.report.totals.macsAfter);
    expect(rounded.report.totals.macsAfter).toBeGreaterThan(exact.report.totals.macsAfter * 0.85);
  });

  it("gives the removed channels' mean contribution back to the next layer (bias compensation)", async () => {
    const parent = buildBenchConvNet();
    const plain = await pruneChannels(parent, { ratio: 0.3, biasCompensation: false }, ctx());
    const compensated = await pruneChannels(parent, { ratio: 0.3 }, ctx());
    expect(compensated.warnings.join(' ')).toMatch(/random inputs/);
    const sqnr = async (m: ModelProto) => {
      let signal = 0;
      let noise = 0;
      for (const seed of [11, 12, 13]) {
        const a = await logits(parent, seed);
        const b = await logits(m, seed);
        a.forEach((v, i) => {
          signal += v * v;
          noise += (v - b[i]!) ** 2;
        });
      }
      return 10 * Math.log10(signal / noise);
    };
    const withOut = await sqnr(plain.model);
    const withComp = await sqnr(compensated.model);
    // Means come from normal random inputs, the check uses uniform ones: a clear gain, not the best case.
    expect(withComp).toBeGreaterThan(withOut + 2);
  });

  it('latency-aware: times counts on this machine, keeps the channel budget, and keeps a plan only if it is faster', async () => {
    const model = buildCnnClassifier({ channels: [16, 32], hidden: 64 });
    const uniform = await pruneChannels(model, { ratio: 0.5 }, ctx());
    const aware = await pruneChannels(model, { ratio: 0.5, latencyAware: true }, ctx());
    const removed = (r: typeof aware) =>
      r.report.groups.reduce((n, g) => n + g.channelsBefore - g.channelsAfter, 0);
    const latency = aware.report.latency!;
    expect(latency.measurements).toBeGreaterThanOrEqual(3);
    expect(latency.baseMs).toBeGreaterThan(0);
    expect(removed(aware)).toBeGreaterThanOrEqual(removed(uniform));
    expect(removed(aware)).toBeLessThanOrEqual(removed(uniform) + 8);
    if (latency.allocation === 'latency-aware') {
      expect(latency.againstUniform).toBeLessThanOrEqual(0.97);
      expect(aware.report.groups.some((g) => g.latencySavedMs !== null)).toBe(true);
    } else {
      expect(aware.report.groups.map((g) => g.channelsAfter)).toEqual(
        uniform.report.groups.map((g) => g.channelsAfter),
      );
      expect(aware.warnings.join(' ')).toMatch(/uniform ratio was kept/);
    }
    expect((await logits(aware.model, 3)).length).toBe((await logits(model, 3)).length);
    expect(uniform.report.latency).toBeUndefined();
  });

  it('refuses bad options and unprunable models with a clear code', async () => {
    for (const ratio of [0, 1, 1.5, -0.2]) {
      await expectFailure(
        pruneChannels(buildPruneZoo(), { ratio }, ctx()),
        'PRUNE_CONFIG_INVALID',
        /between|greater/,
      );
    }
    await expectFailure(pruneChannels(buildPruneZoo(), {}, ctx()), 'PRUNE_CONFIG_INVALID', /--ratio/);
    await expectFailure(
      pruneChannels(buildPruneZoo(), { ratio: 0.3, targetMacs: 0.5 }, ctx()),
      'PRUNE_CONFIG_INVALID',
    );
    await expectFailure(
      pruneChannels(buildPruneZoo(), { targetMacs: 0.5, latencyAware: true }, ctx()),
      'PRUNE_CONFIG_INVALID',
      /--latency-aware/,
    );
    await expectFailure(
      pruneChannels(buildPruneZoo(), { ratio: 0.3, fineTune: true, data: '/tmp/x' }, ctx()),
      'PRUNE_CONFIG_INVALID',
      /data/,
    );
    await expectFailure(
      pruneChannels(buildConvToOutput(), { ratio: 0.3 }, ctx()),
      'PRUNE_OUTPUT_CHANNELS',
      /'y'/,
    );
    await expectFailure(
      pruneChannels(buildConvIntoReshape(), { ratio: 0.3 }, ctx()),
      'NOTHING_TO_PRUNE',
      /Reshape/,
    );
  });
});
