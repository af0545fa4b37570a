/**
 * Checks the ONNX module against every model of ONNX's backend test data (libonnx-testdata) and prints a
 * JSON report. Meant to run in a child process with a memory cap (see corpus.int.test.ts): a bad decoder once
 * grew to 20 GB on such input, and a test worker must not take the machine down with it.
 *
 *   node --max-old-space-size=1024 --import tsx test/models/corpus-report.ts
 *
 * Per model: decode → encode byte-identical (or else field-equal), the splitting encoder writes exactly what
 * toBinary writes, validateModel accepts it, and
 * topologicalOrder / inferShapes / summarizeModel do not throw. Then shapes from inferShapes (with the
 * file's value_info and output shapes removed, so only our rules speak) are compared with ONNX's own
 * shape inference (test/python/infer_shapes.py, Debian's Python).
 */
import { clone, create, equals, toBinary } from '@bufbuild/protobuf';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import { peakRssBytes } from './peak-rss';
import { ModelProtoSchema, ValueInfoProtoSchema, type ModelProto } from 'onnx-buf';
import { AppError } from '../../shared/errors';
import { decodeModel, encodeModel } from '../../main/core/onnx/model-codec';
import { concatParts, encodeModelParts } from '../../main/core/onnx/model-encoder';
import { topologicalOrder } from '../../main/core/onnx/graph';
import { inferShapes } from '../../main/core/onnx/shape-inference';
import { summarizeModel } from '../../main/core/onnx/summary';
import { validateModel } from '../../main/core/onnx/validate-model';
import { DEBIAN_PYTHON, listTestdataModels, ONNX_TESTDATA_DIR } from './onnx-testdata';

type Dim = number | string | null;
type PyShapes = Record<string, Record<string, { elemType: number; shape: Dim[] }> & { $error?: string }>;

export type CorpusReport = {
  cases: number;
  byteIdentical: number;
  fieldEqual: number;
  /** Models whose bytes differ after decode → encode (with the reason when known). */
  bytesDiffer: string[];
  notEqual: string[];
  /** Models where the splitting encoder (every byte field split) differs from toBinary. */
  splitEncodingDiffers: string[];
  decodeErrors: string[];
  validateErrors: string[];
  /** topologicalOrder / inferShapes / summarizeModel threw on a model ONNX ships as valid. */
  crashes: string[];
  shapes: {
    /** Tensors ONNX's inference gives a shape for. */
    compared: number;
    agree: number;
    /** We know less (null dims / unknown) than ONNX: a missing rule, not an error. */
    weKnowLess: number;
    /** We know dims ONNX leaves unknown. */
    weKnowMore: number;
    contradictions: string[];
    pythonErrors: number;
  };
  largest: { path: string; bytes: number; decodeMs: number; encodeMs: number; summarizeMs: number };
  ms: number;
  maxRssMb: number;
  heapLimitMb: number;
};

const short = (p: string) => relative(ONNX_TESTDATA_DIR, p).replace(/\/model\.onnx$/, '');

function withoutDeclaredShapes(model: ModelProto): ModelProto {
  const copy = clone(ModelProtoSchema, model);
  if (copy.graph) {
    copy.graph.valueInfo = [];
    copy.graph.output = copy.graph.output.map((o) => create(ValueInfoProtoSchema, { name: o.name }));
  }
  return copy;
}

