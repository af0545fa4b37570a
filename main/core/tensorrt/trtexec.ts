import type { TensorrtBuild } from '../../../shared/schemas/deploy';

/**
 * NVIDIA's `trtexec` (TensorRT's command-line tool), as EdgeFleet drives it: the flags it is given and the
 * text it prints. The formats are NVIDIA's, from its documentation and the tool's source:
 *
 * - "Command-Line Programs › trtexec" in the TensorRT Developer Guide
 *   (https://docs.nvidia.com/deeplearning/tensorrt/latest/reference/command-line-programs.html): the build
 *   flags (`--onnx`, `--saveEngine`, `--fp16`, `--int8`, `--best`, `--useDLACore`, `--allowGPUFallback`,
 *   `--skipInference`), the run flags (`--loadEngine`, `--iterations`, `--duration`, `--warmUp`) and what each
 *   performance metric means (Throughput = queries ÷ Total Host Walltime; Latency = H2D + GPU Compute + D2H).
 * - samples/common/sampleReporting.cpp and logging.h in github.com/NVIDIA/TensorRT: the summary lines
 *   `=== Performance summary ===`, `Throughput: <x> qps`, `Latency: min = <x> ms, max = <x> ms, mean = <x> ms,
 *   median = <x> ms, percentile(90%) = <x> ms, percentile(95%) = <x> ms, percentile(99%) = <x> ms` (since 8.4
 *   the default percentiles are 90, 95, 99), `Timing trace has <n> queries over <s> s`, `Total Host Walltime:
 *   <s> s`, each line prefixed `[MM/DD/YYYY-HH:MM:SS] [I] `; the first and last lines
 *   `&&&& RUNNING|PASSED|FAILED TensorRT.trtexec [TensorRT v8601] # <command line>`, and the exit status
 *   (EXIT_SUCCESS after PASSED, EXIT_FAILURE after FAILED).
 *
 * Nothing here has run against a real trtexec: the tests use a script that prints this format.
 */

/** The engine's name inside a release directory, beside model.onnx. */
export const engineFileName = 'model.engine';

/** Build flags after `--onnx=… --saveEngine=…`: precision, then the DLA core (with GPU fallback). */
export function trtexecBuildFlags(build: TensorrtBuild): string[] {
  const flags: string[] = [];
  if (build.precision === 'fp16') flags.push('--fp16');
  // With a QDQ model the scales come from the model (explicit quantization): no calibration cache needed.
  if (build.precision === 'int8') flags.push('--int8');
  if (build.precision === 'best') flags.push('--best');
  if (build.dlaCore !== null) flags.push(`--useDLACore=${build.dlaCore}`, '--allowGPUFallback');
  return flags;
}

/** `[TensorRT v8601]` → 8.6.1 (major·1000 + minor·100 + patch); from 10.0 `v100300` → 10.3.0 (major·10000 …). */
export function parseTensorrtVersion(text: string): string | null {
  const m = /\[TensorRT v(\d{4,7})\]/.exec(text);
  if (m?.[1] === undefined) return null;
  const n = Number(m[1]);
  const major = n >= 100_000 ? Math.floor(n / 10_000) : Math.floor(n / 1000);
  const rest = n >= 100_000 ? n % 10_000 : n % 1000;
  return `${major}.${Math.floor(rest / 100)}.${rest % 100}`;
}

/** The verdict trtexec prints last: `&&&& PASSED TensorRT.trtexec …`; null when it never got there (killed). */
export function trtexecVerdict(text: string): 'passed' | 'failed' | 'waived' | null {
  const all = [...text.matchAll(/^&&&& (PASSED|FAILED|WAIVED) TensorRT\.trtexec\b/gm)];
  const last = all.at(-1)?.[1];
  return last === undefined ? null : (last.toLowerCase() as 'passed' | 'failed' | 'waived');
}

/** `libnvinfer.so.8.6.1` (and its `.so.8` link) → the most precise version named. */
export function libnvinferVersion(fileNames: readonly string[]): string | null {
  let best: string | null = null;
  for (const name of fileNames) {
    const v = /^libnvinfer\.so\.(\d+(?:\.\d+)*)$/.exec(name.trim())?.[1];
    if (v !== undefined && (best === null || v.split('.').length > best.split('.').length)) best = v;
  }
  return best;
}

