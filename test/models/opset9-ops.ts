import { TensorProto_DataType as DT, type ModelProto } from 'onnx-buf';
import { attrFloat, createModelBuilder } from '../../main/core/onnx';

/**
 * An opset-9, IR-4 model with one node of each op whose signature changed by opset 13 (Clip, Slice, Squeeze,
 * Unsqueeze, Softmax, Pad, ReduceSum, Split, TopK, Dropout), for the opset upgrade.
 */
export function buildOpset9Ops(): ModelProto {
  return createModelBuilder({ opset: 9, irVersion: 4 })
    .input('x', DT.FLOAT, [2, 3, 4])
    .output('clip', DT.FLOAT, [2, 3, 4])
    .output('slice', DT.FLOAT, [1, 3, 2])
    .output('sq', DT.FLOAT, [3, 2])
    .output('soft', DT.FLOAT, [2, 3, 4])
    .output('pad', DT.FLOAT, [2, 4, 6])
    .output('rsum', DT.FLOAT, [2, 4])
    .output('s0', DT.FLOAT, [2, 3, 1])
    .output('s1', DT.FLOAT, [2, 3, 3])
    .output('topv', DT.FLOAT, [2, 3, 2])
    .output('drop', DT.FLOAT, [2, 3, 4])
    .node('Clip', ['x'], ['clip'], { min: attrFloat(-0.25), max: attrFloat(0.5) })
    .node('Slice', ['x'], ['slice'], { starts: [0, 1], ends: [1, 3], axes: [0, 2] })
    .node('Unsqueeze', ['slice'], ['u'], { axes: [0] })
    .node('Squeeze', ['u'], ['sq'], { axes: [0, 1] })
    .node('Softmax', ['x'], ['soft'], { axis: 2 })
    .node('Pad', ['x'], ['pad'], { pads: [0, 1, 0, 0, 0, 2], value: attrFloat(1.5) })
    .node('ReduceSum', ['x'], ['rsum'], { axes: [1], keepdims: 0 })
    .node('Split', ['x'], ['s0', 's1'], { axis: 2, split: [1, 3] })
    .node('TopK', ['x'], ['topv', 'topi'], { k: 2 })
    .node('Dropout', ['x'], ['drop'], { ratio: attrFloat(0.3) })
    .build();
}
