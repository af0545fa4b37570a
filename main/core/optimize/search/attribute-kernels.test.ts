import { describe, expect, it } from 'vitest';
import { TensorProto_DataType as DT } from 'onnx-buf';
import { createModelBuilder } from '../../onnx/builder';
import { attributeKernels } from './attribute-kernels';
import type { KernelTime } from './node-profile';

// x → Conv(c1) → Relu(r1) → Conv(c2) → HardSigmoid(h) → Mul(m: c2 · h) → y
const model = createModelBuilder({ opset: 13 })
  .input('x', DT.FLOAT, [1, 1, 4, 4])
  .output('y', DT.FLOAT, [1, 1, 4, 4])
  .node('Conv', ['x', 'w1'], ['a'], {}, { name: 'c1' })
  .node('Relu', ['a'], ['b'], {}, { name: 'r1' })
  .node('Conv', ['b', 'w2'], ['c'], {}, { name: 'c2' })
  .node('HardSigmoid', ['c'], ['d'], {}, { name: 'h' })
  .node('Mul', ['c', 'd'], ['y'], {}, { name: 'm' })
  .build();
const k = (node: string, opType: string, us: number, io: Partial<KernelTime> = {}): KernelTime => ({
  node,
  opType,
  us,
  inputs: [],
  outputs: [],
  ...io,
});

describe('attributeKernels', () => {
  it('traces ORT renamed kernels (NCHWc, _token_N, Q/DQ) to the nodes they serve', () => {
    const anchors = new Set(['c1', 'c2', 'm']);
    const result = attributeKernels(
      [
        k('b_nchwc', 'Conv', 10), // float Conv+Relu fused, named after the Relu's output
        k('c2_token_3', 'QLinearConv', 7),
        k('c_DequantizeLinear', 'DequantizeLinear', 2), // after c2: its cost
        k('d_QuantizeLinear', 'QuantizeLinear', 1), // feeds m: m's cost
        k('h', 'HardSigmoid', 3), // follows c2
        k('ReorderInput', 'ReorderInput', 4, { inputs: ['mystery'], outputs: ['reorder_token_1'] }),
      ],
      model,
      anchors,
    );
    expect(Object.fromEntries(result.perAnchor)).toEqual({ c1: 10, c2: 12, m: 1 });
    expect(result.unattributedUs).toBe(4);
    expect(result.totalUs).toBe(27);
  });
});