export type TrtexecSummary = {
  throughputQps: number;
  /** The `Latency:` line (H2D + GPU compute + D2H per query), ms. */
  latency: {
    minMs: number;
    maxMs: number;
    meanMs: number;
    medianMs: number;
    percentilesMs: Record<string, number>;
  };
  /** `Timing trace has <n> queries over <s> s`. */
  queries: number | null;
  walltimeMs: number | null;
  warmupMs: number | null;
  /** `Engine deserialized in <s> sec.` */
  loadMs: number | null;
};

/** A log line's message without trtexec's `[date-time] [I] ` prefix. */
function messages(text: string): string[] {
  return text.split('\n').map((line) =>
    line
      .replace(/^\[\d{2}\/\d{2}\/\d{4}-\d{2}:\d{2}:\d{2}\]\s*/, '')
      .replace(/^\[[IWEVF]\]\s*/, '')
      .trimEnd(),
  );
}

const num = String.raw`([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)`;

/** Parses `min = …, max = …, mean = …, median = …, percentile(P%) = …` (ms). */
function parseStats(rest: string): TrtexecSummary['latency'] | null {
  const field = (name: string) => new RegExp(`\\b${name} = ${num} ms`).exec(rest)?.[1];
  const min = field('min');
  const max = field('max');
  const mean = field('mean');
  const median = field('median');
  if (min === undefined || max === undefined || mean === undefined || median === undefined) return null;
  const percentilesMs: Record<string, number> = {};
  for (const m of rest.matchAll(new RegExp(String.raw`percentile\((\d+(?:\.\d+)?)%\) = ${num} ms`, 'g'))) {
    if (m[1] !== undefined && m[2] !== undefined) percentilesMs[m[1]] = Number(m[2]);
  }
  return {
    minMs: Number(min),
    maxMs: Number(max),
    meanMs: Number(mean),
    medianMs: Number(median),
    percentilesMs,
  };
}

/** The `=== Performance summary ===` block of a trtexec run; null when there is none (a build, a failure). */
export function parsePerformanceSummary(text: string): TrtexecSummary | null {
  const lines = messages(text);
  const start = lines.findIndex((l) => l === '=== Performance summary ===');
  if (start < 0) return null;
  const summary = lines.slice(start + 1);
  const find = (prefix: string) => summary.find((l) => l.startsWith(prefix))?.slice(prefix.length);
  const qps = new RegExp(`^${num} qps`).exec(find('Throughput: ') ?? '')?.[1];
  const latency = parseStats(find('Latency: ') ?? '');
  if (qps === undefined || latency === null) return null;
  const all = lines.join('\n');
  const trace = new RegExp(`^Timing trace has (\\d+) queries over ${num} s`, 'm').exec(all);
  const walltime = new RegExp(`^${num} s`).exec(find('Total Host Walltime: ') ?? '')?.[1];
  const warmup = new RegExp(`^Warmup completed \\d+ queries over ${num} ms`, 'm').exec(all)?.[1];
  const load = new RegExp(`Engine deserialized in ${num} sec`).exec(all)?.[1];
  return {
    throughputQps: Number(qps),
    latency,
    queries: trace?.[1] === undefined ? null : Number(trace[1]),
    walltimeMs:
      walltime !== undefined
        ? Number(walltime) * 1000
        : trace?.[2] === undefined
          ? null
          : Number(trace[2]) * 1000,
    warmupMs: warmup === undefined ? null : Number(warmup),
    loadMs: load === undefined ? null : Number(load) * 1000,
  };
}

/** The last `bytes` of a log, cut at a line start: what the deployment record keeps of a build log. */
export function logTail(text: string, bytes: number): string {
  if (text.length <= bytes) return text;
  const cut = text.slice(-bytes);
  const nl = cut.indexOf('\n');
  return `[… ${text.length - cut.length + (nl < 0 ? 0 : nl + 1)} earlier characters cut]\n${nl < 0 ? cut : cut.slice(nl + 1)}`;
}
