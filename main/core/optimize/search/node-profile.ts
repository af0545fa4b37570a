/**
 * Per-node kernel times from ONNX Runtime's own profiler: the model runs in a session with profiling on (the
 * same optimization level and thread count as deployment, so the fused kernels are the ones that run), and
 * ORT's optimized graph is written beside the trace so every kernel can be traced back to the nodes of the
 * model we wrote.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { throwIfCancelled } from '../../jobs/job-manager';
import { decodeModel } from '../../onnx';
import { median } from '../fidelity/latency';
import { feedsFor } from '../fidelity/sessions';
import type { Sample } from '../types';

export type KernelTime = {
  /** ORT's node name in the optimized graph (may be empty for nodes ORT made). */
  node: string;
  opType: string;
  /** Median kernel time per run, microseconds. */
  us: number;
  inputs: string[];
  outputs: string[];
};

type NodeProfile = { kernels: KernelTime[]; runs: number; totalUs: number };

type TraceEvent = { cat?: string; name?: string; dur?: number; args?: { op_name?: string } };

let profileCount = 0;

export async function profileNodes(
  bytes: Uint8Array,
  samples: readonly Sample[],
  opts: { scratchDir: string; runs: number; signal?: AbortSignal },
): Promise<NodeProfile> {
  const tag = `profile-${process.pid}-${++profileCount}`;
  const optimizedPath = join(opts.scratchDir, `${tag}.onnx`);
  const session = await ort.InferenceSession.create(bytes, {
    graphOptimizationLevel: 'all',
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    logSeverityLevel: 3,
    enableProfiling: true,
    profileFilePrefix: join(opts.scratchDir, tag),
    optimizedModelFilePath: optimizedPath,
  });
  const warmup = 2;
  try {
    for (let i = 0; i < warmup + opts.runs; i++) {
      throwIfCancelled(opts.signal);
      const sample = samples[i % samples.length]!;
      await session.run(feedsFor(session, sample, 'profiled'));
    }
    session.endProfiling();
  } finally {
    await session.release();
  }
  const traceName = (await readdir(opts.scratchDir)).find(
    (f) => f.startsWith(`${tag}_`) && f.endsWith('.json'),
  );
  if (!traceName) return { kernels: [], runs: 0, totalUs: 0 };
  const tracePath = join(opts.scratchDir, traceName);
  const events = JSON.parse(await readFile(tracePath, 'utf8')) as TraceEvent[];
  const optimized = decodeModel(new Uint8Array(await readFile(optimizedPath)));
  await Promise.all([rm(tracePath, { force: true }), rm(optimizedPath, { force: true })]);

  const io = new Map<string, { inputs: string[]; outputs: string[] }>();
  for (const n of optimized.graph?.node ?? []) {
    if (n.name !== '') io.set(n.name, { inputs: [...n.input], outputs: [...n.output] });
  }
  // Each kernel runs once per run, in order: the warm-up runs are the first `warmup` times of each name.
  const times = new Map<string, { opType: string; us: number[] }>();
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name?.endsWith('_kernel_time') || e.dur === undefined) continue;
    const name = e.name.slice(0, -'_kernel_time'.length);
    const entry = times.get(name) ?? { opType: e.args?.op_name ?? '', us: [] };
    entry.us.push(e.dur);
    times.set(name, entry);
  }
  const kernels: KernelTime[] = [];
  for (const [name, t] of times) {
    const timed = t.us.length > warmup ? t.us.slice(warmup) : t.us;
    const node = io.get(name);
    kernels.push({
      node: name,
      opType: t.opType,
      us: median(timed),
      inputs: node?.inputs ?? [],
      outputs: node?.outputs ?? [],
    });
  }
  return { kernels, runs: opts.runs, totalUs: kernels.reduce((a, k) => a + k.us, 0) };
}
