import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelSummarySchema, type ModelSummary } from '../../../shared/schemas/models';
import {
  buildMlp,
  buildSmallCnn,
  buildSymbolicBatchModel,
  DEBIAN_PYTHON,
  testdataModel,
  writeSmallCnnWithExternalData,
  writeTestModel,
} from '../../../test/models';
import { readModelFile, summarizeModel } from './index';

const corpusModels = [
  testdataModel('node', 'test_conv_with_strides_and_asymmetric_padding'),
  testdataModel('node', 'test_conv_with_autopad_same'),
  testdataModel('node', 'test_convtranspose_pads'),
  testdataModel('node', 'test_convtranspose_output_shape'),
  testdataModel('node', 'test_gemm_transposeA'),
  testdataModel('node', 'test_matmul_4d'),
  testdataModel('node', 'test_qlinearconv'),
  testdataModel('pytorch-converted', 'test_Conv2d_depthwise_strided'),
  testdataModel('pytorch-converted', 'test_Conv3d_dilated_strided'),
  testdataModel('pytorch-converted', 'test_Conv1d_groups'),
  testdataModel('pytorch-converted', 'test_ConvTranspose2d'),
  testdataModel('pytorch-converted', 'test_Linear'),
  testdataModel('pytorch-operator', 'test_operator_conv'),
  testdataModel('pytorch-operator', 'test_operator_mm'),
];

let dir: string;
let ownModels: Record<string, string>;
let python: Record<string, ModelSummary | { error: string }>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edgefleet-onnx-summary-'));
  ownModels = {
    cnn: join(dir, 'cnn.onnx'),
    mlp: join(dir, 'mlp.onnx'),
    symbolic: join(dir, 'symbolic.onnx'),
    external: (await writeSmallCnnWithExternalData(join(dir, 'external'))).modelPath,
  };
  await writeTestModel(buildSmallCnn(), ownModels.cnn!);
  await writeTestModel(buildMlp(), ownModels.mlp!);
  await writeTestModel(buildSymbolicBatchModel(), ownModels.symbolic!);
  const paths = [...Object.values(ownModels), ...corpusModels];
  const script = fileURLToPath(new URL('../../../test/python/summarize.py', import.meta.url));
  const { stdout } = await promisify(execFile)(DEBIAN_PYTHON, [script, ...paths], {
    maxBuffer: 64 * 2 ** 20,
  });
  python = JSON.parse(stdout) as typeof python;
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function summaryOf(path: string): Promise<ModelSummary> {
  return summarizeModel((await readModelFile(path)).model);
}

function pythonSummary(path: string): ModelSummary {
  const s = python[path] as ModelSummary & { error?: string; onnxVersion?: string; numpyVersion?: string };
  expect(s.error).toBeUndefined();
  const { onnxVersion: _v, numpyVersion: _n, ...rest } = s;
  return rest;
}

describe('summarizeModel agrees with an independent Python/onnx/numpy implementation (Debian python3-onnx, libonnx-testdata)', () => {
  it.each(['cnn', 'mlp', 'symbolic', 'external'])('test model: %s', async (key) => {
    const path = ownModels[key]!;
    const ours = await summaryOf(path);
    expect(modelSummarySchema.parse(ours)).toEqual(ours);
    expect(ours).toEqual(pythonSummary(path));
  });

  it.each(corpusModels.map((p) => [p.split('/').slice(-3, -1).join('/'), p]))('%s', async (_name, path) => {
    const ours = await summaryOf(path);
    expect(ours).toEqual(pythonSummary(path));
    expect(ours.macsUnknownNodes).toBe(0);
    expect(ours.macs).toBeGreaterThan(0);
  });
});
