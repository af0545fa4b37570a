import type { Command } from 'commander';
import { AppError } from '../../../shared/errors';
import type { BenchReport, BenchResult, StopRule } from '../../../shared/schemas/bench';
import type { DimOverrides } from '../../core/bench';
import { parseDimArg, parseShapeArg } from '../../core/bench/runner/input-plan';
import { runCommand, type CliIo, type GlobalOptions } from '../cli-context';
import { formatBytes, table } from '../format';
import { progressLine } from '../progress-line';
import { tensorrtFromFlags, withTensorrtOptions, type TensorrtFlags } from './tensorrt-flags';

type Globals = () => GlobalOptions;
type Exit = (code: number) => void;

type BenchFlags = TensorrtFlags & {
  profiles?: string;
  device?: string;
  iterations?: string;
  duration?: string;
  threads?: string;
  dim: string[];
  shape: string[];
};

const collect = (value: string, previous: string[]) => [...previous, value];

function positiveInt(flag: string, text: string): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < 1)
    throw new AppError('USAGE', `${flag} expects a positive whole number, not "${text}".`);
  return v;
}

function stopRule(flags: BenchFlags): StopRule | undefined {
  if (flags.iterations !== undefined && flags.duration !== undefined) {
    throw new AppError('USAGE', 'Give --iterations or --duration, not both.');
  }
  if (flags.iterations !== undefined)
    return { kind: 'iterations', count: positiveInt('--iterations', flags.iterations) };
  if (flags.duration !== undefined) {
    const s = Number(flags.duration);
    if (!(s > 0)) throw new AppError('USAGE', `--duration expects seconds > 0, not "${flags.duration}".`);
    return { kind: 'duration', ms: s * 1000, minIterations: 3 };
  }
  return undefined;
}

function dimOverrides(flags: BenchFlags): DimOverrides {
  return {
    dims: Object.fromEntries(flags.dim.map(parseDimArg)),
    shapes: Object.fromEntries(flags.shape.map(parseShapeArg)),
  };
}

export function registerBenchCommand(program: Command, globals: Globals, io: CliIo, exit: Exit): void {
  withTensorrtOptions(program.command('bench'), 'with --device: also measure on the device')
    .description(
      'measure models on this machine (or a device) and estimate them on hardware profiles; results are stored',
    )
    .argument('<model...>', 'ids or names of the models (variants) to benchmark')
    .option('--profiles <list>', 'estimate on these profiles: comma-separated ids, or "all"')
    .option('--device <name>', 'measure on this fleet device over SSH instead of this machine')
    .option('--iterations <n>', 'timed runs per benchmark')
    .option('--duration <seconds>', 'run each benchmark at least this long (default 2 s)')
    .option('--threads <n>', 'ONNX Runtime intra-op threads (default: all cores of the target)')
    .option(
      '--dim <name=size>',
      'value of a symbolic input dimension, e.g. --dim height=48 (repeatable)',
      collect,
      [],
    )
    .option(
      '--shape <input=d0,d1,…>',
      'whole shape of an input, e.g. --shape x=1,3,48,192 (repeatable)',
      collect,
      [],
    )
    .action(async (models: string[], flags: BenchFlags) => {
      const g = globals();
      exit(
        await runCommand(
          g,
          io,
          async (ctx): Promise<BenchReport> => {
            const stop = stopRule(flags);
            const threads = flags.threads === undefined ? undefined : positiveInt('--threads', flags.threads);
            const profiles =
              flags.profiles === undefined
                ? undefined
                : flags.profiles.trim() === 'all'
                  ? ('all' as const)
                  : flags.profiles
                      .split(',')
                      .map((p) => p.trim())
                      .filter((p) => p !== '');
            const bench = ctx.services().bench;
            const bar = progressLine(io, ctx.json, 'bench');
            const settings = {
              dims: dimOverrides(flags),
              stop,
              threads,
              onProgress: bar.update,
            };
            const tensorrt = tensorrtFromFlags(flags);
            if (tensorrt !== null && flags.device === undefined) {
              throw new AppError('USAGE', '--tensorrt measures on a device: add --device <name>.');
            }
            try {
              if (flags.device !== undefined) {
                const device = bench.resolveDevice(flags.device);
                const measured: BenchResult[] = [];
                for (const model of models) {
                  try {
                    measured.push(await bench.runOnDevice(model, device, settings));
                  } catch (err) {
                    // A device with TensorRT and no ONNX Runtime still gets its TensorRT figure.
                    if (tensorrt === null || !(err instanceof AppError) || err.code !== 'NO_RUNTIME')
                      throw err;
                    if (!ctx.json) io.stderr(`No ONNX Runtime figure: ${err.message}\n`);
                  }
                  if (tensorrt !== null) {
                    measured.push(
                      await bench.runOnDevice(model, device, { ...settings, runtime: 'tensorrt', tensorrt }),
                    );
                  }
                }
                const estimates =
                  profiles === undefined
                    ? { results: [], estimatorError: { rows: [], medianAbsErrorPct: null } }
                    : await bench.run(models, { ...settings, profiles, local: false });
                return {
                  results: [...measured, ...estimates.results],
                  estimatorError: estimates.estimatorError,
                };
              }
              return await bench.run(models, {
                ...settings,
                profiles,
              });
            } finally {
              bar.end();
            }
          },
          reportText,
        ),
      );
    });
}

