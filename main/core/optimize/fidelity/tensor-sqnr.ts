import { create } from '@bufbuild/protobuf';
import { TensorProto_DataType as DT, ValueInfoProtoSchema, type ModelProto } from 'onnx-buf';
import type { TensorFidelity } from '../../../../shared/schemas/optimize';
import { throwIfCancelled } from '../../jobs/job-manager';
import { decodeModel, encodeModel, initializerMap, producerMap, tensorToNumbers } from '../../onnx';
import { dequantizeArray, quantizeArray, type QuantType } from '../quant/quant-math';
import type { QuantizedTensor, SampleSource } from '../types';
import { addPairs, createErrorSums, sqnrDb, type ErrorSums } from './error-metrics';
import { createSession, feedsFor, releaseAll, runSession } from './sessions';
import { tensorValues } from './tensor-values';

function definedNames(model: ModelProto): Set<string> {
  const g = model.graph;
  const names = new Set<string>();
  if (!g) return names;
  for (const v of g.input) names.add(v.name);
  for (const t of g.initializer) names.add(t.name);
  for (const n of g.node) for (const o of n.output) if (o !== '') names.add(o);
  return names;
}

/** The model with `names` as extra graph outputs (untyped: ORT infers them), encoded. */
export function withOutputs(model: ModelProto, names: readonly string[]): Uint8Array {
  const graph = model.graph!;
  const existing = new Set(graph.output.map((o) => o.name));
  for (const name of names) {
    if (existing.has(name)) continue;
    graph.output.push(create(ValueInfoProtoSchema, { name }));
    existing.add(name);
  }
  return encodeModel(model);
}

type Grid = { scale: number; zeroPoint: number; type: QuantType };

/**
 * The per-tensor 8-bit grid each DequantizeLinear producing one of `names` reads (constant scale and zero
 * point); null for per-axis, 16-bit or computed grids, and for tensors no DequantizeLinear produces.
 */
function gridsOf(model: ModelProto, names: readonly string[]): Map<string, Grid | null> {
  const graph = model.graph!;
  const producers = producerMap(graph);
  const inits = initializerMap(graph);
  const gridAt = (name: string): Grid | null => {
    const node = producers.get(name);
    if (node?.opType !== 'DequantizeLinear') return null;
    const scale = inits.get(node.input[1] ?? '');
    const zero = node.input[2] ? inits.get(node.input[2]) : undefined;
    if (scale === undefined || (node.input[2] && zero === undefined)) return null;
    const type =
      zero === undefined || zero.dataType === DT.UINT8 ? 'uint8' : zero.dataType === DT.INT8 ? 'int8' : null;
    const s = tensorToNumbers(scale);
    const z = zero === undefined ? [0] : tensorToNumbers(zero);
    if (type === null || s?.length !== 1 || z?.length !== 1) return null;
    return { scale: s[0]!, zeroPoint: z[0]!, type };
  };
  return new Map(names.map((name) => [name, gridAt(name)]));
}

type TensorSqnrArgs = {
  /** The float model whose tensor names the quantized tensors use. */
  reference: Uint8Array;
  variant: Uint8Array;
  tensors: readonly QuantizedTensor[];
  samples: SampleSource;
  warnings: string[];
  signal?: AbortSignal;
  onSample?: (done: number) => void;
};

/**
 * SQNR of every quantized tensor: its float value in the reference against its dequantized value in the variant,
 * both read as extra outputs of unoptimized sessions (so names survive), summed over all samples; and the float
 * value against itself rounded on the variant's grid for it (the error made at this tensor alone). Worst first;
 * tensors whose SQNR is not defined come last.
 */
export async function quantizedTensorSqnr(args: TensorSqnrArgs): Promise<TensorFidelity[]> {
  const refModel = decodeModel(args.reference, 'reference model');
  const varModel = decodeModel(args.variant, 'variant model');
  const refNames = definedNames(refModel);
  const producers = producerMap(refModel.graph!);
  const varNames = definedNames(varModel);
  const pairs: QuantizedTensor[] = [];
  const seen = new Set<string>();
  const missing: string[] = [];
  for (const t of args.tensors) {
    if (seen.has(t.name)) continue;
    seen.add(t.name);
    if (!refNames.has(t.name)) missing.push(`'${t.name}' (not in the float model)`);
    else if (!varNames.has(t.dequantizedName))
      missing.push(`'${t.name}' ('${t.dequantizedName}' not in the variant)`);
    else pairs.push(t);
  }
  if (missing.length > 0) {
    const shown =
      missing.slice(0, 5).join(', ') + (missing.length > 5 ? `, and ${missing.length - 5} more` : '');
    args.warnings.push(`Per-tensor SQNR skipped ${missing.length} quantized tensor(s) not found: ${shown}.`);
  }
  if (pairs.length === 0) return [];

  const sums = new Map<string, ErrorSums>(pairs.map((t) => [t.name, createErrorSums()]));
  const grids = gridsOf(
    varModel,
    pairs.map((t) => t.dequantizedName),
  );
  const rounding = new Map<string, ErrorSums>(pairs.map((t) => [t.name, createErrorSums()]));
  const mismatched = new Set<string>();
  const refFetch = [...new Set(pairs.map((t) => t.name))];
  const varFetch = [...new Set(pairs.map((t) => t.dequantizedName))];
  const refSession = await createSession(withOutputs(refModel, refFetch), 'float (reference)', 'disabled');
  let varSession;
  try {
    varSession = await createSession(withOutputs(varModel, varFetch), 'variant', 'disabled');
    let done = 0;
    for await (const sample of args.samples.read()) {
      throwIfCancelled(args.signal);
      const ref = await runSession(refSession, feedsFor(refSession, sample, 'float'), 'float', refFetch);
      const out = await runSession(varSession, feedsFor(varSession, sample, 'variant'), 'variant', varFetch);
      for (const t of pairs) {
        const x = ref[t.name] ? tensorValues(ref[t.name]!) : null;
        const y = out[t.dequantizedName] ? tensorValues(out[t.dequantizedName]!) : null;
        if (!x || !y || x.length !== y.length) {
          mismatched.add(t.name);
          continue;
        }
        addPairs(sums.get(t.name)!, x, y);
        const grid = grids.get(t.dequantizedName);
        if (grid) {
          const { scale, zeroPoint, type } = grid;
          addPairs(
            rounding.get(t.name)!,
            x,
            dequantizeArray(quantizeArray(x, scale, zeroPoint, type), scale, zeroPoint),
          );
        }
      }
      args.onSample?.(++done);
    }
  } finally {
    await releaseAll([refSession, varSession]);
  }
  if (mismatched.size > 0) {
    args.warnings.push(
      `Per-tensor SQNR could not compare ${[...mismatched].map((n) => `'${n}'`).join(', ')}: ` +
        'the float and dequantized tensors differ in size or type.',
    );
  }
  const result: TensorFidelity[] = pairs
    .filter((t) => !mismatched.has(t.name))
    .map((t) => ({
      name: t.name,
      producer: t.producer,
      node: producers.get(t.name)?.name || null,
      sqnrDb: sqnrDb(sums.get(t.name)!),
      roundingSqnrDb: grids.get(t.dequantizedName) ? sqnrDb(rounding.get(t.name)!) : null,
    }));
  return result.sort((a, b) => {
    if (a.sqnrDb === null || b.sqnrDb === null) return a.sqnrDb === null ? (b.sqnrDb === null ? 0 : 1) : -1;
    return a.sqnrDb - b.sqnrDb;
  });
}
