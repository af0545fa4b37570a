// npm run bench:quant:noise — where static INT8 loses fidelity, per model: every activation the static recipe
// quantizes is rounded alone, on the FP32 model's own values, at the scale and zero point the recipe chose (its
// local SQNR), and the noise powers, each relative to its own tensor, are summed (as if each reached the output
// with unit gain). Beside it, the QDQ model's measured output SQNR and cosine on the same held-out samples; their
// difference is how much the network itself damps (or passes on) rounding noise. From both: the local SQNR the
// median tensor would need for cosine 0.999 at the output — against the 30–45 dB that 8 bits give real
// activations (49.9 dB for a full-scale uniform signal, the most any 8-bit grid gives).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { TensorProto_DataType as DT, type ModelProto } from 'onnx-buf';
import type { DataSpec } from '../shared/schemas/optimize';
import { int8StaticConfigSchema } from '../shared/schemas/optimize';
import {
  decodeModel,
  encodeModel,
  initializerMap,
  makeValueInfo,
  producerMap,
  tensorToNumbers,
} from '../main/core/onnx';
import { openSampleSource } from '../main/core/optimize/data';
import { buildInt8Static, prepareInt8Static } from '../main/core/optimize/passes/int8-static';
import { createScorer } from '../main/core/optimize/search/scorer';
import { writeTestModel } from '../test/models';
import { createRng } from '../test/models/prng';
import { buildBenchConvNet, writeGaussian } from './bench-models';
import { paddleAssets, randomLine, writeLines } from './text-lines';

