import type { ModelProto } from 'onnx-buf';
import { TensorProto_DataType as DT } from 'onnx-buf';
import { attrFloat, createModelBuilder } from '../../main/core/onnx/builder';
import { createRng, randomFloats, randomRange } from './prng';

/**
 * A small image classifier, opset 13:
 * input [1,3,32,32] → Conv 3→8 (3×3, pad 1) → BatchNormalization → Relu → MaxPool 2×2/2 → Conv 8→16 (3×3, pad 1)
 * → Relu → GlobalAveragePool → Flatten → Gemm (16→10, transB) → logits [1,10].
 * MACs: 221184 + 294912 + 160 = 516256. Parameters: 224 + 32 + 1168 + 170 = 1594.
 */
export function buildSmallCnn(seed = 1): ModelProto {
  const rng = createRng(seed);
  return createModelBuilder({ opset: 13, irVersion: 8, producer: { name: 'edgefleet-test', version: '1' } })
    .input('input', DT.FLOAT, [1, 3, 32, 32])
    .output('logits', DT.FLOAT, [1, 10])
    .initializer('conv1.weight', DT.FLOAT, [8, 3, 3, 3], randomFloats(rng, 8 * 27, 0.4))
    .initializer('conv1.bias', DT.FLOAT, [8], randomFloats(rng, 8, 0.1))
    .initializer('bn1.scale', DT.FLOAT, [8], randomRange(rng, 8, 0.5, 1.5))
    .initializer('bn1.bias', DT.FLOAT, [8], randomFloats(rng, 8, 0.1))
    .initializer('bn1.mean', DT.FLOAT, [8], randomFloats(rng, 8, 0.1))
    .initializer('bn1.var', DT.FLOAT, [8], randomRange(rng, 8, 0.5, 1.5))
    .initializer('conv2.weight', DT.FLOAT, [16, 8, 3, 3], randomFloats(rng, 16 * 72, 0.2))
    .initializer('conv2.bias', DT.FLOAT, [16], randomFloats(rng, 16, 0.1))
    .initializer('fc.weight', DT.FLOAT, [10, 16], randomFloats(rng, 160, 0.3))
    .initializer('fc.bias', DT.FLOAT, [10], randomFloats(rng, 10, 0.1))
    .node('Conv', ['input', 'conv1.weight', 'conv1.bias'], ['conv1'], {
      kernel_shape: [3, 3],
      pads: [1, 1, 1, 1],
    })
    .node('BatchNormalization', ['conv1', 'bn1.scale', 'bn1.bias', 'bn1.mean', 'bn1.var'], ['bn1'], {
      epsilon: attrFloat(1e-5),
    })
    .node('Relu', ['bn1'], ['relu1'])
    .node('MaxPool', ['relu1'], ['pool1'], { kernel_shape: [2, 2], strides: [2, 2] })
    .node('Conv', ['pool1', 'conv2.weight', 'conv2.bias'], ['conv2'], {
      kernel_shape: [3, 3],
      pads: [1, 1, 1, 1],
    })
    .node('Relu', ['conv2'], ['relu2'])
    .node('GlobalAveragePool', ['relu2'], ['gap'])
    .node('Flatten', ['gap'], ['flat'], { axis: 1 })
    .node('Gemm', ['flat', 'fc.weight', 'fc.bias'], ['logits'], { transB: 1 })
    .build();
}
