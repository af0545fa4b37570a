import type { ModelProto } from 'onnx-buf';
import { TensorProto_DataType as DT } from 'onnx-buf';
import { createModelBuilder } from '../../main/core/onnx/builder';
import { createRng, randomFloats } from './prng';

/**
 * All compute inside an `If` (as exported RNNs and voice-activity detectors have it), opset 13:
 * x [1,64] → cond = ReduceSum(x) > 0 → then: MatMul(64×128, own weight) → Relu → MatMul(128×32, own weight)
 * + bias; else: MatMul(64×32) with a weight of the main graph (outer scope) → y [1,32].
 */
export function buildIfModel(seed = 5): ModelProto {
  const rng = createRng(seed);
  const thenBranch = createModelBuilder({ opset: 13 })
    .output('then_out', DT.FLOAT, [1, 32])
    .initializer('t.w1', DT.FLOAT, [64, 128], randomFloats(rng, 64 * 128, 0.15))
    .initializer('t.w2', DT.FLOAT, [128, 32], randomFloats(rng, 128 * 32, 0.15))
    .initializer('t.b2', DT.FLOAT, [32], randomFloats(rng, 32, 0.1))
    .node('MatMul', ['x', 't.w1'], ['t.h'], {}, { name: 'then_mm1' })
    .node('Relu', ['t.h'], ['t.r'], {}, { name: 'then_relu' })
    .node('MatMul', ['t.r', 't.w2'], ['t.m'], {}, { name: 'then_mm2' })
    .node('Add', ['t.m', 't.b2'], ['then_out'], {}, { name: 'then_add' })
    .buildGraph();
  const elseBranch = createModelBuilder({ opset: 13 })
    .output('else_out', DT.FLOAT, [1, 32])
    .node('MatMul', ['x', 'e.w'], ['else_out'], {}, { name: 'else_mm' })
    .buildGraph();
  return createModelBuilder({ opset: 13, irVersion: 8, producer: { name: 'edgefleet-test', version: '1' } })
    .input('x', DT.FLOAT, [1, 64])
    .output('y', DT.FLOAT, [1, 32])
    .initializer('e.w', DT.FLOAT, [64, 32], randomFloats(rng, 64 * 32, 0.15))
    .node('ReduceSum', ['x'], ['s'], { keepdims: 0 }, { name: 'sum' })
    .initializer('zero', DT.FLOAT, [], Float32Array.of(0))
    .node('Greater', ['s', 'zero'], ['cond'], {}, { name: 'positive' })
    .node('If', ['cond'], ['y'], { then_branch: thenBranch, else_branch: elseBranch }, { name: 'branch' })
    .build();
}
