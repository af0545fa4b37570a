/**
 * ONNX Runtime's BASIC graph optimizations, written back to a model file: constant folding, redundant node
 * removal (Identity, Dropout …) and semantics-preserving fusions such as Conv+BatchNormalization, Conv+Add/Mul
 * and MatMul+Add → Gemm. This is what ORT's quant_pre_process does before quantizing: a BatchNormalization
 * left alone cannot be quantized and costs a float round trip, a folded one costs nothing.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { ModelProto } from 'onnx-buf';
import { AppError } from '../../../../shared/errors';
import { decodeModel, encodeModel } from '../../onnx';

const isDefaultDomain = (d: string) => d === '' || d === 'ai.onnx';

/**
 * The model after ORT's basic-level optimizations (via `<scratchDir>/<fileName>`). Graph input and output
 * names are checked to be unchanged; the opset imports ORT adds for domains no node uses are dropped again.
 */
export async function ortBasicOptimize(
  model: ModelProto,
  scratchDir: string,
  fileName = 'pre.onnx',
): Promise<ModelProto> {
  const path = join(scratchDir, fileName);
  await mkdir(scratchDir, { recursive: true });
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(encodeModel(model), {
      graphOptimizationLevel: 'basic',
      optimizedModelFilePath: path,
      logSeverityLevel: 3,
    });
  } catch (err) {
    throw new AppError(
      'MODEL_INVALID',
      `ONNX Runtime could not load the model to pre-process it: ${err instanceof Error ? err.message : String(err)}. ` +
        'Check that the model runs in ONNX Runtime before quantizing it.',
    );
  }
  await session.release();
  const file = await readFile(path);
  // A plain Uint8Array view, not the Buffer: Buffer#slice() does not copy, and tensor readers rely on slice().
  const optimized = decodeModel(new Uint8Array(file.buffer, file.byteOffset, file.byteLength), path);
  checkSameInterface(model, optimized);
  dropUnusedOpsetImports(optimized);
  return optimized;
}

function checkSameInterface(before: ModelProto, after: ModelProto): void {
  const initializers = new Set(before.graph?.initializer.map((t) => t.name));
  const names = (m: ModelProto, kind: 'input' | 'output') =>
    (m.graph?.[kind] ?? []).map((v) => v.name).filter((n) => kind === 'output' || !initializers.has(n));
  for (const kind of ['input', 'output'] as const) {
    const a = names(before, kind);
    const b = new Set(names(after, kind));
    const lost = a.filter((n) => !b.has(n));
    if (lost.length > 0) {
      throw new AppError(
        'INTERNAL',
        `ONNX Runtime's pre-processing renamed or dropped graph ${kind}(s) ${lost.join(', ')}: the quantized ` +
          'model would not be a drop-in replacement. Please report it with the model.',
      );
    }
  }
}

/** ORT writes an opset import for every domain it knows; keep the default domain and the ones nodes use. */
export function dropUnusedOpsetImports(model: ModelProto): void {
  const used = new Set<string>();
  const visit = (nodes: NonNullable<ModelProto['graph']>['node']) => {
    for (const n of nodes) {
      used.add(n.domain);
      for (const a of n.attribute) {
        if (a.g) visit(a.g.node);
        for (const g of a.graphs) visit(g.node);
      }
    }
  };
  visit(model.graph?.node ?? []);
  model.opsetImport = model.opsetImport.filter((o) => isDefaultDomain(o.domain) || used.has(o.domain));
}
