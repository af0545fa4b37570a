// npm run bench:quant:noise — where static INT8 loses fidelity, per model, read from the report every static
// INT8 variant carries (fidelity/README.md, "Noise budget"): each quantized activation's float value rounded
// alone on its own grid (the error made there), those noise powers summed as if each reached the output at
// unit gain, the worst output's measured SQNR and cosine on held-out samples, their difference (how much the
// network damps or amplifies rounding noise), and the median rounding SQNR the output would need for cosine
// ≈ 0.999 — against what the best-rounded tenth of the model's own activations get. The last column says
// whether the report warned in plain words that static INT8 cannot get there.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { int8StaticConfigSchema, type DataSpec } from '../shared/schemas/optimize';
import { COSINE_0999_DB } from '../main/core/optimize/fidelity';
import { expectSingle, runOptimization } from '../main/core/optimize/run-optimization';
import { writeTestModel } from '../test/models';
import { createRng } from '../test/models/prng';
import { buildBenchConvNet, writeGaussian } from './bench-models';
import { paddleAssets, randomLine, writeLines } from './text-lines';

const anchors = fileURLToPath(new URL('../../shared/anchors/ort-quantizer/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'ef-bench-noise-'));

type Case = { model: string; path: string; calibration: DataSpec; evaluation: DataSpec };

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

const config = int8StaticConfigSchema.parse({
  calibrator: 'percentile',
  percentile: 99.99,
  perChannel: true,
});
console.log(
  `bench:quant:noise — static INT8 (percentile 99.99, per-channel weights), every quantized activation rounded alone; ONNX Runtime ${ort.env.versions.node}\n`,
);
const header = [
  'model',
  'quantized activations',
  'rounding alone dB: min / median / best tenth / max',
  'worst 3',
  'noise summed dB',
  'measured output dB',
  'network gain dB',
  'cosine',
  `median needs for ${COSINE_0999_DB} dB`,
  'report warns',
];
const rows: string[] = [];
for (const c of cases) {
  const scratchDir = join(work, `scratch-${rows.length}`);
  const outcome = expectSingle(
    await runOptimization(
      {
        parentBytes: new Uint8Array(readFileSync(c.path)),
        options: { method: 'int8-static', config },
        calibration: c.calibration,
        evaluation: c.evaluation,
        scratchDir,
      },
      { signal: new AbortController().signal, progress: () => undefined },
    ),
  );
  const { tensors, noiseBudget: budget, outputs, warnings } = outcome.fidelity;
  if (!budget) throw new Error(`${c.model}: the report has no noise budget`);
  const rounding = tensors
    .flatMap((t) => (typeof t.roundingSqnrDb === 'number' ? [{ t, db: t.roundingSqnrDb }] : []))
    .sort((a, b) => a.db - b.db);
  const short = (name: string) => (name.length > 28 ? `…${name.slice(-27)}` : name);
  rows.push(
    `| ${[
      c.model,
      String(budget.tensors),
      `${rounding[0]!.db.toFixed(1)} / ${budget.medianDb.toFixed(1)} / ${budget.bestTenthDb.toFixed(1)} / ${rounding.at(-1)!.db.toFixed(1)}`,
      rounding
        .slice(0, 3)
        .map(({ t, db }) => `${short(t.name)} ${db.toFixed(1)}`)
        .join(', '),
      budget.summedDb.toFixed(1),
      budget.outputDb.toFixed(1),
      budget.gainDb.toFixed(1),
      Math.min(...outputs.map((o) => o.cosine ?? 1)).toFixed(5),
      budget.neededMedianDb.toFixed(1),
      warnings.some((w) => w.includes('activations to 8 bits')) ? 'yes' : 'no',
    ].join(' | ')} |`,
  );
  rmSync(scratchDir, { recursive: true, force: true });
}
console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|\n${rows.join('\n')}`);
console.log(
  `\n"median needs": the median rounding SQNR at which the worst output would reach ${COSINE_0999_DB} dB (≈ cosine ` +
    "0.999), were every rounding's noise moved alike; above the best tenth, static INT8 cannot reach 0.999 " +
    'without training the network to damp the noise.',
);
rmSync(work, { recursive: true, force: true });