const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

function reportText(report: BenchReport): string {
  const rows = report.results.map((r) => {
    if (r.measured) {
      const l = r.measured.latency;
      return [
        r.modelName,
        r.target.kind === 'device' ? r.target.id : r.target.label,
        `measured (${r.runtime} ${r.ortVersion})`,
        ms(l.p50Ms),
        ms(l.p90Ms),
        ms(l.p99Ms),
        `${l.throughputPerSec.toFixed(1)}/s`,
        r.measured.peakRssBytes === null ? '-' : formatBytes(r.measured.peakRssBytes),
        '',
        r.predictedMs === null ? '' : `estimated ${ms(r.predictedMs)}`,
      ];
    }
    const e = r.estimate;
    return [
      r.modelName,
      r.target.label,
      `estimated${e?.correction ? ` (×${e.correction.factor} from ${e.correction.basedOn} device run(s))` : ''}`,
      e ? ms(e.latencyMs) : '-',
      '-',
      '-',
      e && e.latencyMs > 0 ? `${(1000 / e.latencyMs).toFixed(1)}/s` : '-',
      e ? formatBytes(e.memory.totalBytes) : '-',
      e ? (e.memory.fits ? 'yes' : 'NO') : '',
      e ? [`range ${ms(e.lowMs)}–${ms(e.highMs)}`, ...e.warnings.map((w) => w.code)].join(', ') : '',
    ];
  });
  const out = [
    table(
      ['MODEL', 'TARGET', 'SOURCE', 'P50 MS', 'P90 MS', 'P99 MS', 'THROUGHPUT', 'MEMORY', 'FITS', 'NOTES'],
      rows,
    ),
  ];
  const warnings = new Map<string, string>();
  for (const r of report.results) for (const w of r.estimate?.warnings ?? []) warnings.set(w.code, w.message);
  if (warnings.size > 0) out.push(...[...warnings].map(([code, message]) => `${code}: ${message}`));
  const err = report.estimatorError;
  if (err.rows.length > 0) {
    out.push(
      'Estimator on this machine (predicted vs measured p50):',
      ...err.rows.map(
        (r) =>
          `  ${r.modelName}: ${ms(r.predictedMs)} vs ${ms(r.measuredMs)} ms (${r.errorPct >= 0 ? '+' : ''}${r.errorPct}%)`,
      ),
      `  median absolute error ${err.medianAbsErrorPct}%`,
    );
  }
  return `${out.join('\n')}\n`;
}
