import type { ModelProto } from 'onnx-buf';
import { TensorProto_DataType as DT } from 'onnx-buf';
import { attrFloat, createModelBuilder } from '../main/core/onnx/builder';
import { join } from 'node:path';
import type { DataSpec } from '../shared/schemas/optimize';
import { writeNpy } from '../test/fixtures/npy';
import { createRng, randomFloats, randomRange } from '../test/models/prng';

/**
 * A VGG-style image classifier big enough for INT8 kernels to matter (~95 M MACs, 0.56 M parameters):
 * [1,3,64,64] → 5 × (Conv 3×3 + BatchNorm + Relu) with two MaxPools and a stride-2 stem → GAP → Gemm → 100 logits.
 */
export function buildBenchConvNet(seed = 11): ModelProto {
  const rng = createRng(seed);
  const b = createModelBuilder({ opset: 13, producer: { name: 'edgefleet-bench', version: '1' } })
    .input('image', DT.FLOAT, [1, 3, 64, 64])
    .output('logits', DT.FLOAT, [1, 100]);
  const layers: [number, number, number][] = [
    [3, 32, 2],
    [32, 64, 1],
    [64, 128, 1],
    [128, 128, 1],
    [128, 256, 1],
  ];
  let x = 'image';
  layers.forEach(([cin, cout, stride], i) => {
    const p = `conv${i + 1}`;
    b.initializer(
      `${p}.weight`,
      DT.FLOAT,
      [cout, cin, 3, 3],
      randomFloats(rng, cout * cin * 9, Math.sqrt(2 / (cin * 9))),
    )
      .initializer(`${p}.bias`, DT.FLOAT, [cout], randomFloats(rng, cout, 0.05))
      .initializer(`${p}.bn.scale`, DT.FLOAT, [cout], randomRange(rng, cout, 0.8, 1.2))
      .initializer(`${p}.bn.bias`, DT.FLOAT, [cout], randomFloats(rng, cout, 0.1))
      .initializer(`${p}.bn.mean`, DT.FLOAT, [cout], randomFloats(rng, cout, 0.1))
      .initializer(`${p}.bn.var`, DT.FLOAT, [cout], randomRange(rng, cout, 0.8, 1.2))
      .node('Conv', [x, `${p}.weight`, `${p}.bias`], [`${p}.out`], {
        kernel_shape: [3, 3],
        pads: [1, 1, 1, 1],
        strides: [stride, stride],
      })
      .node(
        'BatchNormalization',
        [`${p}.out`, `${p}.bn.scale`, `${p}.bn.bias`, `${p}.bn.mean`, `${p}.bn.var`],
        [`${p}.bn`],
        { epsilon: attrFloat(1e-5) },
      )
      .node('Relu', [`${p}.bn`], [`${p}.relu`]);
    x = `${p}.relu`;
    if (i === 1 || i === 3) {
      b.node('MaxPool', [x], [`pool${i}`], { kernel_shape: [2, 2], strides: [2, 2] });
      x = `pool${i}`;
    }
  });
  return b
    .initializer('fc.weight', DT.FLOAT, [100, 256], randomFloats(rng, 25600, Math.sqrt(1 / 256)))
    .initializer('fc.bias', DT.FLOAT, [100], randomFloats(rng, 100, 0.05))
    .node('GlobalAveragePool', [x], ['gap'])
    .node('Flatten', ['gap'], ['flat'], { axis: 1 })
    .node('Gemm', ['flat', 'fc.weight', 'fc.bias'], ['logits'], { transB: 1 })
    .build();
}

/** A 3-layer, 1024-wide MLP at batch 32 (the shape of a transformer's FFN): 3 M parameters. */
export function buildBenchMlp(seed = 12): ModelProto {
  const rng = createRng(seed);
  const w = (n: number, fanIn: number) => randomFloats(rng, n, Math.sqrt(2 / fanIn));
  return createModelBuilder({ opset: 13, producer: { name: 'edgefleet-bench', version: '1' } })
    .input('x', DT.FLOAT, [32, 1024])
    .output('scores', DT.FLOAT, [32, 1000])
    .initializer('w1', DT.FLOAT, [1024, 1024], w(1024 * 1024, 1024))
    .initializer('b1', DT.FLOAT, [1024], randomFloats(rng, 1024, 0.05))
    .initializer('w2', DT.FLOAT, [1024, 1024], w(1024 * 1024, 1024))
    .initializer('b2', DT.FLOAT, [1024], randomFloats(rng, 1024, 0.05))
    .initializer('w3', DT.FLOAT, [1024, 1000], w(1024 * 1000, 1024))
    .initializer('b3', DT.FLOAT, [1000], randomFloats(rng, 1000, 0.05))
    .node('MatMul', ['x', 'w1'], ['h1'])
    .node('Add', ['h1', 'b1'], ['a1'])
    .node('Relu', ['a1'], ['r1'])
    .node('MatMul', ['r1', 'w2'], ['h2'])
    .node('Add', ['h2', 'b2'], ['a2'])
    .node('Relu', ['a2'], ['r2'])
    .node('MatMul', ['r2', 'w3'], ['h3'])
    .node('Add', ['h3', 'b3'], ['scores'])
    .build();
}

/**
 * `count` .npy samples of `shape`, each value a sum of three uniforms times `spread` (bell-shaped, mean 0, in
 * ±1.5·spread).
 */
export async function writeGaussian(
  dir: string,
  count: number,
  shape: number[],
  seed: number,
  spread = 2,
): Promise<DataSpec> {
  const rng = createRng(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  for (let s = 0; s < count; s++) {
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) data[i] = (rng() + rng() + rng() - 1.5) * spread;
    await writeNpy(join(dir, `${String(s).padStart(4, '0')}.npy`), '<f4', shape, data);
  }
  return { kind: 'npy', path: dir };
}
