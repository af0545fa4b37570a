// @vitest-environment jsdom
import { fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { AppError } from '../../../../shared/errors';
import type { AutoReport, VariantReport } from '../../../../shared/schemas/optimize';
import { renderUi } from '../../testing/render';
import { sampleAutoReport } from '../../testing/sample-auto-report';
import { sampleModel } from '../../testing/sample-model';
import { defaultForm, type OptimizeForm } from './optimize-form';
import type { RunState } from './optimize-session';
import { RunFailure } from './run-failure';
import { doneHeadline, failureTitle } from './run-outcome';
import { RunResult } from './run-result';

function doneRun(auto: AutoReport): Extract<RunState, { status: 'done' }> {
  const report: VariantReport = {
    pass: {
      method: 'fp16',
      converted: { Conv: 2 },
      skipped: [],
      calibration: null,
      warnings: [],
      durationMs: 1,
    },
    fidelity: {
      samples: 8,
      source: 'random',
      outputs: [{ name: 'logits', sqnrDb: 60, cosine: 1, maxAbsError: 0, meanAbsError: 0, top1Agreement: 1 }],
      accuracy: null,
      tensors: [{ name: 't', producer: 'Conv', node: 'conv1', sqnrDb: 40 }],
      sizeBytes: { parent: 100, variant: 50, ratio: 0.5 },
      latencyMs: { parent: 1, variant: 1, ratio: 1, runs: 3 },
      warnings: [],
    },
    auto,
  };
  const base = defaultForm('m_1');
  const form: OptimizeForm & { modelId: string } = {
    ...base,
    modelId: 'm_1',
    configs: { ...base.configs, auto: { ...base.configs.auto, forceInt8: ['earlier'] } },
  };
  return {
    status: 'done',
    result: {
      model: sampleModel({ id: 'm_3', name: 'small-cnn-fp16', parentId: 'm_1', report }),
      existed: false,
    },
    request: { form, modelName: 'small-cnn' },
  };
}

describe('RunResult of an auto search', () => {
  it('says when nothing is recommended, shows the search, and re-runs it with the run’s own overrides kept', () => {
    const onRerun = vi.fn();
    const onExclude = vi.fn();
    renderUi(
      <RunResult
        run={doneRun(sampleAutoReport({ recommendedId: null }))}
        onExclude={onExclude}
        onRerunWithOverrides={onRerun}
        onDismiss={() => {}}
        busy={false}
      />,
    );
    expect(screen.getByTestId('optimize-done-text').textContent).toContain('deploy “small-cnn” itself');
    expect(screen.getByTestId('result-forced-int8').textContent).toContain('earlier');
    expect(screen.getByTestId('auto-verdict').dataset.tone).toBe('deploy-parent');
    // The stored variant's report follows, without the single-pass "exclude" picking.
    expect(screen.getByTestId('layer-table')).toBeTruthy();
    expect(screen.queryAllByTestId('layer-pick')).toHaveLength(0);

    const conv2 = screen.getAllByTestId('auto-node').find((r) => r.dataset.node === 'conv2')!;
    fireEvent.click(within(conv2).getByRole('checkbox'));
    fireEvent.click(screen.getByTestId('auto-rerun'));
    expect(onRerun).toHaveBeenCalledWith({ forceFloat: ['conv2'], forceInt8: ['earlier'] });
    expect(onExclude).not.toHaveBeenCalled();
  });
});

describe('RunResult next steps', () => {
  it('links to the Benchmark and Deploy pages with the stored variant picked', () => {
    renderUi(
      <RunResult
        run={doneRun(sampleAutoReport({}))}
        onExclude={() => {}}
        onRerunWithOverrides={() => {}}
        onDismiss={() => {}}
        busy={false}
      />,
    );
    expect(screen.getByRole('link', { name: 'Benchmark this' }).getAttribute('href')).toBe(
      '/benchmark?model=m_3',
    );
    expect(screen.getByRole('link', { name: 'Deploy this' }).getAttribute('href')).toBe('/deploy?model=m_3');
  });
});

describe('RunFailure of a training', () => {
  it('shows the core’s code and message for a mismatched student', () => {
    const message =
      "Student output 'logits' has shape [1, 7], the teacher's 'logits' [1, 10]: a student must produce the same outputs.";
    const base = defaultForm('m_1');
    renderUi(
      <RunFailure
        run={{
          status: 'failed',
          error: new AppError('STUDENT_MISMATCH', message),
          request: { form: { ...base, method: 'distill', modelId: 'm_1' }, modelName: 'small-cnn' },
        }}
        onDismiss={() => {}}
        fixes={[]}
      />,
    );
    expect(screen.getByTestId('error-code').textContent).toBe('STUDENT_MISMATCH');
    expect(document.body.textContent).toContain('The student does not match the teacher');
    expect(document.body.textContent).toContain(message);
  });
});

describe('RunFailure', () => {
  const failedRun = (error: AppError): Extract<RunState, { status: 'failed' }> => ({
    status: 'failed',
    error,
    request: { form: { ...defaultForm('m_1'), modelId: 'm_1' }, modelName: 'small-cnn' },
  });

  it('offers the fixes of the failure code as buttons', () => {
    const fix = vi.fn();
    renderUi(
      <RunFailure
        run={failedRun(new AppError('OPSET_TOO_OLD', 'Opset 11 has no per-channel DequantizeLinear.'))}
        onDismiss={() => {}}
        fixes={[{ label: 'Turn per-channel off and re-run', run: fix }]}
      />,
    );
    expect(screen.getByTestId('optimize-error').textContent).toContain(
      'The model’s opset is too old for this',
    );
    fireEvent.click(screen.getByTestId('optimize-fix'));
    expect(fix).toHaveBeenCalledOnce();
  });

  it('says a cancelled run stored nothing, without an error or fixes', () => {
    const onDismiss = vi.fn();
    renderUi(
      <RunFailure
        run={failedRun(new AppError('CANCELLED', 'Cancelled by the user.'))}
        onDismiss={onDismiss}
        fixes={[{ label: 'never shown', run: () => {} }]}
      />,
    );
    expect(screen.getByTestId('optimize-cancelled').textContent).toContain('no variant was stored');
    expect(screen.queryByTestId('optimize-error')).toBeNull();
    expect(screen.queryByTestId('optimize-fix')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(onDismiss).toHaveBeenCalledOnce();
  });
});

describe('run outcome words', () => {
  it('titles failures by code, with a general title for the others', () => {
    expect(failureTitle(new AppError('DATA_EMPTY', 'x'))).toBe('No samples in the data');
    expect(failureTitle(new AppError('INTERNAL', 'x'))).toBe('Optimization failed');
  });

  it('says whether the variant is new, the same bytes as one stored, or what the search concluded', () => {
    expect(doneHeadline(true, 'small-cnn', undefined)).toBe(
      'Same bytes as the variant already in the library:',
    );
    expect(doneHeadline(false, 'small-cnn', undefined)).toBe('Stored the variant of “small-cnn”:');
    expect(doneHeadline(false, 'small-cnn', sampleAutoReport({}))).toMatch(/^Stored the recommended variant/);
  });
});
