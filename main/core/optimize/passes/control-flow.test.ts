import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { ModelProto } from 'onnx-buf';
import { afterAll, describe, expect, it } from 'vitest';
import { fp16ConfigSchema, int8DynamicConfigSchema } from '../../../../shared/schemas/optimize';
import { buildIfModel, createRng } from '../../../../test/models';
import { encodeModel, subgraphsOf } from '../../onnx';
import type { PassContext } from '../types';
import { fp16Pass } from './fp16';
import { int8DynamicPass } from './int8-dynamic';

const scratchDir = mkdtempSync(join(tmpdir(), 'ef-cf-'));
afterAll(() => rmSync(scratchDir, { recursive: true, force: true }));
const ctx: PassContext = { signal: new AbortController().signal, progress: () => undefined, scratchDir };

/** Inputs that take both branches: half with a positive sum (then), half negative (else). */
function inputs(count: number): Float32Array[] {
  const rng = createRng(11);
  return Array.from({ length: count }, (_, i) => {
    const x = Float32Array.from({ length: 64 }, () => rng() * 2 - 1 + (i % 2 === 0 ? 0.3 : -0.3));
    return x;
  });
}

async function outputs(model: ModelProto, xs: Float32Array[]): Promise<Float32Array[]> {
  const session = await ort.InferenceSession.create(encodeModel(model), { logSeverityLevel: 3 });
  try {
    const out: Float32Array[] = [];
    for (const x of xs) {
      const r = await session.run({ x: new ort.Tensor('float32', x, [1, 64]) });
      out.push(r.y!.data as Float32Array);
    }
    return out;
  } finally {
    await session.release();
  }
}

function cosine(a: Float32Array[], b: Float32Array[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  a.forEach((x, i) =>
    x.forEach((v, j) => {
      const w = b[i]![j]!;
      dot += v * w;
      na += v * v;
      nb += w * w;
    }),
  );
  return dot / Math.sqrt(na * nb);
}

const size = (m: ModelProto) => encodeModel(m).length;
const opsIn = (m: ModelProto) =>
  m.graph!.node.flatMap((n) => subgraphsOf(n).flatMap((g) => g.node.map((x) => x.opType)));

describe('control flow: compute inside an If', () => {
  const parent = buildIfModel();
  const xs = inputs(16);

  it('dynamic INT8 quantizes the MatMuls of both branches, including one whose weight is in the outer scope', async () => {
    const result = await int8DynamicPass.run(
      parent,
      int8DynamicConfigSchema.parse({ perChannel: true }),
      ctx,
    );
    expect(result.report.converted).toEqual({ MatMul: 3 });
    expect(opsIn(result.model).filter((o) => o === 'MatMulInteger')).toHaveLength(3);
    expect(opsIn(result.model)).not.toContain('MatMul');
    // The float weight of the main graph is gone: only its int8 copy in the branch remains.
    expect(result.model.graph!.initializer.map((t) => t.name)).not.toContain('e.w');
    expect(size(result.model) / size(parent)).toBeLessThan(0.35);
    const [ref, got] = await Promise.all([outputs(parent, xs), outputs(result.model, xs)]);
    expect(cosine(ref, got)).toBeGreaterThan(0.999);
  });

  it('FP16 stores the branch weights as float16 and runs with float16 fidelity', async () => {
    const result = await fp16Pass.run(parent, fp16ConfigSchema.parse({}), ctx);
    expect(result.report.warnings.join(' ')).toMatch(/4 weight\(s\) read inside control-flow subgraphs/);
    expect(size(result.model) / size(parent)).toBeLessThan(0.55);
    const [ref, got] = await Promise.all([outputs(parent, xs), outputs(result.model, xs)]);
    expect(cosine(ref, got)).toBeGreaterThan(0.99999);
  });
});
