// @vitest-environment jsdom
import { fireEvent, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { renderUi } from '../../testing/render';
import { sampleModel } from '../../testing/sample-model';
import { defaultForm } from './bench-form';
import { RunSettings } from './run-settings';

describe('RunSettings', () => {
  it('offers to leave out a model whose input has an unnamed free dimension, instead of a CLI command', () => {
    const plain = sampleModel({ id: 'ok', name: 'ok' });
    const odd = sampleModel({
      id: 'odd',
      name: 'odd',
      summary: { ...plain.summary, inputs: [{ name: 'x', elemType: 'float32', shape: [null, 3, null, 32] }] },
    });
    const onChange = vi.fn();
    renderUi(<RunSettings form={defaultForm()} picked={[plain, odd]} onChange={onChange} />);
    expect(screen.getByTestId('bench-unnamed-dims').textContent).not.toContain('edgefleet');
    fireEvent.click(screen.getByRole('button', { name: 'Leave it out' }));
    expect(onChange).toHaveBeenCalledWith({ modelIds: ['ok'] });
  });
});