const anchors = fileURLToPath(new URL('../../shared/anchors/ort-quantizer/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'ef-bench-noise-'));
/** Cosine 0.999 is about 27 dB when the noise is uncorrelated with the signal: 1 − cos ≈ ½·10^(−SQNR/10). */
const TARGET_DB = 27;

type Case = { model: string; path: string; calibration: DataSpec; evaluation: DataSpec };
type Site = { tensor: string; scale: number; zeroPoint: number; qmin: number; qmax: number };

const rng = createRng(2026);
const lines = (n: number) => Array.from({ length: n }, () => randomLine(rng));
const convnet = join(work, 'convnet.onnx');
await writeTestModel(buildBenchConvNet(), convnet);
const cases: Case[] = [
  {
    model: 'PaddleOCR rec',
    path: join(paddleAssets, 'ch_PP-OCRv4_rec_infer.onnx'),
    calibration: await writeLines(join(work, 'rec-cal'), lines(64), 1, 320),
    evaluation: await writeLines(join(work, 'rec-eval'), lines(16), 2, 320),
  },
  {
    model: 'PaddleOCR cls',
    path: join(paddleAssets, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'),
    calibration: await writeLines(join(work, 'cls-cal'), lines(64), 3, 192),
    evaluation: await writeLines(join(work, 'cls-eval'), lines(16), 4, 192),
  },
  {
    model: 'VGG-style conv net',
    path: convnet,
    calibration: await writeGaussian(join(work, 'conv-cal'), 48, [1, 3, 64, 64], 5),
    evaluation: await writeGaussian(join(work, 'conv-eval'), 16, [1, 3, 64, 64], 6),
  },
];
if (existsSync(join(anchors, 'mnv3.onnx'))) {
  cases.push({
    model: 'MobileNetV3-small',
    path: join(anchors, 'mnv3.onnx'),
    calibration: await writeGaussian(join(work, 'mnv3-cal'), 38, [1, 3, 224, 224], 7),
    evaluation: await writeGaussian(join(work, 'mnv3-eval'), 10, [1, 3, 224, 224], 8),
  });
}

/** The activations the QDQ model quantizes, with the grid each one got (weights and constants left out). */
function quantizedActivations(qdq: ModelProto, floatModel: ModelProto): Site[] {
  const graph = qdq.graph!;
  const inits = initializerMap(graph);
  const known = new Set([
    ...producerMap(floatModel.graph!).keys(),
    ...floatModel.graph!.input.map((i) => i.name),
  ]);
  const sites: Site[] = [];
  for (const node of graph.node) {
    const tensor = node.input[0]!;
    // Renamed graph outputs (`<name>_QuantizeLinear_Input`) have no FP32 twin to compare with: left out.
    if (node.opType !== 'QuantizeLinear' || inits.has(tensor) || !known.has(tensor)) continue;
    const zero = node.input[2] ? inits.get(node.input[2]) : undefined;
    const signed = zero?.dataType === DT.INT8;
    sites.push({
      tensor,
      scale: tensorToNumbers(inits.get(node.input[1]!)!)?.[0] ?? NaN,
      zeroPoint: zero ? (tensorToNumbers(zero)?.[0] ?? 0) : 0,
      qmin: signed ? -128 : 0,
      qmax: signed ? 127 : 255,
    });
  }
  return sites;
}

/** Noise power relative to signal power of each site, rounded alone on the FP32 model's values. */
async function localNoise(floatModel: ModelProto, sites: Site[], evaluation: DataSpec): Promise<number[]> {
  const probe: ModelProto = {
    ...floatModel,
    graph: { ...floatModel.graph!, output: [...floatModel.graph!.output] },
  };
  const outputs = new Set(probe.graph!.output.map((o) => o.name));
  for (const s of sites)
    if (!outputs.has(s.tensor)) probe.graph!.output.push(makeValueInfo(s.tensor, DT.FLOAT));
  const session = await ort.InferenceSession.create(encodeModel(probe), {
    graphOptimizationLevel: 'disabled',
    logSeverityLevel: 3,
  });
  const signal = sites.map(() => 0);
  const noise = sites.map(() => 0);
  const source = await openSampleSource(evaluation, floatModel);
  for await (const sample of source.read()) {
    const out = await session.run(
      sample,
      sites.map((s) => s.tensor),
    );
    sites.forEach((s, i) => {
      const x = out[s.tensor]!.data as Float32Array;
      for (const v of x) {
        const q = Math.min(s.qmax, Math.max(s.qmin, Math.round(v / s.scale) + s.zeroPoint));
        signal[i]! += v * v;
        noise[i]! += (v - (q - s.zeroPoint) * s.scale) ** 2;
      }
    });
  }
  await session.release();
  return sites.map((_, i) => noise[i]! / Math.max(signal[i]!, Number.MIN_VALUE));
}

const db = (ratio: number) => -10 * Math.log10(ratio);
const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const config = int8StaticConfigSchema.parse({
  calibrator: 'percentile',
  percentile: 99.99,
  perChannel: true,
});
console.log(
  `bench:quant:noise — static INT8 (percentile 99.99, per-channel weights), every quantized activation rounded alone; ${ort.env.versions.node ? `ONNX Runtime ${ort.env.versions.node}` : ''}\n`,
);
const header = [
  'model',
  'quantized activations',
  'local SQNR dB: min / median / max',
  'worst 3',
  'noise summed dB',
  'measured output dB',
  'network gain dB',
  'cosine',
  `median tensor needs for ${TARGET_DB} dB`,
];
const rows: string[] = [];
for (const c of cases) {
  const bytes = new Uint8Array(readFileSync(c.path));
  const model = decodeModel(bytes);
  const scratchDir = join(work, `scratch-${rows.length}`);
  const prepared = await prepareInt8Static(
    model,
    config,
    {
      signal: new AbortController().signal,
      progress: () => undefined,
      calibration: await openSampleSource(c.calibration, model),
      scratchDir,
    },
    'planned',
  );
  const built = buildInt8Static(prepared, []);
  const sites = quantizedActivations(built.model, prepared.pre.model);
  const ratios = await localNoise(prepared.pre.model, sites, c.evaluation);
  const local = ratios.map(db).sort((a, b) => a - b);
  const worst = sites
    .map((s, i) => ({ s, dB: db(ratios[i]!) }))
    .sort((a, b) => a.dB - b.dB)
    .slice(0, 3)
    .map(({ s, dB }) => `${s.tensor.length > 28 ? `…${s.tensor.slice(-27)}` : s.tensor} ${dB.toFixed(1)}`)
    .join(', ');
  const summed = db(ratios.reduce((a, b) => a + b, 0));
  const scorer = await createScorer(bytes, await openSampleSource(c.evaluation, model));
  const score = await scorer.score(encodeModel(built.model));
  const measured = score.sqnrDb ?? NaN;
  // Scaling every tensor's noise by k moves the output by k: the median needs to move as far as the output must.
  const needed = quantile(local, 0.5) + (TARGET_DB - measured);
  rows.push(
    `| ${[
      c.model,
      String(sites.length),
      `${local[0]!.toFixed(1)} / ${quantile(local, 0.5).toFixed(1)} / ${local.at(-1)!.toFixed(1)}`,
      worst,
      summed.toFixed(1),
      measured.toFixed(1),
      (measured - summed).toFixed(1),
      (score.cosine ?? NaN).toFixed(5),
      needed.toFixed(1),
    ].join(' | ')} |`,
  );
  rmSync(scratchDir, { recursive: true, force: true });
}
console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|\n${rows.join('\n')}`);
console.log(
  `\nLast column: the median local SQNR at which the output would reach ${TARGET_DB} dB (≈ cosine 0.999), were every ` +
    "tensor's noise scaled alike — above the median it has, static INT8 cannot reach 0.999 without training the " +
    'network to damp the noise.',
);
rmSync(work, { recursive: true, force: true });
