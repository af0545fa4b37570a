import * as ort from 'onnxruntime-node';
import { TensorProto_DataType as DT } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { attrFloat, cloneModelSharingTensorData, createModelBuilder, getAttr } from '../../onnx';
import { createRng, randomFloats } from '../../../../test/models';
import { opsetVersion } from './graph-edit';
import { upgradeDefaultOpset } from './graph-edit-opset';
import { runModel } from '../../../../test/models/pass-checks';

/** An opset-9 model using every op whose attributes became inputs by opset 11. */
function buildOpset9(opset = 9) {
  return createModelBuilder({ opset, irVersion: 4 })
    .input('x', DT.FLOAT, [2, 3, 8])
    .output('top', DT.FLOAT, [2, 3, 3])
    .output('clipped', DT.FLOAT, [2, 3, 8])
    .node('Slice', ['x'], ['sliced'], { starts: [1], ends: [7], axes: [2] })
    .node('Clip', ['sliced'], ['clip1'], { min: attrFloat(-0.5), max: attrFloat(0.5) })
    .node('Pad', ['clip1'], ['padded'], {
      pads: [0, 0, 1, 0, 0, 1],
      value: attrFloat(0.25),
      mode: 'constant',
    })
    .node('Dropout', ['padded'], ['dropped'], { ratio: attrFloat(0.1) })
    .node('TopK', ['dropped'], ['top', 'top_idx'], { k: 3, axis: -1 })
    .node('Clip', ['x'], ['clipped'], { max: attrFloat(0.1) })
    .build();
}

describe('upgradeDefaultOpset', () => {
  it('raises opset 9 to 11, moving Slice/Clip/Pad/TopK attributes to inputs, with identical results', async () => {
    const original = buildOpset9();
    const upgraded = cloneModelSharingTensorData(original);
    const result = upgradeDefaultOpset(upgraded, 11, 'Test');
    expect(result).toEqual({ from: 9, to: 11, rewritten: { Slice: 1, Clip: 2, Pad: 1, TopK: 1 } });
    expect(opsetVersion(upgraded)).toBe(11);
    expect(upgraded.irVersion).toBe(6n);
    const clip = upgraded.graph!.node.find((n) => n.output[0] === 'clipped')!;
    expect(clip.input).toEqual(['x', '', 'Clip_5_max']);
    expect(getAttr(clip, 'max')).toBeUndefined();

    const x = new ort.Tensor('float32', randomFloats(createRng(1), 48), [2, 3, 8]);
    const [a, b] = [await runModel(original, { x }), await runModel(upgraded, { x })];
    expect(b.outputs.top).toEqual(a.outputs.top);
    expect(b.outputs.clipped).toEqual(a.outputs.clipped);
    // A sanity check that the ops did something: the padding value 0.25 is among the top values.
    expect([...a.outputs.top!]).toContain(0.25);
  });

  it('leaves a model at the target opset alone', () => {
    const model = buildOpset9(11);
    expect(upgradeDefaultOpset(model, 11, 'Test')).toBeNull();
  });

  it('refuses ops whose meaning changed, naming them', () => {
    const upsample = createModelBuilder({ opset: 9 })
      .input('x', DT.FLOAT, [1, 1, 2, 2])
      .output('y', DT.FLOAT, [1, 1, 4, 4])
      .initializer('scales', DT.FLOAT, [4], Float32Array.of(1, 1, 2, 2))
      .node('Upsample', ['x', 'scales'], ['y'], {}, { name: 'up1' })
      .build();
    expect(() => upgradeDefaultOpset(upsample, 11, 'Dynamic INT8')).toThrow(
      expect.objectContaining({
        code: 'OPSET_TOO_OLD',
        message: expect.stringMatching(/Upsample node 'up1'.*Export the model again/) as unknown,
      }),
    );
    const mask = createModelBuilder({ opset: 9 })
      .input('x', DT.FLOAT, [4])
      .output('y', DT.FLOAT, [4])
      .output('m', DT.FLOAT, [4])
      .node('Dropout', ['x'], ['y', 'm'])
      .build();
    expect(() => upgradeDefaultOpset(mask, 11, 'Test')).toThrow(
      expect.objectContaining({ code: 'OPSET_TOO_OLD' }),
    );
    const legacy = createModelBuilder({ opset: 6 })
      .input('x', DT.FLOAT, [1])
      .output('x', DT.FLOAT, [1])
      .build();
    expect(() => upgradeDefaultOpset(legacy, 11, 'Test')).toThrow(/legacy broadcasting/);
  });
});
