import { describe, expect, it } from 'vitest';
import type { Model } from '../../../../shared/schemas/models';
import { sampleModel } from '../../testing/sample-model';
import {
  blocker,
  buildRunParams,
  defaultForm,
  defaultSelection,
  familyOf,
  freeDims,
  linkSelection,
  selectedModels,
  type BenchForm,
} from './bench-form';
import { variant } from '../../testing/bench-results';

const fidelity = { sqnrDb: 50, cosine: 0.9999, top1Agreement: 1 };
const older = sampleModel({ id: 'old', name: 'old', importedAt: '2024-01-01T00:00:00.000Z' });
const cnn = sampleModel({ id: 'cnn', name: 'cnn', importedAt: '2025-01-01T00:00:00.000Z' });
const fp16 = variant('cnn-fp16', 'cnn', fidelity);
const grandchild = variant('cnn-fp16-x', 'cnn-fp16', fidelity);
const models = [older, grandchild, cnn, fp16];

function withInputs(inputs: Model['summary']['inputs']): Model {
  return sampleModel({ id: 'sym', name: 'sym', summary: { ...cnn.summary, inputs } });
}

const form = (patch: Partial<BenchForm> = {}): BenchForm => ({ ...defaultForm(), ...patch });

describe('variant selection', () => {
  it('preselects the newest model with every variant under it', () => {
    expect(defaultSelection(models)).toEqual(['cnn', 'cnn-fp16', 'cnn-fp16-x']);
    expect(familyOf(models, 'cnn-fp16')).toEqual(['cnn-fp16', 'cnn-fp16-x']);
    expect(familyOf(models, 'old')).toEqual(['old']);
    expect(defaultSelection([])).toEqual([]);
  });

  it('a link to a variant picks it with its parent and its own variants; to a model, its family', () => {
    expect(linkSelection(models, 'cnn-fp16')).toEqual(['cnn', 'cnn-fp16', 'cnn-fp16-x']);
    expect(linkSelection(models, 'cnn-fp16-x')).toEqual(['cnn-fp16', 'cnn-fp16-x']);
    expect(linkSelection(models, 'cnn')).toEqual(['cnn', 'cnn-fp16', 'cnn-fp16-x']);
    expect(linkSelection(models, 'gone')).toEqual([]);
  });

  it('keeps the library order and drops ids that no longer exist', () => {
    expect(selectedModels(models, ['cnn-fp16', 'gone', 'cnn']).map((m) => m.id)).toEqual(['cnn', 'cnn-fp16']);
  });
});

describe('free dimensions', () => {
  it('lets a batch symbol default to 1 and requires the others', () => {
    const model = withInputs([
      { name: 'x', elemType: 'float32', shape: ['batch', 3, 'height', 'width'] },
      { name: 'mask', elemType: 'bool', shape: ['batch', 'height'] },
    ]);
    expect(freeDims([model])).toEqual({
      named: [
        { name: 'batch', required: false, inputs: ['x', 'mask'] },
        { name: 'height', required: true, inputs: ['x', 'mask'] },
        { name: 'width', required: true, inputs: ['x'] },
      ],
      unnamed: [],
    });
    expect(blocker(form(), [model])).toBe('Set height, width: the inputs have free dimensions.');
    const ready = form({ dims: { height: 48, width: 192, stale: 3 } });
    expect(blocker(ready, [model])).toBeNull();
    // Only the dims the picked models have are sent.
    expect(buildRunParams(ready, [model]).dims).toEqual({ height: 48, width: 192 });
  });

  it('names the model with an unnamed free dimension, to be left out of the run', () => {
    const model = withInputs([{ name: 'x', elemType: 'float32', shape: [null, 3, null, 32] }]);
    expect(freeDims([model]).unnamed).toEqual([{ modelId: 'sym', model: 'sym', input: 'x' }]);
    expect(blocker(form(), [model])).toContain('leave sym out');
    expect(blocker(form(), [model])).not.toContain('--shape');
    // An unknown batch axis alone is fine: it defaults to 1.
    expect(blocker(form(), [withInputs([{ name: 'x', elemType: 'float32', shape: [null, 3] }])])).toBeNull();
  });
});

describe('blocker and request', () => {
  it('needs a model, a target and sane numbers', () => {
    expect(blocker(form(), [])).toBe('Pick at least one model or variant.');
    expect(blocker(form({ local: false }), [cnn])).toContain('Pick a target');
    expect(blocker(form({ local: false, profileIds: ['rpi5'] }), [cnn])).toBeNull();
    expect(blocker(form({ threads: 0 }), [cnn])).toContain('Threads');
    expect(blocker(form({ stopKind: 'iterations', iterations: null }), [cnn])).toContain('Iterations');
    expect(blocker(form({ stopKind: 'duration', durationS: 0 }), [cnn])).toContain('Duration');
  });

  it('builds the bench.run request with one stop rule', () => {
    expect(
      buildRunParams(
        form({
          profileIds: ['rpi5', 'rpi4'],
          deviceNames: ['pi-1'],
          threads: 2,
          stopKind: 'iterations',
          iterations: 7,
        }),
        [cnn, fp16],
      ),
    ).toEqual({
      models: ['cnn', 'cnn-fp16'],
      local: true,
      profiles: ['rpi5', 'rpi4'],
      devices: ['pi-1'],
      threads: 2,
      iterations: 7,
    });
    expect(buildRunParams(form({ local: false, profileIds: ['rpi5'] }), [cnn])).toEqual({
      models: ['cnn'],
      local: false,
      profiles: ['rpi5'],
      durationS: 2,
    });
  });
});
