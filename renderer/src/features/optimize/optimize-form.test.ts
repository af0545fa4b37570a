import { describe, expect, it } from 'vitest';
import { sampleModel } from '../../testing/sample-model';
import {
  blocker,
  buildRunParams,
  checkPreprocess,
  defaultForm,
  defaultPreprocess,
  detectFormat,
  emptyData,
  fewSamplesWarning,
  parseNumber,
  withExclusions,
  withOverrides,
  type DataChoice,
  type OptimizeForm,
} from './optimize-form';

const folder: DataChoice = {
  kind: 'data',
  source: { origin: 'upload', mode: 'folder', name: 'calib', files: [], sizeBytes: 10 },
  format: 'npy',
  preprocess: defaultPreprocess(),
};
/** A single-pass form (static INT8 unless patched): the auto search has its own tests below. */
const form = (patch: Partial<OptimizeForm> = {}): OptimizeForm & { modelId: string } => ({
  ...defaultForm('m_1'),
  method: 'int8-static',
  ...patch,
  modelId: 'm_1',
});
const random: DataChoice = { kind: 'random', count: 16, seed: 1 };

describe('buildRunParams', () => {
  it('sends calibration only for static INT8, with the method options filled in', () => {
    const refs = { calibration: `f_${'1'.repeat(32)}`, evaluation: null };
    const staticRun = buildRunParams(form({ calibration: folder }), refs);
    expect(staticRun).toEqual({
      model: 'm_1',
      options: {
        method: 'int8-static',
        config: {
          calibrator: 'minmax',
          percentile: 99.999,
          symmetricActivations: false,
          exclude: [],
        },
      },
      calibration: { kind: 'npy', fileRef: refs.calibration },
    });
    const fp16 = buildRunParams(form({ method: 'fp16', calibration: folder, name: '  small ' }), refs);
    expect(fp16).toEqual({
      model: 'm_1',
      name: 'small',
      options: { method: 'fp16', config: { keepIoTypes: true, exclude: [] } },
    });
  });

  it('turns images and random choices into the contract’s data inputs', () => {
    const images: DataChoice = {
      ...folder,
      format: 'images',
      preprocess: { ...defaultPreprocess(), resizeH: '32', resizeW: '48', mean: '0.5', std: '0.25, 0.5, 1' },
    };
    const params = buildRunParams(
      form({ calibration: images, evaluation: { kind: 'random', count: 8, seed: 3 } }),
      {
        calibration: `f_${'2'.repeat(32)}`,
        evaluation: null,
      },
    );
    expect(params.calibration).toEqual({
      kind: 'images',
      fileRef: `f_${'2'.repeat(32)}`,
      preprocess: {
        resize: [32, 48],
        layout: 'NCHW',
        channelOrder: 'RGB',
        scale: 1 / 255,
        mean: [0.5, 0.5, 0.5],
        std: [0.25, 0.5, 1],
      },
    });
    expect(params.evaluation).toEqual({ kind: 'random', count: 8, seed: 3 });
  });
});

