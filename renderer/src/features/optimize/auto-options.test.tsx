// @vitest-environment jsdom
import { fireEvent, screen } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { autoConfigSchema, type AutoConfig } from '../../../../shared/schemas/optimize';
import { renderUi } from '../../testing/render';
import { AutoOptions, type TargetChoice } from './auto-options';

function Harness({ initial, profiles }: { initial?: Partial<AutoConfig>; profiles?: TargetChoice[] }) {
  const [config, setConfig] = useState<AutoConfig>(() => autoConfigSchema.parse(initial ?? {}));
  return (
    <>
      <AutoOptions
        config={config}
        set={(patch) => setConfig((c) => ({ ...c, ...patch }))}
        profiles={profiles}
      />
      <output data-testid="chosen-target">{config.target}</output>
    </>
  );
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

  it('offers this machine (measured) and each hardware profile (estimated) as the speed target', async () => {
    renderUi(<Harness profiles={[{ id: 'rpi4', name: 'Raspberry Pi 4' }]} />);
    const target = screen.getByTestId('option-target') as HTMLInputElement;
    expect(target.value).toBe('This machine (measured)');
    expect(document.body.textContent).toContain('measured on this machine');
    fireEvent.click(target);
    fireEvent.click(await screen.findByText('Raspberry Pi 4 (estimated)'));
    expect(screen.getByTestId('chosen-target').textContent).toBe('rpi4');
    expect(document.body.textContent).toContain('estimated for the chosen profile');
  });

  it('keeps a target that is not in the profile list visible instead of showing this machine', () => {
    renderUi(<Harness initial={{ target: 'gone-profile' }} profiles={[]} />);
    expect((screen.getByTestId('option-target') as HTMLInputElement).value).toBe('gone-profile');
  });
});
