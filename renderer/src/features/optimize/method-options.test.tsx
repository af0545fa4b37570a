// @vitest-environment jsdom
import { fireEvent, screen } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { renderUi } from '../../testing/render';
import { sampleModel } from '../../testing/sample-model';
import { MethodOptions } from './method-options';
import { defaultForm, type FormMethod, type OptimizeForm } from './optimize-form';

function Harness({ method, opset = 17 }: { method: FormMethod; opset?: number }) {
  const [form, setForm] = useState<OptimizeForm>(() => ({ ...defaultForm('m_1'), method }));
  const base = sampleModel({ id: 'm_1' });
  const model = { ...base, summary: { ...base.summary, opsets: [{ domain: '', version: opset }] } };
  return (
    <>
      <MethodOptions form={form} model={model} onConfigs={(configs) => setForm((f) => ({ ...f, configs }))} />
      <output data-testid="configs">{JSON.stringify(form.configs[method])}</output>
    </>
  );
}

const config = () => JSON.parse(screen.getByTestId('configs').textContent ?? '{}') as Record<string, unknown>;

describe('MethodOptions', () => {
  it("shows only the chosen method's options", () => {
    renderUi(<Harness method="fp16" />);
    expect(screen.getByTestId('option-keep-io')).toBeTruthy();
    expect(screen.queryByTestId('option-calibrator')).toBeNull();
    expect(screen.queryByTestId('option-include-conv')).toBeNull();
  });

  it('dynamic INT8: per-channel and Conv are switches of its own config', () => {
    renderUi(<Harness method="int8-dynamic" />);
    const before = config();
    fireEvent.click(screen.getByTestId('option-include-conv'));
    fireEvent.click(screen.getByTestId('option-per-channel'));
    expect(config()).toEqual({
      ...before,
      includeConv: !before['includeConv'],
      perChannel: !before['perChannel'],
    });
    expect(screen.queryByTestId('option-percentile')).toBeNull();
  });

  it('static INT8: the percentile appears with the percentile calibrator only', () => {
    renderUi(<Harness method="int8-static" />);
    expect(screen.queryByTestId('option-percentile')).toBeNull();
    fireEvent.click(screen.getByText('Percentile'));
    expect(config()).toMatchObject({ calibrator: 'percentile' });
    fireEvent.change(screen.getByTestId('option-percentile'), { target: { value: '99.9' } });
    expect(config()).toMatchObject({ percentile: 99.9 });
    fireEvent.click(screen.getByTestId('option-symmetric'));
    expect(config()).toMatchObject({ symmetricActivations: true });
  });

  it('static INT8 on an old opset says per-channel raises it, and stays on unless turned off', () => {
    renderUi(<Harness method="int8-static" opset={11} />);
    expect(screen.getByText(/Needs opset ≥ 13; this model has opset 11/)).toBeTruthy();
    expect((screen.getByTestId('option-per-channel') as HTMLInputElement).checked).toBe(true);
  });
});