describe('form checks', () => {
  const model = sampleModel();

  it('says what is missing before a run can start', () => {
    expect(blocker({ ...defaultForm(), modelId: null }, undefined)).toMatch(/Pick a model/);
    expect(blocker(form({ calibration: emptyData() }), model)).toMatch(/calibration data/);
    expect(blocker(form({ calibration: { kind: 'none' } }), model)).toMatch(/needs calibration/);
    expect(blocker(form({ calibration: { kind: 'random', count: 4, seed: 1 } }), model)).toBeNull();
    expect(blocker(form({ method: 'fp16', calibration: emptyData() }), model)).toBeNull();
    expect(blocker(form({ method: 'fp16', name: 'a/b' }), model)).toMatch(/name/);
  });

  it('channel pruning: data optional, but required (as training data) once it fine-tunes', () => {
    const prune = form({ method: 'prune-channels', calibration: { kind: 'none' } });
    expect(blocker(prune, model)).toBeNull();
    const tuning = {
      ...prune,
      configs: {
        ...prune.configs,
        'prune-channels': { ...prune.configs['prune-channels'], fineTune: true, fineTuneEpochs: 6 },
      },
    };
    expect(blocker(tuning, model)).toMatch(/Fine-tuning needs training data/);
    expect(blocker({ ...tuning, calibration: emptyData() }, model)).toMatch(/Choose the training data/);
    expect(blocker({ ...tuning, calibration: random }, model)).toBeNull();
    const refs = { calibration: null, evaluation: null };
    expect(buildRunParams({ ...tuning, calibration: random }, refs).options).toMatchObject({
      method: 'prune-channels',
      config: { fineTune: true, fineTuneEpochs: 6 },
    });
  });

  it('lets per-channel static INT8 run below opset 13: the core raises the opset when that is safe', () => {
    const old = sampleModel({ summary: { ...model.summary, opsets: [{ domain: '', version: 11 }] } });
    const f = form({ calibration: { kind: 'random', count: 4, seed: 1 } });
    expect(blocker(withConfig(f, { perChannel: true }), old)).toBeNull();
    expect(blocker(f, old)).toBeNull();
  });

  it('checks preprocessing fields one by one', () => {
    const bad = checkPreprocess({
      ...defaultPreprocess(),
      resizeH: '32',
      scale: 'x',
      mean: '1, 2',
      std: '0',
    });
    expect(bad.errors).toEqual({
      resizeW: expect.any(String),
      scale: expect.any(String),
      mean: expect.any(String),
      std: expect.any(String),
    });
    expect(parseNumber('1/255')).toBeCloseTo(0.00392157, 6);
    expect(parseNumber('2.5')).toBe(2.5);
    expect(parseNumber('')).toBeNull();
  });

  it('guesses images only when there are images and no .npy', () => {
    expect(detectFormat(['a.png', 'b.JPG'])).toBe('images');
    expect(detectFormat(['a.npy', 'b.png'])).toBe('npy');
    expect(detectFormat(['labels.csv'])).toBe('npy');
  });
});

describe('withExclusions', () => {
  it('adds to the current method’s list once, leaving the other methods alone', () => {
    const f = withExclusions(withExclusions(form(), ['Conv', 'Relu']), ['Relu', 'Gemm']);
    expect(f.configs['int8-static'].exclude).toEqual(['Conv', 'Relu', 'Gemm']);
    expect(f.configs['int8-dynamic'].exclude).toEqual([]);
    expect(f.configs.fp16.exclude).toEqual([]);
  });
});

describe('the auto search in the form', () => {
  const model = sampleModel();
  const auto = (patch: Partial<OptimizeForm> = {}) => form({ method: 'auto', ...patch });
  const withAuto = (
    f: OptimizeForm & { modelId: string },
    patch: Partial<OptimizeForm['configs']['auto']>,
  ) => ({
    ...f,
    configs: { ...f.configs, auto: { ...f.configs.auto, ...patch } },
  });

  it('is the default method', () => {
    expect(defaultForm().method).toBe('auto');
  });

  it('sends its options with calibration (random or data) and optional evaluation', () => {
    const params = buildRunParams(
      withAuto(auto({ calibration: random }), { goal: ' sqnr>=30 ', budgetMinutes: 1 }),
      {
        calibration: null,
        evaluation: null,
      },
    );
    expect(params).toEqual({
      model: 'm_1',
      options: {
        method: 'auto',
        config: {
          goal: 'sqnr>=30',
          target: 'this-machine',
          budgetMinutes: 1,
          calibrator: 'minmax',
          forceFloat: [],
          forceInt8: [],
        },
      },
      calibration: { kind: 'random', count: 16, seed: 1 },
    });
    const ref = `f_${'3'.repeat(32)}`;
    expect(
      buildRunParams(auto({ calibration: folder }), { calibration: ref, evaluation: null }).calibration,
    ).toEqual({
      kind: 'npy',
      fileRef: ref,
    });
  });

  it('needs calibration, a goal that parses, a budget, and no node forced both ways', () => {
    expect(blocker(auto({ calibration: { kind: 'none' } }), model)).toMatch(/auto search needs calibration/);
    expect(blocker(auto({ calibration: emptyData() }), model)).toMatch(/calibration data/);
    expect(blocker(auto({ calibration: random }), model)).toBeNull();
    expect(blocker(withAuto(auto({ calibration: random }), { goal: 'cosine>=2' }), model)).toMatch(/goal/);
    expect(blocker(withAuto(auto({ calibration: random }), { budgetMinutes: Number.NaN }), model)).toMatch(
      /budget/,
    );
    expect(
      blocker(withAuto(auto({ calibration: random }), { forceFloat: ['a'], forceInt8: ['a'] }), model),
    ).toMatch(/both/);
  });

  it('re-runs with new overrides on the same data and goal, under the default name', () => {
    const done = withAuto(auto({ calibration: random, name: 'first' }), {
      goal: 'top1>=0.99',
      forceFloat: ['x'],
    });
    const next = withOverrides(done, { forceFloat: ['conv2'], forceInt8: ['conv1'] });
    const params = buildRunParams({ ...next, modelId: 'm_1' }, { calibration: null, evaluation: null });
    expect(params.name).toBeUndefined();
    expect(params.calibration).toEqual({ kind: 'random', count: 16, seed: 1 });
    expect(params.options).toMatchObject({
      method: 'auto',
      config: { goal: 'top1>=0.99', forceFloat: ['conv2'], forceInt8: ['conv1'] },
    });
    // Exclusions belong to single passes: they leave an auto form alone.
    expect(withExclusions(next, ['Conv'])).toBe(next);
  });
});

