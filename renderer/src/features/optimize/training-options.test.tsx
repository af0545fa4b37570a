// @vitest-environment jsdom
import { fireEvent, screen } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { distillConfigSchema, type DistillConfig } from '../../../../shared/schemas/optimize';
import { renderUi } from '../../testing/render';
import { sampleModel } from '../../testing/sample-model';
import { TrainingLive } from './training-live';
import { DistillOptions } from './training-options';

const teacher = sampleModel({ id: 'm_1', name: 'teacher' });
const student = sampleModel({ id: 'm_2', name: 'tiny-student' });

function Harness() {
  const [config, setConfig] = useState<DistillConfig>(() =>
    distillConfigSchema.parse({ student: 'width:0.5' }),
  );
  return (
    <>
      <DistillOptions
        config={config}
        set={(p) => setConfig((c) => ({ ...c, ...p }))}
        models={[teacher, student]}
        teacherId="m_1"
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
