import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { TensorProto_DataType as DT } from 'onnx-buf';
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
import { createModelBuilder, readModelFile, summarizeModel, typedArrayToTensor } from './index';

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

describe('summarizeModel agrees with an independent Python/onnx/numpy implementation', () => {
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

describe('summarizeModel values', () => {
  it('small CNN: hand-computed MACs and parameters', () => {
    const s = summarizeModel(buildSmallCnn());
    expect(s.inputs).toEqual([{ name: 'input', elemType: 'float32', shape: [1, 3, 32, 32] }]);
    expect(s.outputs).toEqual([{ name: 'logits', elemType: 'float32', shape: [1, 10] }]);
    expect(s.macsByOpType).toEqual([
      { opType: 'Conv', macs: 8 * 32 * 32 * 3 * 9 + 16 * 16 * 16 * 8 * 9 },
      { opType: 'Gemm', macs: 160 },
    ]);
    expect(s.macs).toBe(516256);
    expect(s.parameterCount).toBe(1594);
    expect(s.weightBytes).toBe(1594 * 4);
    expect(s.opHistogram[0]).toEqual({ opType: 'Conv', domain: '', count: 2 });
    expect(s.opHistogram.slice(1, 3)).toEqual([
      { opType: 'Relu', domain: '', count: 2 },
      { opType: 'BatchNormalization', domain: '', count: 1 },
    ]);
  });

  it('symbolic batch: carried into inputs/outputs, counted as 1 in MACs', () => {
    const s = summarizeModel(buildSymbolicBatchModel());
    expect(s.inputs[0]?.shape).toEqual(['batch', 16]);
    expect(s.outputs[0]?.shape).toEqual(['batch', 8]);
    expect(s.macs).toBe(16 * 8);
    expect(s.macsUnknownNodes).toBe(0);
  });

  it('initializers listed as graph inputs are not inputs; Constant tensors and subgraph nodes count', () => {
    const inner = createModelBuilder({ graphName: 'body' })
      .output('inner_out', DT.FLOAT, [2, 2])
      .node('MatMul', ['x', 'x'], ['inner_out'])
      .buildGraph();
    const model = createModelBuilder()
      .input('x', DT.FLOAT, [2, 2])
      .input('w', DT.FLOAT, [2, 2])
      .input('cond', DT.BOOL, [])
      .output('y', DT.FLOAT, [2, 2])
      .initializer('w', DT.FLOAT, [2, 2], new Float32Array(4))
      .node('Constant', [], ['k'], { value: typedArrayToTensor('k', DT.FLOAT16, [3], new Uint16Array(3)) })
      .node('MatMul', ['x', 'w'], ['xw'])
      .node('If', ['cond'], ['y'], { then_branch: inner, else_branch: inner })
      .build();
    const s = summarizeModel(model);
    expect(s.inputs.map((i) => i.name)).toEqual(['x', 'cond']);
    expect(s.nodeCount).toBe(5); // 3 in the main graph + one MatMul in each branch
    expect(s.opHistogram[0]).toEqual({ opType: 'MatMul', domain: '', count: 3 });
    expect(s.parameterCount).toBe(4 + 3);
    expect(s.weightBytesByDtype).toEqual([
      { dtype: 'float32', bytes: 16, tensors: 1 },
      { dtype: 'float16', bytes: 6, tensors: 1 },
    ]);
    expect(s.macs).toBe(8);
    expect(s.macsUnknownNodes).toBe(2); // subgraph shapes are not inferred
  });
});
