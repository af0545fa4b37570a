import { AppError } from '../../../../shared/errors';
import type { BenchSettings, MeasuredRun } from '../../../../shared/schemas/bench';
import type { TensorrtBuild } from '../../../../shared/schemas/deploy';
import type { SshConnection } from '../../fleet/ssh';
import {
  parsePerformanceSummary,
  parseTensorrtVersion,
  trtexecBuildFlags,
  type TrtexecSummary,
} from '../../tensorrt/trtexec';

/**
 * Benchmarks a model with NVIDIA TensorRT on a device: trtexec builds an engine from the uploaded ONNX file
 * (with the precision and DLA core asked for), then runs it with `--loadEngine` and EdgeFleet reads the
 * performance summary (see main/core/tensorrt/trtexec.ts for the format and its source). The figures are
 * trtexec's `Latency` (H2D + GPU compute + D2H per query) and `Throughput`; trtexec's own warm-up (200 ms by
 * default) replaces the warm-up iterations of the ONNX Runtime runners.
 */

/** Run flags after `--loadEngine=…`: the stop rule, then the DLA core the engine was built for. */
export function trtexecRunFlags(settings: BenchSettings, build: TensorrtBuild): string[] {
  const stop = settings.stop;
  const flags =
    stop.kind === 'iterations'
      ? [`--iterations=${stop.count}`, '--duration=0']
      : [`--iterations=${stop.minIterations}`, `--duration=${Math.max(1, Math.ceil(stop.ms / 1000))}`];
  if (build.dlaCore !== null) flags.push(`--useDLACore=${build.dlaCore}`);
  return flags;
}

/** trtexec's summary as a measured run; stdev is not reported: (P90 − P50) ÷ 1.2816, as for perf_test. */
export function measuredFromTrtexec(
  summary: TrtexecSummary,
  version: string,
  build: TensorrtBuild,
): MeasuredRun {
  const { latency } = summary;
  const p90 = latency.percentilesMs['90'] ?? latency.maxMs;
  const p99 = latency.percentilesMs['99'] ?? latency.maxMs;
  const r4 = (x: number) => Math.round(x * 10_000) / 10_000;
  const iterations =
    summary.queries ??
    (summary.walltimeMs === null
      ? 1
      : Math.max(1, Math.round((summary.walltimeMs / 1000) * summary.throughputQps)));
  return {
    runtime: 'tensorrt-trtexec',
    ortVersion: version,
    latency: {
      iterations,
      meanMs: r4(latency.meanMs),
      p50Ms: r4(latency.medianMs),
      p90Ms: r4(p90),
      p99Ms: r4(p99),
      stdevMs: r4(Math.max(0, (p90 - latency.medianMs) / 1.2816)),
      minMs: r4(latency.minMs),
      maxMs: r4(latency.maxMs),
      throughputPerSec: Math.round(summary.throughputQps * 100) / 100,
      totalMs: r4(summary.walltimeMs ?? latency.meanMs * iterations),
    },
    loadMs: summary.loadMs,
    warmupMs: summary.warmupMs,
    peakRssBytes: null,
    baselineRssBytes: null,
    tensorrt: {
      precision: build.precision,
      dlaCore: build.dlaCore,
      percentilesMs: latency.percentilesMs,
      throughputQps: summary.throughputQps,
    },
  };
}

function lastError(output: string): string {
  const errors = output.split('\n').filter((l) => /\[E\]/.test(l));
  return (errors[0] ?? output.trim().split('\n').at(-1) ?? '(no output)').trim().slice(0, 400);
}

/**
 * Builds and runs the engine in `dir` (which holds model.onnx). `trtexec` is the path the probe found;
 * `exec` runs a command with the caller's deadline and cancel signal.
 */
export async function runTrtexecBenchmark(
  conn: SshConnection,
  exec: (cmd: { script: string; args: string[] }) => ReturnType<SshConnection['exec']>,
  args: { trtexec: string; dir: string; label: string; settings: BenchSettings; build: TensorrtBuild },
): Promise<MeasuredRun> {
  const { trtexec, dir, label, settings, build } = args;
  // The build runs one inference only: the measured run is the next command's.
  const built = await exec({
    script:
      'trt=$1; dir=$2; shift 2; exec "$trt" --onnx="$dir/model.onnx" --saveEngine="$dir/model.engine" --iterations=1 --duration=0 --warmUp=0 "$@"',
    args: [trtexec, dir, ...trtexecBuildFlags(build)],
  });
  if (built.code !== 0) {
    throw new AppError(
      'BENCH_FAILED',
      `trtexec could not build a TensorRT engine of ${label} on ${conn.where} (exit ${built.code}): ${lastError(built.stdout + built.stderr)}`,
    );
  }
  const ran = await exec({
    script: 'trt=$1; dir=$2; shift 2; exec "$trt" --loadEngine="$dir/model.engine" "$@"',
    args: [trtexec, dir, ...trtexecRunFlags(settings, build)],
  });
  const output = `${ran.stdout}\n${ran.stderr}`;
  const summary = ran.code === 0 ? parsePerformanceSummary(ran.stdout) : null;
  if (summary === null) {
    throw new AppError(
      'BENCH_FAILED',
      ran.code === 0
        ? `trtexec on ${conn.where} printed no performance summary EdgeFleet understands for ${label}: ${ran.stdout.trim().slice(-400) || '(no output)'}`
        : `trtexec could not run the TensorRT engine of ${label} on ${conn.where} (exit ${ran.code}): ${lastError(output)}`,
    );
  }
  const version = parseTensorrtVersion(ran.stdout) ?? parseTensorrtVersion(built.stdout) ?? 'unknown';
  return measuredFromTrtexec(summary, version, build);
}
