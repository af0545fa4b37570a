import type { ModelProto } from 'onnx-buf';
import { TensorProto_DataType as DT } from 'onnx-buf';
import { attrFloat, createModelBuilder } from '../../main/core/onnx/builder';
import { createRng, randomFloats, randomRange } from './prng';

export type AttentionBlockOptions = {
  seed?: number;
  /** Model width (default 32); must divide by `heads`. */
  dim?: number;
  heads?: number;
  /** Sequence length (default 8). */
  seq?: number;
};

/**
 * One pre-norm transformer encoder block, opset 17, input x ['batch', seq, dim] → y ['batch', seq, dim]:
 *
 *   h = x + Wo·Attention(LayerNorm(x))      Q/K/V: MatMul + Add on one shared LayerNorm output,
 *                                           heads via Reshape/Transpose, scores MatMul (two activations),
 *                                           scaled by Mul(1/√d), Softmax(-1), context MatMul
 *   y = h + W2·GELU(W1·LayerNorm(h) + b1) + b2   (GELU written out with Erf; FFN 4× wide)
 *
 * Six MatMuls have a constant weight (q, k, v, o, ffn1, ffn2); two multiply activations.
 */
export function buildAttentionBlock(options: AttentionBlockOptions = {}): ModelProto {
  const { seed = 5, dim = 32, heads = 4, seq = 8 } = options;
  const headDim = dim / heads;
  const ffn = dim * 4;
  const rng = createRng(seed);
  const w = (n: number, fanIn: number) => randomFloats(rng, n, 1 / Math.sqrt(fanIn));
  const b = new Float32Array(1);
  b[0] = 1 / Math.sqrt(headDim);
  const m = createModelBuilder({
    opset: 17,
    irVersion: 8,
    producer: { name: 'edgefleet-test', version: '1' },
  })
    .input('x', DT.FLOAT, ['batch', seq, dim])
    .output('y', DT.FLOAT, ['batch', seq, dim])
    .initializer('ln1.scale', DT.FLOAT, [dim], randomRange(rng, dim, 0.8, 1.2))
    .initializer('ln1.bias', DT.FLOAT, [dim], randomFloats(rng, dim, 0.1))
    .initializer('ln2.scale', DT.FLOAT, [dim], randomRange(rng, dim, 0.8, 1.2))
    .initializer('ln2.bias', DT.FLOAT, [dim], randomFloats(rng, dim, 0.1))
    .initializer('heads_shape', DT.INT64, [4], BigInt64Array.of(0n, 0n, BigInt(heads), BigInt(headDim)))
    .initializer('merge_shape', DT.INT64, [3], BigInt64Array.of(0n, 0n, BigInt(dim)))
    .initializer('score_scale', DT.FLOAT, [], b)
    .initializer('gelu_sqrt2', DT.FLOAT, [], Float32Array.of(Math.SQRT2))
    .initializer('gelu_one', DT.FLOAT, [], Float32Array.of(1))
    .initializer('gelu_half', DT.FLOAT, [], Float32Array.of(0.5));
  for (const p of ['q', 'k', 'v', 'o']) {
    m.initializer(`${p}.weight`, DT.FLOAT, [dim, dim], w(dim * dim, dim));
    m.initializer(`${p}.bias`, DT.FLOAT, [dim], randomFloats(rng, dim, 0.05));
  }
  m.initializer('ffn1.weight', DT.FLOAT, [dim, ffn], w(dim * ffn, dim))
    .initializer('ffn1.bias', DT.FLOAT, [ffn], randomFloats(rng, ffn, 0.05))
    .initializer('ffn2.weight', DT.FLOAT, [ffn, dim], w(ffn * dim, ffn))
    .initializer('ffn2.bias', DT.FLOAT, [dim], randomFloats(rng, dim, 0.05));

  m.node('LayerNormalization', ['x', 'ln1.scale', 'ln1.bias'], ['ln1'], {
    axis: -1,
    epsilon: attrFloat(1e-5),
  });
  for (const p of ['q', 'k', 'v']) {
    m.node('MatMul', ['ln1', `${p}.weight`], [`${p}_mm`], {}, { name: `${p}_proj` })
      .node('Add', [`${p}_mm`, `${p}.bias`], [`${p}_lin`])
      .node('Reshape', [`${p}_lin`, 'heads_shape'], [`${p}_heads`]);
  }
  m.node('Transpose', ['q_heads'], ['q_t'], { perm: [0, 2, 1, 3] })
    .node('Transpose', ['k_heads'], ['k_t'], { perm: [0, 2, 3, 1] })
    .node('Transpose', ['v_heads'], ['v_t'], { perm: [0, 2, 1, 3] })
    .node('MatMul', ['q_t', 'k_t'], ['scores'], {}, { name: 'scores_mm' })
    .node('Mul', ['scores', 'score_scale'], ['scores_scaled'])
    .node('Softmax', ['scores_scaled'], ['probs'], { axis: -1 })
    .node('MatMul', ['probs', 'v_t'], ['context'], {}, { name: 'context_mm' })
    .node('Transpose', ['context'], ['context_t'], { perm: [0, 2, 1, 3] })
    .node('Reshape', ['context_t', 'merge_shape'], ['context_merged'])
    .node('MatMul', ['context_merged', 'o.weight'], ['o_mm'], {}, { name: 'o_proj' })
    .node('Add', ['o_mm', 'o.bias'], ['attn_out'])
    .node('Add', ['x', 'attn_out'], ['h'])
    .node('LayerNormalization', ['h', 'ln2.scale', 'ln2.bias'], ['ln2'], {
      axis: -1,
      epsilon: attrFloat(1e-5),
    })
    .node('MatMul', ['ln2', 'ffn1.weight'], ['ffn1_mm'], {}, { name: 'ffn1' })
    .node('Add', ['ffn1_mm', 'ffn1.bias'], ['ffn1_out'])
    .node('Div', ['ffn1_out', 'gelu_sqrt2'], ['gelu_div'])
    .node('Erf', ['gelu_div'], ['gelu_erf'])
    .node('Add', ['gelu_erf', 'gelu_one'], ['gelu_add'])
    .node('Mul', ['ffn1_out', 'gelu_add'], ['gelu_mul'])
    .node('Mul', ['gelu_mul', 'gelu_half'], ['gelu'])
    .node('MatMul', ['gelu', 'ffn2.weight'], ['ffn2_mm'], {}, { name: 'ffn2' })
    .node('Add', ['ffn2_mm', 'ffn2.bias'], ['ffn_out'])
    .node('Add', ['h', 'ffn_out'], ['y']);
  return m.build();
}
