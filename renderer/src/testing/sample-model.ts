import type { Model } from '../../../shared/schemas/models';

/** A model record shaped like what main returns for a small CNN, for tests and previews. */
export function sampleModel(overrides: Partial<Model> = {}): Model {
  return {
    id: 'm_1',
    name: 'small-cnn',
    sha256: 'a'.repeat(64),
    sizeBytes: 1_234_567,
    sourceFileName: 'small-cnn.onnx',
    importedAt: '2025-01-02T03:04:05.000Z',
    parentId: null,
    method: null,
    recipe: null,
    report: null,
    summary: {
      irVersion: 8,
      opsets: [{ domain: '', version: 17 }],
      producer: { name: 'edgefleet-test', version: '1' },
      graphName: 'small_cnn',
      inputs: [{ name: 'input', elemType: 'float32', shape: ['batch', 3, 32, 32] }],
      outputs: [{ name: 'logits', elemType: 'float32', shape: ['batch', 10] }],
      nodeCount: 7,
      opHistogram: [
        { opType: 'Conv', domain: '', count: 2 },
        { opType: 'Relu', domain: '', count: 2 },
        { opType: 'Gemm', domain: '', count: 1 },
      ],
      parameterCount: 1_200_000,
      weightBytesByDtype: [{ dtype: 'float32', bytes: 4_800_000, tensors: 6 }],
      weightBytes: 4_800_000,
      macs: 12_300_000,
      macsByOpType: [
        { opType: 'Conv', macs: 12_000_000 },
        { opType: 'Gemm', macs: 300_000 },
      ],
      macsUnknownNodes: 0,
    },
    ...overrides,
  };
}
