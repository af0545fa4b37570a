import { describe, expect, it } from 'vitest';
import {
  libnvinferVersion,
  logTail,
  parsePerformanceSummary,
  parseTensorrtVersion,
  trtexecBuildFlags,
  trtexecVerdict,
} from './trtexec';

/** A `--loadEngine` run in trtexec 8.6's format (samples/common/sampleReporting.cpp, logging.h). */
const run86 = `&&&& RUNNING TensorRT.trtexec [TensorRT v8601] # /usr/src/tensorrt/bin/trtexec --loadEngine=/opt/ef/m/current/model.engine --iterations=200 --duration=0
[12/05/2026-10:00:00] [I] === Model Options ===
[12/05/2026-10:00:00] [I] Engine loaded in 0.00412 sec.
[12/05/2026-10:00:00] [I] Engine deserialized in 0.0193 sec.
[12/05/2026-10:00:01] [I] Warmup completed 84 queries over 200 ms
[12/05/2026-10:00:01] [I] Timing trace has 200 queries over 0.48192 s
[12/05/2026-10:00:01] [I]
[12/05/2026-10:00:01] [I] === Trace details ===
[12/05/2026-10:00:01] [I] Average on 10 runs - GPU latency: 2.232 ms - Host latency: 2.4 ms (enqueue 0.48 ms)
[12/05/2026-10:00:01] [I]
[12/05/2026-10:00:01] [I] === Performance summary ===
[12/05/2026-10:00:01] [I] Throughput: 415.007 qps
[12/05/2026-10:00:01] [I] Latency: min = 2.28 ms, max = 3.84 ms, mean = 2.424 ms, median = 2.4 ms, percentile(90%) = 2.52 ms, percentile(95%) = 2.592 ms, percentile(99%) = 2.88 ms
[12/05/2026-10:00:01] [I] Enqueue Time: min = 0.36 ms, max = 0.96 ms, mean = 0.48 ms, median = 0.48 ms, percentile(90%) = 0.528 ms, percentile(95%) = 0.6 ms, percentile(99%) = 0.72 ms
[12/05/2026-10:00:01] [I] H2D Latency: min = 0.072 ms, max = 0.192 ms, mean = 0.096 ms, median = 0.096 ms, percentile(90%) = 0.12 ms, percentile(95%) = 0.12 ms, percentile(99%) = 0.144 ms
[12/05/2026-10:00:01] [I] GPU Compute Time: min = 2.16 ms, max = 3.6 ms, mean = 2.256 ms, median = 2.232 ms, percentile(90%) = 2.352 ms, percentile(95%) = 2.424 ms, percentile(99%) = 2.688 ms
[12/05/2026-10:00:01] [I] D2H Latency: min = 0.024 ms, max = 0.072 ms, mean = 0.048 ms, median = 0.048 ms, percentile(90%) = 0.048 ms, percentile(95%) = 0.048 ms, percentile(99%) = 0.072 ms
[12/05/2026-10:00:01] [I] Total Host Walltime: 0.48192 s
[12/05/2026-10:00:01] [I] Total GPU Compute Time: 0.4512 s
[12/05/2026-10:00:01] [I] Explanations of the performance metrics are printed in the verbose logs.
[12/05/2026-10:00:01] [I]
&&&& PASSED TensorRT.trtexec [TensorRT v8601] # /usr/src/tensorrt/bin/trtexec --loadEngine=/opt/ef/m/current/model.engine --iterations=200 --duration=0
`;

