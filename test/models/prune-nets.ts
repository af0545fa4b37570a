import type { ModelProto } from 'onnx-buf';
import { TensorProto_DataType as DT } from 'onnx-buf';
import { attrFloat, createModelBuilder, type ModelBuilder } from '../../main/core/onnx/builder';
import { createRng, randomFloats, randomRange, type Rng } from './prng';

/**
 * Dead channels per group of buildPruneZoo: their weights and biases are zero, so their activations are exactly
 * zero and removing them must leave the output unchanged. Sizes are chosen so a ratio of 0.25 removes exactly
 * these (round(size · 0.25)).
 */
export const ZOO_DEAD = {
  stem: [1, 5], // group of stem conv + project conv (residual Add): 8 channels
  expand: [2, 7, 11, 14], // expand conv + SE fc2 (the Mul gate): 16 channels
  se: [3], // SE fc1: 4 channels
  left: [0, 4], // concat branch 1: 6 channels → round(1.5) = 2
  right: [2], // concat branch 2: 4 channels
  head: [3, 6, 10], // conv before Flatten → Gemm: 12 channels
} as const;

/**
 * A small net with every coupling channel pruning must follow, opset 14 (HardSwish), input [1,3,16,16] → logits [1,10]:
 *   stem Conv 3→8 + BatchNormalization + Relu
 *   inverted residual: Conv 1×1 8→16 + HardSwish → depthwise Conv 3×3 (group 16) + Relu
 *     → Squeeze-Excitation: GlobalAveragePool → Conv 16→4 + Relu → Conv 4→16 → HardSigmoid → Mul with the map
 *     → Conv 1×1 16→8 → Add with the stem (residual)
 *   two branches Conv 8→6 + Relu and Conv 8→4 + Relu → Concat (axis 1) → MaxPool 2×2
 *   Conv 10→12 + Relu → Flatten (12·8·8 = 768 columns) → Gemm 768→10 (transB) → logits.
 * Channels listed in ZOO_DEAD have zero weights and biases (BatchNormalization: zero mean and beta).
 */
export function buildPruneZoo(seed = 3): ModelProto {
  const rng = createRng(seed);
  const b = createModelBuilder({ opset: 14, producer: { name: 'edgefleet-test', version: '1' } })
    .input('input', DT.FLOAT, [1, 3, 16, 16])
    .output('logits', DT.FLOAT, [1, 10]);
  const conv = (name: string, cout: number, cin: number, k: number, dead: readonly number[], group = 1) => {
    const w = randomFloats(rng, cout * cin * k * k, Math.sqrt(2 / (cin * k * k)));
    const bias = randomFloats(rng, cout, 0.1);
    zeroRows(w, bias, cout, dead);
    b.initializer(`${name}.weight`, DT.FLOAT, [cout, cin, k, k], w).initializer(
      `${name}.bias`,
      DT.FLOAT,
      [cout],
      bias,
    );
    return { group, k };
  };
  const node = (bb: ModelBuilder, name: string, x: string, out: string, k: number, group = 1) =>
    bb.node(
      'Conv',
      [x, `${name}.weight`, `${name}.bias`],
      [out],
      {
        kernel_shape: [k, k],
        pads: [(k - 1) / 2, (k - 1) / 2, (k - 1) / 2, (k - 1) / 2],
        group,
      },
      { name },
    );

  conv('stem', 8, 3, 3, ZOO_DEAD.stem);
  bnParams(b, rng, 'stem.bn', 8, ZOO_DEAD.stem);
  node(b, 'stem', 'input', 'stem.out', 3)
    .node(
      'BatchNormalization',
      ['stem.out', 'stem.bn.scale', 'stem.bn.bias', 'stem.bn.mean', 'stem.bn.var'],
      ['stem.bn'],
      {
        epsilon: attrFloat(1e-5),
      },
      { name: 'stem.bn' },
    )
    .node('Relu', ['stem.bn'], ['stem.relu']);

  conv('expand', 16, 8, 1, ZOO_DEAD.expand);
  conv('dw', 16, 1, 3, ZOO_DEAD.expand, 16);
  conv('se.fc1', 4, 16, 1, ZOO_DEAD.se);
  conv('se.fc2', 16, 4, 1, ZOO_DEAD.expand);
  conv('project', 8, 16, 1, ZOO_DEAD.stem);
  node(b, 'expand', 'stem.relu', 'expand.out', 1).node('HardSwish', ['expand.out'], ['expand.act']);
  node(b, 'dw', 'expand.act', 'dw.out', 3, 16).node('Relu', ['dw.out'], ['dw.act']);
  b.node('GlobalAveragePool', ['dw.act'], ['se.pool']);
  node(b, 'se.fc1', 'se.pool', 'se.fc1.out', 1).node('Relu', ['se.fc1.out'], ['se.fc1.act']);
  node(b, 'se.fc2', 'se.fc1.act', 'se.fc2.out', 1)
    .node('HardSigmoid', ['se.fc2.out'], ['se.gate'], { alpha: attrFloat(1 / 6), beta: attrFloat(0.5) })
    .node('Mul', ['dw.act', 'se.gate'], ['se.out']);
  node(b, 'project', 'se.out', 'project.out', 1).node('Add', ['project.out', 'stem.relu'], ['block.out']);

  conv('left', 6, 8, 3, ZOO_DEAD.left);
  conv('right', 4, 8, 1, ZOO_DEAD.right);
  node(b, 'left', 'block.out', 'left.out', 3).node('Relu', ['left.out'], ['left.act']);
  node(b, 'right', 'block.out', 'right.out', 1).node('Relu', ['right.out'], ['right.act']);
  b.node('Concat', ['left.act', 'right.act'], ['cat'], { axis: 1 }).node('MaxPool', ['cat'], ['pool'], {
    kernel_shape: [2, 2],
    strides: [2, 2],
  });

  conv('head', 12, 10, 3, ZOO_DEAD.head);
  node(b, 'head', 'pool', 'head.out', 3).node('Relu', ['head.out'], ['head.act']);
  return b
    .initializer('fc.weight', DT.FLOAT, [10, 768], randomFloats(rng, 7680, Math.sqrt(1 / 768)))
    .initializer('fc.bias', DT.FLOAT, [10], randomFloats(rng, 10, 0.05))
    .node('Flatten', ['head.act'], ['flat'], { axis: 1 })
    .node('Gemm', ['flat', 'fc.weight', 'fc.bias'], ['logits'], { transB: 1 }, { name: 'fc' })
    .build();
}

