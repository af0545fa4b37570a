// One auto search in a fresh process, so its wall time and peak memory are its own. Used by bench/auto-quant.ts.
import { readFile, writeFile } from 'node:fs/promises';
import type { AutoConfig, DataSpec } from '../shared/schemas/optimize';
import { autoConfigSchema } from '../shared/schemas/optimize';
import { runOptimization } from '../main/core/optimize/run-optimization';
import { peakRssMb } from './peak-memory';

type Args = {
  modelPath: string;
  outPath: string;
  calibration: DataSpec;
  evaluation?: DataSpec;
  config: Partial<AutoConfig>;
  scratchDir: string;
};

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const started = performance.now();
const outcome = await runOptimization(
  {
    parentBytes: new Uint8Array(await readFile(args.modelPath)),
    options: { method: 'auto', config: autoConfigSchema.parse(args.config) },
    calibration: args.calibration,
    evaluation: args.evaluation,
    scratchDir: args.scratchDir,
  },
  { signal: new AbortController().signal, progress: () => undefined },
);
if (outcome.kind !== 'auto') throw new Error('expected an auto outcome');
const first = outcome.kept[0]!;
await writeFile(args.outPath, first.bytes);
process.stdout.write(
  JSON.stringify({
    wallMs: performance.now() - started,
    peakRssMb: peakRssMb(),
    report: outcome.report,
    stored: first.candidateId,
  }),
);