describe('trtexec output', () => {
  it('reads the performance summary: the Latency line, not the other metrics that end in "Latency"', () => {
    expect(parsePerformanceSummary(run86)).toEqual({
      throughputQps: 415.007,
      latency: {
        minMs: 2.28,
        maxMs: 3.84,
        meanMs: 2.424,
        medianMs: 2.4,
        percentilesMs: { '90': 2.52, '95': 2.592, '99': 2.88 },
      },
      queries: 200,
      walltimeMs: 481.92,
      warmupMs: 200,
      loadMs: 19.3,
    });
  });

  it('reads a summary without timestamps, with scientific notation and one custom percentile', () => {
    const text = [
      '[I] === Performance summary ===',
      '[I] Throughput: 1.2e+03 qps',
      '[I] Latency: min = 0.5 ms, max = 2 ms, mean = 0.8 ms, median = 0.75 ms, percentile(99.9%) = 1.9 ms',
      '[I] Total Host Walltime: 3.1 s',
    ].join('\n');
    expect(parsePerformanceSummary(text)).toMatchObject({
      throughputQps: 1200,
      latency: { medianMs: 0.75, percentilesMs: { '99.9': 1.9 } },
      queries: null,
      walltimeMs: 3100,
      loadMs: null,
    });
  });

  it('has no summary for a failed run or a build with --skipInference', () => {
    const failed = `&&&& RUNNING TensorRT.trtexec [TensorRT v8601] # trtexec --onnx=m.onnx
[12/05/2026-10:00:00] [E] Error[9]: [graphShapeAnalyzer.cpp::analyzeShapes::1872] Error Code 9: Internal Error
[12/05/2026-10:00:00] [E] Engine set up failed
&&&& FAILED TensorRT.trtexec [TensorRT v8601] # trtexec --onnx=m.onnx
`;
    expect(parsePerformanceSummary(failed)).toBeNull();
    expect(trtexecVerdict(failed)).toBe('failed');
    expect(trtexecVerdict(run86)).toBe('passed');
    expect(trtexecVerdict('&&&& RUNNING TensorRT.trtexec [TensorRT v8601] # trtexec\n[I] killed')).toBeNull();
    // A summary cut off before its Latency line is not a result.
    expect(parsePerformanceSummary('[I] === Performance summary ===\n[I] Throughput: 5 qps\n')).toBeNull();
  });

  it('decodes the version in the banner, before and after TensorRT 10 changed the encoding', () => {
    expect(parseTensorrtVersion(run86)).toBe('8.6.1');
    expect(parseTensorrtVersion('&&&& RUNNING TensorRT.trtexec [TensorRT v8502] # trtexec')).toBe('8.5.2');
    expect(parseTensorrtVersion('&&&& RUNNING TensorRT.trtexec [TensorRT v100800] [b43] # trtexec')).toBe(
      '10.8.0',
    );
    expect(parseTensorrtVersion('&&&& RUNNING TensorRT.trtexec [TensorRT v100300] [b10] # trtexec')).toBe(
      '10.3.0',
    );
    expect(parseTensorrtVersion('no banner')).toBeNull();
  });

  it('takes the most precise libnvinfer version among the file names', () => {
    expect(libnvinferVersion(['libnvinfer.so.8', 'libnvinfer.so.8.6.2', ''])).toBe('8.6.2');
    expect(libnvinferVersion(['libnvinfer.so.10'])).toBe('10');
    expect(libnvinferVersion(['libnvinfer_plugin.so.8.6.2', 'libnvinfer.so'])).toBeNull();
  });

  it('builds precision and DLA flags', () => {
    const flags = (precision: 'fp32' | 'fp16' | 'int8' | 'best', dlaCore: number | null = null) =>
      trtexecBuildFlags({ precision, dlaCore, timeoutMs: 1 });
    expect(flags('fp32')).toEqual([]);
    expect(flags('fp16')).toEqual(['--fp16']);
    expect(flags('int8')).toEqual(['--int8']);
    expect(flags('best', 0)).toEqual(['--best', '--useDLACore=0', '--allowGPUFallback']);
  });

  it('keeps the end of a long log, from a line start', () => {
    expect(logTail('short', 100)).toBe('short');
    const long = Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n');
    const tail = logTail(long, 30);
    expect(tail.endsWith('line 99')).toBe(true);
    expect(tail.split('\n')[0]).toMatch(/^\[… \d+ earlier characters cut\]$/);
    expect(tail.split('\n')[1]).toMatch(/^line \d+$/);
    expect(tail.length).toBeLessThan(80);
  });
});
