import { TensorProto_DataType as DT } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { buildSmallCnn, buildSymbolicBatchModel } from '../../../test/models';
import { createModelBuilder, summarizeModel, typedArrayToTensor } from './index';

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
