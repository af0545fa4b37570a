import { AppError } from '../../../../shared/errors';
import type { BenchSettings, MeasuredRun } from '../../../../shared/schemas/bench';

/**
 * ONNX Runtime's own benchmark tool, `onnxruntime_perf_test` (onnxruntime/test/perftest), for devices that have
 * it and neither Python nor Node bindings. Its summary lines (performance_runner.cc) are parsed:
 *
 *   Session creation time cost: 0.0312 s
 *   Total inference requests: 100
 *   Average inference time cost: 12.3 ms
 *   Peak working set size: 123456789 bytes
 *   Min Latency: 0.0112 s … Max Latency, P50/P90/P95/P99/P999 Latency: … s
 *
 * It reports no standard deviation; stdev is taken as (P90 − P50) ÷ 1.2816 (normal distribution) and noted.
 * Written from the tool's documented output; not exercised against a real binary in EdgeFleet's tests.
 */

const optLevel: Record<BenchSettings['optimizationLevel'], string> = {
  disabled: '0',
  basic: '1',
  extended: '2',
  all: '99',
};

/** Arguments after the program name; the model path goes last. */
export function perfTestArgs(settings: BenchSettings, freeDims: Readonly<Record<string, number>>): string[] {
  const stop = settings.stop;
  const args =
    stop.kind === 'iterations'
      ? ['-m', 'times', '-r', String(stop.count)]
      : ['-m', 'duration', '-t', String(Math.max(1, Math.ceil(stop.ms / 1000)))];
  args.push(
    '-e',
    'cpu',
    '-x',
    String(settings.threads),
    '-y',
    '1',
    '-o',
    optLevel[settings.optimizationLevel],
  );
  // -I: generate random inputs (no test data folder); -f: values for named free dimensions.
  args.push('-I');
  for (const [name, value] of Object.entries(freeDims)) args.push('-f', `${name}:${value}`);
  return args;
}

function seconds(text: string, label: string): number | null {
  const m = new RegExp(`^\\s*${label}:\\s*([\\d.eE+-]+)\\s*s\\b`, 'm').exec(text);
  return m?.[1] === undefined ? null : Number(m[1]) * 1000;
}

export function parsePerfTestOutput(stdout: string, ortVersion: string): MeasuredRun {
  const requests = /^\s*Total inference requests:\s*(\d+)/m.exec(stdout)?.[1];
  const avg = /^\s*Average inference time cost:\s*([\d.eE+-]+)\s*ms/m.exec(stdout)?.[1];
  const p50 = seconds(stdout, 'P50 Latency');
  const p90 = seconds(stdout, 'P90 Latency');
  const p99 = seconds(stdout, 'P99 Latency');
  const min = seconds(stdout, 'Min Latency');
  const max = seconds(stdout, 'Max Latency');
  if (requests === undefined || avg === undefined || p50 === null || p90 === null || p99 === null) {
    throw new AppError(
      'BENCH_FAILED',
      `onnxruntime_perf_test printed no summary EdgeFleet understands: ${stdout.trim().slice(-400) || '(no output)'}`,
    );
  }
  const mean = Number(avg);
  const session = seconds(stdout, 'Session creation time cost');
  const peak = /^\s*Peak working set size:\s*(\d+)\s*bytes/m.exec(stdout)?.[1];
  const iterations = Number(requests);
  const r4 = (x: number) => Math.round(x * 10_000) / 10_000;
  return {
    runtime: 'onnxruntime_perf_test',
    ortVersion,
    latency: {
      iterations,
      meanMs: r4(mean),
      p50Ms: r4(p50),
      p90Ms: r4(p90),
      p99Ms: r4(p99),
      stdevMs: r4(Math.max(0, (p90 - p50) / 1.2816)),
      minMs: r4(min ?? p50),
      maxMs: r4(max ?? p99),
      throughputPerSec: mean > 0 ? Math.round((1000 / mean) * 100) / 100 : 0,
      totalMs: r4(mean * iterations),
    },
    loadMs: session,
    warmupMs: null,
    peakRssBytes: peak === undefined ? null : Number(peak),
    baselineRssBytes: null,
  };
}
