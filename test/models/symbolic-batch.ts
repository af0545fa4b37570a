import type { ModelProto } from 'onnx-buf';
import { TensorProto_DataType as DT } from 'onnx-buf';
import { createModelBuilder } from '../../main/core/onnx/builder';
import { createRng, randomFloats } from './prng';

/**
 * A model with a symbolic batch dimension, opset 13: x ['batch',16] → MatMul 16→8 → Add → Relu →
 * Reshape [0,-1] (through Shape → Gather → Unsqueeze → Concat, as PyTorch exports it) → Softmax → y ['batch',8].
 * MACs at batch = 1: 128. Parameters: 128 + 8 + 1 = 137 (the Gather index counts: it is an initializer).
 */
export function buildSymbolicBatchModel(seed = 3): ModelProto {
  const rng = createRng(seed);
  return createModelBuilder({ opset: 13, irVersion: 8, producer: { name: 'edgefleet-test', version: '1' } })
    .input('x', DT.FLOAT, ['batch', 16])
    .output('y', DT.FLOAT, ['batch', 8])
    .initializer('fc.weight', DT.FLOAT, [16, 8], randomFloats(rng, 128, 0.25))
    .initializer('fc.bias', DT.FLOAT, [8], randomFloats(rng, 8, 0.1))
    .initializer('zero', DT.INT64, [], new BigInt64Array([0n]))
    .node('Constant', [], ['zero_axes'], { value_ints: [0] })
    .node('Constant', [], ['minus_one'], { value_ints: [-1] })
    .node('MatMul', ['x', 'fc.weight'], ['h'])
    .node('Add', ['h', 'fc.bias'], ['hb'])
    .node('Relu', ['hb'], ['hr'])
    .node('Shape', ['hr'], ['hr_shape'])
    .node('Gather', ['hr_shape', 'zero'], ['batch_size'], { axis: 0 })
    .node('Unsqueeze', ['batch_size', 'zero_axes'], ['batch_1d'])
    .node('Concat', ['batch_1d', 'minus_one'], ['target_shape'], { axis: 0 })
    .node('Reshape', ['hr', 'target_shape'], ['flat'])
    .node('Softmax', ['flat'], ['y'], { axis: -1 })
    .build();
}
