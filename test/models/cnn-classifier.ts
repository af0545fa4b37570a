import type { ModelProto } from 'onnx-buf';
import { TensorProto_DataType as DT } from 'onnx-buf';
import { createModelBuilder } from '../../main/core/onnx/builder';
import { createRng, type Rng } from './prng';

export type CnnClassifierOptions = {
  /** Input [N, channels, size, size]; size must divide by 4. Default 1 × 28 (MNIST). */
  inChannels?: number;
  size?: number;
  /** Output channels of the two 3×3 convolutions. Default [16, 32]. */
  channels?: readonly [number, number];
  /** Width of the hidden fully connected layer. Default 64. */
  hidden?: number;
  classes?: number;
  seed?: number;
  /** End in Softmax (output 'probabilities') instead of the logits. */
  softmax?: boolean;
};

/** He-normal initial weights (Box–Muller on the seeded generator). */
function heNormal(rng: Rng, count: number, fanIn: number): Float32Array {
  const out = new Float32Array(count);
  const std = Math.sqrt(2 / fanIn);
  for (let i = 0; i < count; i++) {
    const u = Math.max(rng(), 1e-12);
    out[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng()) * std;
  }
  return out;
}

/**
 * A plain CNN classifier with freshly initialised weights, for training in the engine (opset 13, batch 'N'):
 * Conv 3×3 pad 1 → Relu → MaxPool 2 → Conv 3×3 pad 1 → Relu → MaxPool 2 → Flatten → Gemm → Relu → Gemm.
 */
export function buildCnnClassifier(options: CnnClassifierOptions = {}): ModelProto {
  const {
    inChannels = 1,
    size = 28,
    channels = [16, 32],
    hidden = 64,
    classes = 10,
    seed = 1,
    softmax = false,
  } = options;
  const rng = createRng(seed);
  const [c1, c2] = channels;
  const flat = c2 * (size / 4) * (size / 4);
  const builder = createModelBuilder({ opset: 13, producer: { name: 'edgefleet-test', version: '1' } })
    .input('image', DT.FLOAT, ['N', inChannels, size, size])
    .output(softmax ? 'probabilities' : 'logits', DT.FLOAT, ['N', classes])
    .initializer(
      'conv1.weight',
      DT.FLOAT,
      [c1, inChannels, 3, 3],
      heNormal(rng, c1 * inChannels * 9, inChannels * 9),
    )
    .initializer('conv1.bias', DT.FLOAT, [c1], new Float32Array(c1))
    .initializer('conv2.weight', DT.FLOAT, [c2, c1, 3, 3], heNormal(rng, c2 * c1 * 9, c1 * 9))
    .initializer('conv2.bias', DT.FLOAT, [c2], new Float32Array(c2))
    .initializer('fc1.weight', DT.FLOAT, [hidden, flat], heNormal(rng, hidden * flat, flat))
    .initializer('fc1.bias', DT.FLOAT, [hidden], new Float32Array(hidden))
    .initializer('fc2.weight', DT.FLOAT, [classes, hidden], heNormal(rng, classes * hidden, hidden))
    .initializer('fc2.bias', DT.FLOAT, [classes], new Float32Array(classes))
    .node('Conv', ['image', 'conv1.weight', 'conv1.bias'], ['c1'], {
      kernel_shape: [3, 3],
      pads: [1, 1, 1, 1],
    })
    .node('Relu', ['c1'], ['r1'])
    .node('MaxPool', ['r1'], ['p1'], { kernel_shape: [2, 2], strides: [2, 2] })
    .node('Conv', ['p1', 'conv2.weight', 'conv2.bias'], ['c2'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] })
    .node('Relu', ['c2'], ['r2'])
    .node('MaxPool', ['r2'], ['p2'], { kernel_shape: [2, 2], strides: [2, 2] })
    .node('Flatten', ['p2'], ['flat'], { axis: 1 })
    .node('Gemm', ['flat', 'fc1.weight', 'fc1.bias'], ['h'], { transB: 1 })
    .node('Relu', ['h'], ['hr'])
    .node('Gemm', ['hr', 'fc2.weight', 'fc2.bias'], ['logits'], { transB: 1 });
  return (softmax ? builder.node('Softmax', ['logits'], ['probabilities'], { axis: 1 }) : builder).build();
}
