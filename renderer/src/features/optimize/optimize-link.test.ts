import { describe, expect, it } from 'vitest';
import { sampleModel } from '../../testing/sample-model';
import { defaultForm } from './optimize-form';
import {
  formFromLink,
  presetFromRecipe,
  randomCalibrationFromRecipe,
  readPreset,
  readRandomCalibration,
} from './optimize-link';

describe('presets', () => {
  it('reads an auto variant’s recipe as the search’s options, without which candidate it was', () => {
    const model = sampleModel({
      parentId: 'm_0',
      recipe: {
        method: 'auto',
        config: {
          goal: 'sqnr>=30',
          target: 'this-machine',
          budgetMinutes: 2,
          calibrator: 'entropy',
          forceFloat: ['conv1'],
          forceInt8: [],
          candidate: 'c2',
          kind: 'int8-mixed',
          floatNodes: ['conv1'],
        },
        parentSha256: 'b'.repeat(64),
        calibration: { spec: { kind: 'random', count: 16, seed: 4 }, sha256: 'c'.repeat(64), samples: 16 },
        evaluation: null,
        onnxRuntimeVersion: '1.30.0',
        edgefleetVersion: '0.1.0',
      },
    });
    expect(presetFromRecipe(model)).toEqual({
      method: 'auto',
      config: {
        goal: 'sqnr>=30',
        target: 'this-machine',
        budgetMinutes: 2,
        calibrator: 'entropy',
        forceFloat: ['conv1'],
        forceInt8: [],
      },
    });
  });

  it('carries random calibration along (data files cannot be), and only that', () => {
    const model = sampleModel({
      parentId: 'm_0',
      recipe: {
        method: 'fp16',
        config: {},
        parentSha256: 'b'.repeat(64),
        calibration: { spec: { kind: 'random', count: 16, seed: 4 }, sha256: 'c'.repeat(64), samples: 16 },
        evaluation: null,
        onnxRuntimeVersion: '1.30.0',
        edgefleetVersion: '0.1.0',
      },
    });
    const calibration = randomCalibrationFromRecipe(model);
    expect(calibration).toEqual({ kind: 'random', count: 16, seed: 4 });
    expect(readRandomCalibration({ calibration })).toEqual(calibration);
    expect(readRandomCalibration({ calibration: { kind: 'npy', path: '/x' } })).toBeNull();
    expect(randomCalibrationFromRecipe(sampleModel())).toBeNull();
  });

  it('refuses what does not parse', () => {
    expect(readPreset({ preset: { method: 'auto', config: { budgetMinutes: -1 } } })).toBeNull();
    expect(readPreset({ preset: { method: 'nope', config: {} } })).toBeNull();
    expect(readPreset(null)).toBeNull();
  });

  it('re-opens a distillation recipe in the form; a student given as a file path must be picked again', () => {
    const config = {
      student: 'width:0.25',
      epochs: 2,
      temperature: 3,
      alpha: 1,
      learningRate: 0.01,
      batchSize: 8,
      seed: 1,
      checksPerEpoch: 2,
    };
    expect(readPreset({ preset: { method: 'distill', config } })).toEqual({ method: 'distill', config });
    expect(
      readPreset({ preset: { method: 'distill', config: { ...config, student: '/tmp/s.onnx' } } }),
    ).toEqual({
      method: 'distill',
      config: { ...config, student: 'model:' },
    });
    const qat = readPreset({ preset: { method: 'qat', config: { epochs: 1 } } });
    expect(qat?.method).toBe('qat');
  });
});

describe('formFromLink', () => {
  const form = defaultForm();

  it("picks the linked model and applies the recipe's method and options and its random calibration", () => {
    const next = formFromLink(form, 'm_7', {
      preset: { method: 'fp16', config: { keepIoTypes: false } },
      calibration: { kind: 'random', count: 8, seed: 3 },
    });
    expect(next.modelId).toBe('m_7');
    expect(next.method).toBe('fp16');
    expect(next.configs.fp16).toMatchObject({ keepIoTypes: false });
    expect(next.configs['int8-static']).toBe(form.configs['int8-static']);
    expect(next.calibration).toEqual({ kind: 'random', count: 8, seed: 3 });
  });

  it('keeps the rest of the form when the state carries nothing it can read', () => {
    expect(formFromLink(form, 'm_7', { preset: { method: 'fp16', config: { keepIoTypes: 'no' } } })).toEqual({
      ...form,
      modelId: 'm_7',
    });
    expect(formFromLink(form, 'm_7', null)).toEqual({ ...form, modelId: 'm_7' });
  });
});
