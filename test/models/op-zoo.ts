import type { ModelProto } from 'onnx-buf';
import { TensorProto_DataType as DT } from 'onnx-buf';
import { attrFloat, createModelBuilder } from '../../main/core/onnx/builder';
import { createRng, randomFloats, randomRange } from './prng';

/**
 * One small opset-14 model that uses every op setting the training engine claims (for ORT parity tests):
 * input [2,4,12,12] → Conv 4→8 (group 2, stride 2, asymmetric pads) → BatchNormalization → HardSwish →
 * depthwise Conv (dilation 2, pad 2) → Clip → AveragePool (pads, count_include_pad 0) → Sigmoid · Tanh →
 * MaxPool (pad) → Conv 1×1 → HardSigmoid, concatenated with GlobalAveragePool branch … → Transpose,
 * Reshape, Squeeze/Unsqueeze, MatMul, Sub/Div, Gemm → Softmax. Output [2,5].
 */
export function buildOpZoo(seed = 5): ModelProto {
  const rng = createRng(seed);
  return createModelBuilder({ opset: 14, producer: { name: 'edgefleet-test', version: '1' } })
    .input('x', DT.FLOAT, [2, 4, 12, 12])
    .output('probs', DT.FLOAT, [2, 5])
    .output('feat', DT.FLOAT, [2, 8, 4, 3])
    .initializer('c1.w', DT.FLOAT, [8, 2, 3, 3], randomFloats(rng, 8 * 18, 0.4))
    .initializer('c1.b', DT.FLOAT, [8], randomFloats(rng, 8, 0.1))
    .initializer('bn.s', DT.FLOAT, [8], randomRange(rng, 8, 0.5, 1.5))
    .initializer('bn.b', DT.FLOAT, [8], randomFloats(rng, 8, 0.1))
    .initializer('bn.m', DT.FLOAT, [8], randomFloats(rng, 8, 0.1))
    .initializer('bn.v', DT.FLOAT, [8], randomRange(rng, 8, 0.5, 1.5))
    .initializer('dw.w', DT.FLOAT, [8, 1, 3, 3], randomFloats(rng, 72, 0.4))
    .initializer('lo', DT.FLOAT, [], new Float32Array([-0.5]))
    .initializer('hi', DT.FLOAT, [], new Float32Array([2]))
    .initializer('pw.w', DT.FLOAT, [8, 8, 1, 1], randomFloats(rng, 64, 0.4))
    .initializer('shape', DT.INT64, [3], BigInt64Array.from([2n, 8n, 12n]))
    .initializer('axes0', DT.INT64, [1], BigInt64Array.from([1n]))
    .initializer('mm.w', DT.FLOAT, [12, 4], randomFloats(rng, 48, 0.4))
    .initializer('two', DT.FLOAT, [1], new Float32Array([2]))
    .initializer('fc.w', DT.FLOAT, [5, 32 + 8], randomFloats(rng, 200, 0.3))
    .initializer('fc.b', DT.FLOAT, [5], randomFloats(rng, 5, 0.1))
    .node('Conv', ['x', 'c1.w', 'c1.b'], ['c1'], {
      group: 2,
      strides: [2, 2],
      pads: [1, 0, 2, 1],
      kernel_shape: [3, 3],
    })
    .node('BatchNormalization', ['c1', 'bn.s', 'bn.b', 'bn.m', 'bn.v'], ['bn'], { epsilon: attrFloat(1e-3) })
    .node('HardSwish', ['bn'], ['hs'])
    .node('Conv', ['hs', 'dw.w'], ['dw'], { group: 8, dilations: [2, 2], pads: [2, 2, 2, 2] })
    .node('Clip', ['dw', 'lo', 'hi'], ['clip'])
    .node('AveragePool', ['clip'], ['ap'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1] })
    .node('Sigmoid', ['ap'], ['sg'])
    .node('Tanh', ['clip'], ['th'])
    .node('Mul', ['sg', 'th'], ['gate'])
    .node('MaxPool', ['gate'], ['mp'], { kernel_shape: [2, 2], strides: [2, 2], pads: [0, 0, 1, 1] })
    .node('Conv', ['mp', 'pw.w'], ['pw'], {})
    .node('HardSigmoid', ['pw'], ['feat'], { alpha: attrFloat(0.3), beta: attrFloat(0.4) })
    .node('Reshape', ['feat', 'shape'], ['seq'])
    .node('MatMul', ['seq', 'mm.w'], ['mm'])
    .node('Transpose', ['mm'], ['mmT'], { perm: [0, 2, 1] })
    .node('Unsqueeze', ['mmT', 'axes0'], ['u'])
    .node('Squeeze', ['u', 'axes0'], ['sq'])
    .node('Flatten', ['sq'], ['flat'], { axis: 1 })
    .node('GlobalAveragePool', ['feat'], ['gap'])
    .node('Flatten', ['gap'], ['gapf'], { axis: 1 })
    .node('Sub', ['gapf', 'two'], ['gs'])
    .node('Div', ['gs', 'two'], ['gd'])
    .node('Relu', ['gd'], ['gr'])
    .node('Concat', ['flat', 'gr'], ['cat'], { axis: 1 })
    .node('Gemm', ['cat', 'fc.w', 'fc.b'], ['logits'], { transB: 1, alpha: attrFloat(0.5) })
    .node('Softmax', ['logits'], ['probs'], { axis: 1 })
    .build();
}
