// @vitest-environment jsdom
import { fireEvent, screen } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import {
  distillConfigSchema,
  qatConfigSchema,
  type DistillConfig,
  type QatConfig,
} from '../../../../shared/schemas/optimize';
import type { Model } from '../../../../shared/schemas/models';
import { renderUi } from '../../testing/render';
import { sampleModel } from '../../testing/sample-model';
import { TrainingLive } from './training-live';
import { DistillOptions, QatOptions } from './training-options';

const teacher = sampleModel({ id: 'm_1', name: 'teacher' });
const student = sampleModel({ id: 'm_2', name: 'tiny-student' });

function Harness({
  initial = 'width:0.5',
  models = [teacher, student],
  error,
}: {
  initial?: string;
  models?: Model[];
  error?: string;
}) {
  const [config, setConfig] = useState<DistillConfig>(() => distillConfigSchema.parse({ student: initial }));
  return (
    <>
      <DistillOptions
        config={config}
        set={(p) => setConfig((c) => ({ ...c, ...p }))}
        models={models}
        teacherId="m_1"
        error={error}
      />
      <output data-testid="student">{config.student}</output>
      <output data-testid="epochs">{config.epochs}</output>
    </>
  );
}

describe('DistillOptions', () => {
  it('makes a narrower copy by default and edits its width and the epochs', () => {
    renderUi(<Harness />);
    const width = screen.getByTestId('option-student-width') as HTMLInputElement;
    expect(width.value).toBe('50 %');
    fireEvent.change(width, { target: { value: '25' } });
    expect(screen.getByTestId('student').textContent).toBe('width:0.25');
    fireEvent.change(screen.getByTestId('option-epochs'), { target: { value: '2' } });
    expect(screen.getByTestId('epochs').textContent).toBe('2');
  });

  it('picks an imported student from the library, never the teacher itself', async () => {
    renderUi(<Harness />);
    fireEvent.click(screen.getByText('Imported model'));
    expect(screen.getByTestId('student').textContent).toBe('model:');
    fireEvent.click(screen.getByTestId('option-student-model'));
    expect(screen.queryByRole('option', { name: 'teacher' })).toBeNull();
    fireEvent.click(await screen.findByRole('option', { name: 'tiny-student' }));
    expect(screen.getByTestId('student').textContent).toBe('model:m_2');
    fireEvent.click(screen.getByText('Same model'));
    expect(screen.getByTestId('student').textContent).toBe('self');
  });
});

describe('DistillOptions errors', () => {
  it("shows the form's problem under the student, and an empty library says to import one", () => {
    renderUi(<Harness initial="model:" models={[teacher]} error="Pick the student model." />);
    expect(screen.getByText('Pick the student model.')).toBeTruthy();
    const picker = screen.getByTestId('option-student-model') as HTMLInputElement;
    expect(picker.getAttribute('aria-invalid')).toBe('true');
    expect(picker.disabled).toBe(true);
    expect(picker.placeholder).toBe('Import the student on the Models page first');
  });

  it('keeps a width that is not a number out of the field, for the form to flag', () => {
    renderUi(<Harness initial="width:abc" error="The width must be between 1 and 100 %." />);
    expect((screen.getByTestId('option-student-width') as HTMLInputElement).value).toBe('');
    expect(screen.getByText('The width must be between 1 and 100 %.')).toBeTruthy();
  });
});

function QatHarness() {
  const [config, setConfig] = useState<QatConfig>(() => qatConfigSchema.parse({}));
  return (
    <>
      <QatOptions config={config} set={(p) => setConfig((c) => ({ ...c, ...p }))} />
      <output data-testid="qat">{JSON.stringify(config)}</output>
    </>
  );
}

describe('QatOptions', () => {
  it('edits the static INT8 recipe and the fine-tune together', () => {
    renderUi(<QatHarness />);
    const checkbox = screen.getByTestId('option-per-channel') as HTMLInputElement;
    expect(checkbox.checked).toBe(true);
    fireEvent.click(checkbox);
    fireEvent.click(screen.getByText('Entropy (KL)'));
    const checks = screen.getByTestId('option-checks-per-epoch') as HTMLInputElement;
    expect(checks.value).toBe('8');
    fireEvent.change(screen.getByTestId('option-learning-rate'), { target: { value: '0.001' } });
    fireEvent.change(checks, { target: { value: '16' } });
    expect(JSON.parse(screen.getByTestId('qat').textContent ?? '{}')).toMatchObject({
      perChannel: false,
      calibrator: 'entropy',
      learningRate: 0.001,
      checksPerEpoch: 16,
    });
  });
});

describe('TrainingLive', () => {
  it('shows epoch x of N, the ETA and the curves so far', () => {
    renderUi(
      <TrainingLive
        training={{
          key: 'training',
          epoch: 3,
          epochs: 5,
          step: 2,
          steps: 4,
          loss: 0.25,
          lossCurve: [0.8, 0.4],
          fidelityCurve: [0.97, 0.99],
          etaSeconds: 75,
          samplesPerSecond: 210,
        }}
      />,
    );
    expect(screen.getByTestId('training-epoch').textContent).toBe('Epoch 3 of 5');
    expect(screen.getByTestId('training-eta').textContent).toBe('ETA 1 min 15 s');
    expect(screen.getByTestId('training-live-curves').getAttribute('data-epochs')).toBe('2');
    expect(screen.getByTestId('training-live-curves-fidelity').textContent).toContain('0.9900 (epoch 2)');
  });
});