function zeroRows(w: Float32Array, bias: Float32Array, rows: number, dead: readonly number[]): void {
  const per = w.length / rows;
  for (const r of dead) {
    w.fill(0, r * per, (r + 1) * per);
    bias[r] = 0;
  }
}

function bnParams(b: ModelBuilder, rng: Rng, p: string, c: number, dead: readonly number[]): void {
  const mean = randomFloats(rng, c, 0.1);
  const beta = randomFloats(rng, c, 0.1);
  for (const d of dead) {
    mean[d] = 0;
    beta[d] = 0;
  }
  b.initializer(`${p}.scale`, DT.FLOAT, [c], randomRange(rng, c, 0.8, 1.2))
    .initializer(`${p}.bias`, DT.FLOAT, [c], beta)
    .initializer(`${p}.mean`, DT.FLOAT, [c], mean)
    .initializer(`${p}.var`, DT.FLOAT, [c], randomRange(rng, c, 0.8, 1.2));
}

/** Conv 3→8 straight to the graph output: every channel is the model's interface. */
export function buildConvToOutput(): ModelProto {
  const rng = createRng(5);
  return createModelBuilder({ opset: 13 })
    .input('x', DT.FLOAT, [1, 3, 8, 8])
    .output('y', DT.FLOAT, [1, 8, 8, 8])
    .initializer('w', DT.FLOAT, [8, 3, 3, 3], randomFloats(rng, 216, 0.3))
    .node('Conv', ['x', 'w'], ['c'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] })
    .node('Relu', ['c'], ['y'])
    .build();
}

/** Conv 3→8 → Reshape [1, 8, 64] → Softmax: the Reshape mixes channels into another axis. */
export function buildConvIntoReshape(): ModelProto {
  const rng = createRng(6);
  return createModelBuilder({ opset: 13 })
    .input('x', DT.FLOAT, [1, 3, 8, 8])
    .output('y', DT.FLOAT, [1, 64, 8])
    .initializer('w', DT.FLOAT, [8, 3, 3, 3], randomFloats(rng, 216, 0.3))
    .initializer('shape', DT.INT64, [3], BigInt64Array.from([1n, 8n, 64n]))
    .node('Conv', ['x', 'w'], ['c'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] })
    .node('Reshape', ['c', 'shape'], ['r'])
    .node('Transpose', ['r'], ['y'], { perm: [0, 2, 1] })
    .build();
}

/**
 * Decoder-style net, opset 13: Conv 3→8 (3×3) + Relu → Resize ×2 (nearest, constant scales) → ConvTranspose 8→6
 * (2×2, stride 2) + Relu → Conv 6→4 (1×1) → y [1,4,32,32]. Dead channels: conv 2 and 5, conv-transpose 1 and 4
 * (a ratio of 0.25 removes exactly these).
 */
