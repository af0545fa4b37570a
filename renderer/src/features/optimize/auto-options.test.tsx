// @vitest-environment jsdom
import { fireEvent, screen } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { autoConfigSchema, type AutoConfig } from '../../../../shared/schemas/optimize';
import { renderUi } from '../../testing/render';
import { AutoOptions } from './auto-options';

function Harness({ initial }: { initial?: Partial<AutoConfig> }) {
  const [config, setConfig] = useState<AutoConfig>(() => autoConfigSchema.parse(initial ?? {}));
  return <AutoOptions config={config} set={(patch) => setConfig((c) => ({ ...c, ...patch }))} />;
}

const goalInput = () => screen.getByTestId('option-goal') as HTMLInputElement;

describe('AutoOptions', () => {
  it('starts from the default goal with the grammar as help, and no error', () => {
    renderUi(<Harness />);
    expect(goalInput().value).toBe('cosine>=0.999');
    expect(goalInput().getAttribute('aria-invalid')).not.toBe('true');
    expect(document.body.textContent).toContain('accuracy-drop<=P%');
  });

  it('says why a goal cannot be read as it is typed, and clears it once it can', () => {
    renderUi(<Harness />);
    fireEvent.change(goalInput(), { target: { value: 'cosine>=1.5' } });
    expect(goalInput().getAttribute('aria-invalid')).toBe('true');
    expect(document.body.textContent).toContain('cosine must be in (0, 1], not 1.5');
    fireEvent.change(goalInput(), { target: { value: 'speed>=2' } });
    expect(document.body.textContent).toContain("'speed>=2' is not a term");
    fireEvent.change(goalInput(), { target: { value: 'sqnr>=30, top1>=0.99' } });
    expect(goalInput().getAttribute('aria-invalid')).not.toBe('true');
  });

  it('flags a node forced both float and int8', () => {
    renderUi(<Harness initial={{ forceFloat: ['conv1'], forceInt8: ['conv1'] }} />);
    expect(document.body.textContent).toContain('Forced both float and int8: conv1');
  });
});
