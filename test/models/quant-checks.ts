// Helpers for the quantization tests: ORT runs, ORT's optimized graph, ONNX's checker (Debian python3-onnx).
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import type { ModelProto } from 'onnx-buf';
import { decodeModel, encodeModel } from '../../main/core/onnx';
import { DEBIAN_PYTHON, writeTestModel } from './index';

let counter = 0;
const script = fileURLToPath(new URL('../python/check_model.py', import.meta.url));

/** Op types (domain:op for non-default domains) of the graph ORT runs at level 'all', with counts. */
export async function optimizedOpCounts(model: ModelProto, dir: string): Promise<Record<string, number>> {
  const path = join(dir, `ort-all-${counter++}.onnx`);
  const session = await ort.InferenceSession.create(encodeModel(model), {
    graphOptimizationLevel: 'all',
    optimizedModelFilePath: path,
    logSeverityLevel: 3,
  });
  await session.release();
  const file = await readFile(path);
  const optimized = decodeModel(new Uint8Array(file.buffer, file.byteOffset, file.byteLength));
  const counts: Record<string, number> = {};
  for (const n of optimized.graph!.node) {
    const key = n.domain === '' ? n.opType : `${n.domain}:${n.opType}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** onnx.checker.check_model(full_check=True) in Debian's Python: 'ok' or the error. */
export async function checkModel(model: ModelProto, dir: string): Promise<string> {
  const path = join(dir, `check-${counter++}.onnx`);
  await writeTestModel(model, path);
  const out = JSON.parse(execFileSync(DEBIAN_PYTHON, [script, path]).toString()) as Record<string, string>;
  return out[path] ?? 'no result';
}

/** Runs the model once per feed set; returns every output as float32. */
export async function runAll(
  model: ModelProto,
  feeds: readonly Record<string, ort.Tensor>[],
): Promise<Record<string, Float32Array>[]> {
  const session = await ort.InferenceSession.create(encodeModel(model), { logSeverityLevel: 3 });
  try {
    const results: Record<string, Float32Array>[] = [];
    for (const f of feeds) {
      const out = await session.run(f);
      results.push(Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array])));
    }
    return results;
  } finally {
    await session.release();
  }
}

/** Index of the largest value in each row of `cols` values. */
export function argmaxRows(data: Float32Array, cols: number): number[] {
  const rows: number[] = [];
  for (let r = 0; r < data.length / cols; r++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if (data[r * cols + c]! > data[r * cols + best]!) best = c;
    rows.push(best);
  }
  return rows;
}

/**
 * Image-like float inputs [1, C, H, W]: smooth waves, blocks and a little noise (neural nets for images respond
 * to uniform noise in ways real inputs never trigger), seeded.
 */
export function imageLikeFeeds(
  input: string,
  dims: readonly [number, number, number, number],
  count: number,
  seed: number,
): Record<string, ort.Tensor>[] {
  const [, channels, h, w] = dims;
  let state = seed >>> 0;
  const rand = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  return Array.from({ length: count }, () => {
    const fx = 3 + rand() * 10;
    const fy = 3 + rand() * 8;
    const phase = rand() * 6.3;
    const block = 5 + Math.floor(rand() * 12);
    const data = new Float32Array(channels * h * w);
    for (let c = 0; c < channels; c++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          let v =
            0.5 * Math.sin(x / fx + phase + c) * Math.cos(y / fy - phase) +
            0.3 * Math.sin((x + y) / 13 + 2 * phase);
          if ((Math.floor(x / block) + Math.floor(y / block)) % 4 === 0) v += 0.8;
          data[(c * h + y) * w + x] = v + 0.05 * (rand() * 2 - 1);
        }
      }
    }
    return { [input]: new ort.Tensor('float32', data, [...dims]) };
  });
}
