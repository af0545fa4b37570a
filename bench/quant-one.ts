// One optimization in a fresh process, so its wall time and peak memory are its own. Used by bench/quant.ts.
import { readFile, writeFile } from 'node:fs/promises';
import { expectSingle, runOptimization, type OptimizationJob } from '../main/core/optimize/run-optimization';
import { peakRssMb } from './peak-memory';

type Args = Omit<OptimizationJob, 'parentBytes'> & { modelPath: string; outPath: string };

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const parentBytes = new Uint8Array(await readFile(args.modelPath));
const started = performance.now();
const outcome = expectSingle(
  await runOptimization(
    {
      parentBytes,
      options: args.options,
      calibration: args.calibration,
      evaluation: args.evaluation,
      scratchDir: args.scratchDir,
    },
    { signal: new AbortController().signal, progress: () => undefined },
  ),
);
const wallMs = performance.now() - started;
await writeFile(args.outPath, outcome.bytes);
process.stdout.write(
  JSON.stringify({ wallMs, peakRssMb: peakRssMb(), pass: outcome.pass, fidelity: outcome.fidelity }),
);
