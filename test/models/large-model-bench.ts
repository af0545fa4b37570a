/**
 * Time and memory of the import path (read → decode → internalize external data → validate → summarize →
 * encode) on large generated models. Not part of the test suite (it writes GBs); run by hand:
 *
 *   node --import tsx test/models/large-model-bench.ts [sizeMb ...]     (default: 200 1500)
 *
 * For each size it writes an MLP of that many MB of float32 weights twice — all in one .onnx file (when
 * under 2 GB) and with external data — then measures each in a fresh Node process and prints JSON lines.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelProto } from 'onnx-buf';
import { TensorProto_DataType as DT } from 'onnx-buf';
import { peakRssBytes } from './peak-rss';
import { createModelBuilder } from '../../main/core/onnx/builder';
import { encodeModel } from '../../main/core/onnx/model-codec';
import { internalizeExternalData } from '../../main/core/onnx/external-data';
import { readModelFile } from '../../main/core/onnx/read-model-file';
import { summarizeModel } from '../../main/core/onnx/summary';
import { validateModel } from '../../main/core/onnx/validate-model';
import { saveModelWithExternalData } from './external-data';
import { createRng, randomFloats } from './prng';
import { writeTestModel } from './write-test-model';

const WIDTH = 2048; // 16 MiB per layer

function buildLargeMlp(sizeMb: number): ModelProto {
  const layers = Math.max(1, Math.round((sizeMb * 2 ** 20) / (WIDTH * WIDTH * 4)));
  const rng = createRng(42);
  const b = createModelBuilder({ opset: 13 })
    .input('x', DT.FLOAT, ['batch', WIDTH])
    .output(`h${layers}`, DT.FLOAT);
  for (let i = 0; i < layers; i++) {
    b.initializer(`w${i}`, DT.FLOAT, [WIDTH, WIDTH], randomFloats(rng, WIDTH * WIDTH, 0.02));
    b.node('MatMul', [i === 0 ? 'x' : `h${i}`, `w${i}`], [`h${i + 1}`]);
  }
  return b.build();
}

const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

async function measure(path: string): Promise<void> {
  const t0 = performance.now();
  const read = await readModelFile(path);
  const t1 = performance.now();
  const model = read.hasExternalData ? await internalizeExternalData(read.model, dirname(path)) : read.model;
  const t2 = performance.now();
  validateModel(model);
  const summary = summarizeModel(model);
  const t3 = performance.now();
  const rssBeforeEncode = peakRssBytes();
  const bytes = encodeModel(model);
  const t4 = performance.now();
  const line = {
    file: path.split('/').slice(-2).join('/'),
    fileMb: mb(statSync(path).size),
    externalData: read.hasExternalData,
    weightsMb: mb(summary.weightBytes),
    nodes: summary.nodeCount,
    readDecodeMs: Math.round(t1 - t0),
    internalizeMs: Math.round(t2 - t1),
    validateSummarizeMs: Math.round(t3 - t2),
    encodeMs: Math.round(t4 - t3),
    encodedMb: mb(bytes.byteLength),
    peakRssBeforeEncodeMb: mb(rssBeforeEncode),
    peakRssMb: mb(peakRssBytes()),
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  if (command === 'measure') return measure(args[0]!);
  const sizes = (command === undefined ? ['200', '1500'] : [command, ...args]).map(Number);
  const self = fileURLToPath(import.meta.url);
  for (const size of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'edgefleet-large-'));
    try {
      const model = buildLargeMlp(size);
      const paths: string[] = [];
      if (size < 1900) {
        await writeTestModel(model, join(dir, 'inline', 'model.onnx'));
        paths.push(join(dir, 'inline', 'model.onnx'));
      }
      paths.push(
        (await saveModelWithExternalData(model, join(dir, 'external'), 'model.onnx', { threshold: 1024 }))
          .modelPath,
      );
      for (const p of paths) {
        execFileSync(process.execPath, ['--import', 'tsx', self, 'measure', p], { stdio: 'inherit' });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

await main();