function main(): void {
  const started = performance.now();
  const paths = listTestdataModels();
  const report: CorpusReport = {
    cases: paths.length,
    byteIdentical: 0,
    fieldEqual: 0,
    bytesDiffer: [],
    notEqual: [],
    splitEncodingDiffers: [],
    decodeErrors: [],
    validateErrors: [],
    crashes: [],
    shapes: { compared: 0, agree: 0, weKnowLess: 0, weKnowMore: 0, contradictions: [], pythonErrors: 0 },
    largest: { path: '', bytes: 0, decodeMs: 0, encodeMs: 0, summarizeMs: 0 },
    ms: 0,
    maxRssMb: 0,
    heapLimitMb: Math.round(getHeapStatistics().heap_size_limit / 2 ** 20),
  };
  const decoded = new Map<string, ModelProto>();

  for (const path of paths) {
    const bytes = new Uint8Array(readFileSync(path));
    let model: ModelProto;
    const t0 = performance.now();
    try {
      model = decodeModel(bytes);
    } catch (err) {
      report.decodeErrors.push(`${short(path)}: ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    const t1 = performance.now();
    const out = encodeModel(model);
    const t2 = performance.now();
    if (Buffer.compare(Buffer.from(out), Buffer.from(bytes)) === 0) report.byteIdentical++;
    else report.bytesDiffer.push(`${short(path)}: ${bytes.length} → ${out.length} bytes`);
    if (equals(ModelProtoSchema, decodeModel(out), model)) report.fieldEqual++;
    else report.notEqual.push(short(path));
    const split = concatParts(encodeModelParts(model, { splitBytes: 1 }));
    if (Buffer.compare(Buffer.from(split), Buffer.from(toBinary(ModelProtoSchema, model))) !== 0) {
      report.splitEncodingDiffers.push(short(path));
    }

    try {
      validateModel(model);
    } catch (err) {
      report.validateErrors.push(`${short(path)}: ${err instanceof AppError ? err.code : ''} ${String(err)}`);
    }
    let summarizeMs = 0;
    try {
      topologicalOrder(model.graph!);
      inferShapes(model);
      const t3 = performance.now();
      summarizeModel(model);
      summarizeMs = performance.now() - t3;
    } catch (err) {
      report.crashes.push(`${short(path)}: ${err instanceof Error ? err.stack : String(err)}`);
    }
    if (bytes.length > report.largest.bytes) {
      report.largest = {
        path: short(path),
        bytes: bytes.length,
        decodeMs: t1 - t0,
        encodeMs: t2 - t1,
        summarizeMs,
      };
    }
    decoded.set(path, model);
  }

  compareShapes([...decoded.keys()], decoded, report);
  report.ms = Math.round(performance.now() - started);
  report.maxRssMb = Math.round(peakRssBytes() / 2 ** 20);
  process.stdout.write(JSON.stringify(report));
}

function compareShapes(paths: string[], models: ReadonlyMap<string, ModelProto>, report: CorpusReport): void {
  const python = JSON.parse(
    execFileSync(
      DEBIAN_PYTHON,
      [fileURLToPath(new URL('../python/infer_shapes.py', import.meta.url)), ...paths],
      {
        maxBuffer: 512 * 2 ** 20,
      },
    ).toString(),
  ) as PyShapes;
  const s = report.shapes;
  for (const path of paths) {
    const reference = python[path];
    if (!reference || reference.$error !== undefined) {
      s.pythonErrors++;
      continue;
    }
    const ours = inferShapes(withoutDeclaredShapes(models.get(path)!));
    for (const [name, ref] of Object.entries(reference)) {
      if (name === '$error' || typeof ref !== 'object') continue;
      s.compared++;
      const mine = ours.get(name);
      const typeClash = !!mine && mine.elemType !== 0 && ref.elemType !== 0 && mine.elemType !== ref.elemType;
      if (!mine?.shape) {
        if (typeClash)
          s.contradictions.push(`${short(path)} ${name}: type ${mine?.elemType} vs ${ref.elemType}`);
        else s.weKnowLess++;
        continue;
      }
      const rankClash = mine.shape.length !== ref.shape.length;
      const dimClash =
        !rankClash && mine.shape.some((d, i) => d !== null && ref.shape[i] !== null && d !== ref.shape[i]);
      if (typeClash || rankClash || dimClash) {
        s.contradictions.push(
          `${short(path)} ${name}: ours ${JSON.stringify(mine.shape)}/${mine.elemType}, ` +
            `onnx ${JSON.stringify(ref.shape)}/${ref.elemType}`,
        );
      } else if (mine.shape.some((d, i) => d === null && ref.shape[i] !== null)) s.weKnowLess++;
      else if (mine.shape.some((d, i) => d !== null && ref.shape[i] === null)) s.weKnowMore++;
      else s.agree++;
    }
  }
}

main();
