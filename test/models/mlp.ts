import type { ModelProto } from 'onnx-buf';
import { TensorProto_DataType as DT } from 'onnx-buf';
import { createModelBuilder } from '../../main/core/onnx/builder';
import { createRng, randomFloats } from './prng';

/**
 * A two-layer perceptron, opset 13: x [4,64] → MatMul 64→128 → Add → Relu → MatMul 128→10 → Add → y [4,10].
 * MACs: 4·64·128 + 4·128·10 = 37888. Parameters: 8192 + 128 + 1280 + 10 = 9610.
 */
export function buildMlp(seed = 2): ModelProto {
  const rng = createRng(seed);
  return createModelBuilder({ opset: 13, irVersion: 8, producer: { name: 'edgefleet-test', version: '1' } })
    .input('x', DT.FLOAT, [4, 64])
    .output('y', DT.FLOAT, [4, 10])
    .initializer('fc1.weight', DT.FLOAT, [64, 128], randomFloats(rng, 64 * 128, 0.125))
    .initializer('fc1.bias', DT.FLOAT, [128], randomFloats(rng, 128, 0.1))
    .initializer('fc2.weight', DT.FLOAT, [128, 10], randomFloats(rng, 1280, 0.09))
    .initializer('fc2.bias', DT.FLOAT, [10], randomFloats(rng, 10, 0.1))
    .node('MatMul', ['x', 'fc1.weight'], ['h1'])
    .node('Add', ['h1', 'fc1.bias'], ['h1b'])
    .node('Relu', ['h1b'], ['h1r'])
    .node('MatMul', ['h1r', 'fc2.weight'], ['h2'])
    .node('Add', ['h2', 'fc2.bias'], ['y'])
    .build();
}