export function buildDecoderNet(): ModelProto {
  const rng = createRng(8);
  const w1 = randomFloats(rng, 8 * 27, 0.3);
  const b1 = randomFloats(rng, 8, 0.1);
  zeroRows(w1, b1, 8, [2, 5]);
  // ConvTranspose weight [Cin 8, Cout 6, 2, 2]: dead outputs are zero columns, dead inputs need nothing.
  const wt = randomFloats(rng, 8 * 6 * 4, 0.3);
  const bt = randomFloats(rng, 6, 0.1);
  for (let i = 0; i < 8; i++) for (const o of [1, 4]) wt.fill(0, (i * 6 + o) * 4, (i * 6 + o + 1) * 4);
  for (const o of [1, 4]) bt[o] = 0;
  return createModelBuilder({ opset: 13 })
    .input('x', DT.FLOAT, [1, 3, 8, 8])
    .output('y', DT.FLOAT, [1, 4, 32, 32])
    .initializer('w1', DT.FLOAT, [8, 3, 3, 3], w1)
    .initializer('b1', DT.FLOAT, [8], b1)
    .initializer('scales', DT.FLOAT, [4], Float32Array.from([1, 1, 2, 2]))
    .initializer('wt', DT.FLOAT, [8, 6, 2, 2], wt)
    .initializer('bt', DT.FLOAT, [6], bt)
    .initializer('w2', DT.FLOAT, [4, 6, 1, 1], randomFloats(rng, 24, 0.4))
    .node('Conv', ['x', 'w1', 'b1'], ['c1'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, { name: 'conv' })
    .node('Relu', ['c1'], ['r1'])
    .node('Resize', ['r1', '', 'scales'], ['up'], { mode: 'nearest' })
    .node(
      'ConvTranspose',
      ['up', 'wt', 'bt'],
      ['t'],
      { kernel_shape: [2, 2], strides: [2, 2] },
      { name: 'deconv' },
    )
    .node('Relu', ['t'], ['r2'])
    .node('Conv', ['r2', 'w2'], ['y'], { kernel_shape: [1, 1] }, { name: 'out' })
    .build();
}

/**
 * The other channel-wise ops, opset 13: Conv 3→8 → PRelu (slope [8,1,1]) → Pad (spatial only) → Conv 8→8 (3×3)
 * → MaxPool 2×2 → BatchNormalization (not after a Conv: stays a node) → Relu → Reshape to [1, 8·4·4] with a
 * constant shape → Gemm 128→5 → y. Dead channels: first conv 0 and 3, second conv 1 and 6 (BN mean and beta 0
 * there); a ratio of 0.25 removes exactly these.
 */
export function buildChannelOpsNet(): ModelProto {
  const rng = createRng(9);
  const w1 = randomFloats(rng, 8 * 27, 0.3);
  const b1 = randomFloats(rng, 8, 0.1);
  zeroRows(w1, b1, 8, [0, 3]);
  const w2 = randomFloats(rng, 8 * 72, 0.2);
  const b2 = randomFloats(rng, 8, 0.1);
  zeroRows(w2, b2, 8, [1, 6]);
  const b = createModelBuilder({ opset: 13 })
    .input('x', DT.FLOAT, [1, 3, 8, 8])
    .output('y', DT.FLOAT, [1, 5])
    .initializer('w1', DT.FLOAT, [8, 3, 3, 3], w1)
    .initializer('b1', DT.FLOAT, [8], b1)
    .initializer('slope', DT.FLOAT, [8, 1, 1], randomRange(rng, 8, 0.05, 0.3))
    .initializer('pads', DT.INT64, [8], BigInt64Array.from([0n, 0n, 1n, 1n, 0n, 0n, 1n, 1n]))
    .initializer('w2', DT.FLOAT, [8, 8, 3, 3], w2)
    .initializer('b2', DT.FLOAT, [8], b2)
    .initializer('shape', DT.INT64, [2], BigInt64Array.from([1n, 128n]))
    .initializer('fc.w', DT.FLOAT, [5, 128], randomFloats(rng, 640, 0.1))
    .node('Conv', ['x', 'w1', 'b1'], ['c1'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, { name: 'conv1' })
    .node('PRelu', ['c1', 'slope'], ['p1'])
    .node('Pad', ['p1', 'pads'], ['padded'])
    .node('Conv', ['padded', 'w2', 'b2'], ['c2'], { kernel_shape: [3, 3] }, { name: 'conv2' })
    .node('MaxPool', ['c2'], ['pool'], { kernel_shape: [2, 2], strides: [2, 2] });
  bnParams(b, rng, 'bn', 8, [1, 6]);
  return b
    .node('BatchNormalization', ['pool', 'bn.scale', 'bn.bias', 'bn.mean', 'bn.var'], ['bn'], {
      epsilon: attrFloat(1e-5),
    })
    .node('Relu', ['bn'], ['r'])
    .node('Reshape', ['r', 'shape'], ['flat'])
    .node('Gemm', ['flat', 'fc.w'], ['y'], { transB: 1 }, { name: 'fc' })
    .build();
}