function withConfig<F extends OptimizeForm>(f: F, patch: Partial<OptimizeForm['configs']['int8-static']>): F {
  return { ...f, configs: { ...f.configs, 'int8-static': { ...f.configs['int8-static'], ...patch } } };
}

describe('training methods (distill, qat)', () => {
  const files = (n: number) =>
    Array.from({ length: n }, (_, i) => new File([new Uint8Array(4)], `s${i}.npy`)).concat([
      new File(['0\n'], 'labels.txt'),
    ]);
  const training = (n: number): DataChoice => ({
    kind: 'data',
    source: { origin: 'upload', mode: 'folder', name: 'train', files: files(n), sizeBytes: 4 * n },
    format: 'npy',
    preprocess: defaultPreprocess(),
  });
  const distill = (patch: Partial<OptimizeForm['configs']['distill']> = {}, data = training(200)) => {
    const f = form({ method: 'distill', calibration: data });
    return { ...f, configs: { ...f.configs, distill: { ...f.configs.distill, ...patch } } };
  };

  it('sends the training data and the distill options as the contract takes them', () => {
    const ref = `f_${'2'.repeat(32)}`;
    const params = buildRunParams(distill({ epochs: 2 }), { calibration: ref, evaluation: null });
    expect(params.calibration).toEqual({ kind: 'npy', fileRef: ref });
    expect(params.options).toEqual({
      method: 'distill',
      config: {
        student: 'width:0.5',
        epochs: 2,
        temperature: 4,
        alpha: 0.5,
        learningRate: 0.001,
        batchSize: 32,
        seed: 1,
        checksPerEpoch: 1,
      },
    });
    const qat = buildRunParams(form({ method: 'qat', calibration: random }), {
      calibration: null,
      evaluation: null,
    });
    expect(qat.options.method).toBe('qat');
    expect(qat.calibration).toEqual({ kind: 'random', count: 16, seed: 1 });
  });

  it('needs training data, a student it can make, and options the schema accepts', () => {
    const model = sampleModel();
    expect(blocker(distill(), model)).toBeNull();
    expect(blocker(distill({}, emptyData()), model)).toMatch(/Choose the training data/);
    expect(blocker(distill({ student: 'width:1.5' }), model)).toMatch(/width must be more than 0 %/);
    expect(blocker(distill({ student: 'model:' }), model)).toBe('Pick the student model.');
    expect(blocker(distill({ epochs: 0 }), model)).toMatch(/Fix the training options \(epochs: /);
    expect(blocker(distill({ alpha: 2 }), model)).toMatch(/alpha/);
  });

  it('warns with the count when there are fewer than 100 training samples', () => {
    expect(fewSamplesWarning(distill({}, training(12)))).toMatch(/^Only 12 training samples:/);
    expect(fewSamplesWarning(distill({}, training(150)))).toBeNull();
    expect(
      fewSamplesWarning(form({ method: 'qat', calibration: { kind: 'random', count: 8, seed: 1 } })),
    ).toMatch(/^Only 8 training samples/);
    // Other methods calibrate on few samples on purpose.
    expect(fewSamplesWarning(form({ calibration: training(12) }))).toBeNull();
  });
});
