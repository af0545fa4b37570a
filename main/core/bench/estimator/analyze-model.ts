import { create } from '@bufbuild/protobuf';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelProto } from 'onnx-buf';
import { TensorShapeProto_DimensionSchema, ValueInfoProtoSchema } from 'onnx-buf';
import type { BenchInput, OptimizationLevel } from '../../../../shared/schemas/bench';
import { decodeModel, elemTypeFromName, encodeModel, inferShapes } from '../../onnx';
import type { ChildJobOptions } from '../runner/local-runner';
import { defaultBenchTimeoutMs, localOrtModule } from '../runner/local-runner';
import type { ChildConfig } from '../runner/child-protocol';
import { runBenchChild } from '../runner/run-child';

/**
 * What the estimator works on: the graph ONNX Runtime will actually execute and the shape of every tensor in it.
 *
 * - The graph is ORT's own optimized graph at the benchmark's level (written with `optimizedModelFilePath`):
 *   fusions (Conv+BN+activation, MatMul+Add → Gemm, QDQ → QLinear ops, GELU/LayerNorm fusions, casts around fp16
 *   ops, fp16 weights folded to fp32) are already applied, so costs are counted per kernel that runs. The NCHWc
 *   layout transformer is disabled for this dump: it is x86-specific blocking, not work other CPUs do.
 * - Shapes come from ORT too: the optimized graph is run once with every intermediate tensor as an output
 *   (EdgeFleet's own inference stops at com.microsoft ops and at shape subgraphs it cannot evaluate).
 * Both steps run in the benchmark child process; if the shape run fails, EdgeFleet's shape inference fills in
 * what it can and the rest is counted as unknown.
 */

export type TensorShape = { elemType: number; dims: number[] };

export type ModelAnalysis = {
  /** ORT's optimized graph (or the input model when ORT could not write one). */
  model: ModelProto;
  /** The model as given (for variant traits: what the user's file holds). */
  original: ModelProto;
  shapes: Map<string, TensorShape>;
  ortVersion: string;
  /** Where the shapes came from. */
  shapeSource: 'ort' | 'inferred';
};

/** Sets every graph input to the benchmark's concrete dims (a copy: the caller's model is not changed). */
function withFixedInputs(bytes: Uint8Array, inputs: readonly BenchInput[]): ModelProto {
  const model = decodeModel(bytes);
  const byName = new Map(inputs.map((i) => [i.name, i]));
  for (const vi of model.graph?.input ?? []) {
    const spec = byName.get(vi.name);
    const t = vi.type?.value;
    if (!spec || t?.case !== 'tensorType') continue;
    const dims = spec.dims.map((d) =>
      create(TensorShape_Dimension, { value: { case: 'dimValue', value: BigInt(d) } }),
    );
    if (t.value.shape) t.value.shape.dim = dims;
    else t.value.shape = { $typeName: 'onnx.TensorShapeProto', dim: dims };
  }
  return model;
}
const TensorShape_Dimension = TensorShapeProto_DimensionSchema;

/** The model with every node output also a graph output, so one run reports all their shapes. */
function withAllOutputs(model: ModelProto): Uint8Array {
  const graph = model.graph;
  if (!graph) return encodeModel(model);
  const outputs = new Set(graph.output.map((o) => o.name));
  const extra = graph.node.flatMap((n) =>
    n.output
      .filter((name) => name !== '' && !outputs.has(name))
      .map((name) => create(ValueInfoProtoSchema, { name })),
  );
  const saved = graph.output;
  graph.output = [...saved, ...extra];
  try {
    return encodeModel(model);
  } finally {
    graph.output = saved;
  }
}

export async function analyzeModel(
  bytes: Uint8Array,
  inputs: readonly BenchInput[],
  options: ChildJobOptions & { level?: OptimizationLevel },
): Promise<ModelAnalysis> {
  const level = options.level ?? 'all';
  const original = decodeModel(bytes);
  const fixed = withFixedInputs(bytes, inputs);
  const workDir = await mkdtemp(join(options.tmpRoot ?? tmpdir(), 'edgefleet-analyze-'));
  const run = (config: Omit<ChildConfig, 'ortModule'>) =>
    runBenchChild(
      { ...config, ortModule: localOrtModule() },
      {
        workDir,
        label: options.label,
        timeoutMs: options.timeoutMs ?? defaultBenchTimeoutMs,
        memoryLimitBytes: options.memoryLimitBytes ?? null,
        signal: options.signal,
      },
    );
  const base = {
    threads: 1,
    warmupIterations: 0,
    stop: { kind: 'iterations', count: 1 } as const,
    maxIterations: 1,
    inputs: [...inputs],
    seed: 1,
  };
  try {
    const fixedPath = join(workDir, 'fixed.onnx');
    await writeFile(fixedPath, encodeModel(fixed));
    const optimizedPath = join(workDir, 'optimized.onnx');
    const optimized = await run({
      ...base,
      mode: 'optimize',
      modelPath: fixedPath,
      optimizationLevel: level,
      optimizedModelPath: optimizedPath,
      // NCHWc blocking is x86-only layout work: the graph stays the one every CPU runs.
      disabledOptimizers: ['NchwcTransformer'],
    });
    let model: ModelProto;
    try {
      model = decodeModel(await readFile(optimizedPath));
    } catch {
      // ORT writes no optimized file for models over 2 GB: estimate on the model as given.
      model = fixed;
    }
    const probePath = join(workDir, 'probe.onnx');
    await writeFile(probePath, withAllOutputs(model));
    let shapes: Map<string, TensorShape>;
    let shapeSource: ModelAnalysis['shapeSource'] = 'ort';
    try {
      const probe = await run({
        ...base,
        mode: 'shapes',
        modelPath: probePath,
        optimizationLevel: 'disabled',
      });
      shapes = shapesFromRun(model, inputs, probe.outputs ?? {});
    } catch {
      shapes = inferredShapes(model);
      shapeSource = 'inferred';
    }
    return { model, original, shapes, ortVersion: optimized.ortVersion, shapeSource };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

function shapesFromRun(
  model: ModelProto,
  inputs: readonly BenchInput[],
  outputs: Record<string, { dtype: string; dims: number[] }>,
): Map<string, TensorShape> {
  const shapes = new Map<string, TensorShape>();
  for (const t of model.graph?.initializer ?? []) {
    shapes.set(t.name, { elemType: t.dataType, dims: t.dims.map(Number) });
  }
  for (const i of inputs) shapes.set(i.name, { elemType: elemTypeFromName(i.dtype) ?? 0, dims: [...i.dims] });
  for (const [name, o] of Object.entries(outputs)) {
    shapes.set(name, { elemType: elemTypeFromName(o.dtype) ?? 0, dims: o.dims });
  }
  return shapes;
}

function inferredShapes(model: ModelProto): Map<string, TensorShape> {
  const shapes = new Map<string, TensorShape>();
  for (const [name, v] of inferShapes(model)) {
    if (v.shape && v.shape.every((d): d is number => typeof d === 'number')) {
      shapes.set(name, { elemType: v.elemType, dims: v.shape });
    }
  }
  return shapes;
}
