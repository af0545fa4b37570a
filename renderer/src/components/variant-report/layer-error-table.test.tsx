// @vitest-environment jsdom
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { NoiseBudget, TensorFidelity } from '../../../../shared/schemas/optimize';
import { renderUi } from '../../testing/render';
import { LayerErrorTable } from './layer-error-table';

const tensors: TensorFidelity[] = [
  { name: 'relu1', producer: 'Relu', node: 'relu_node', sqnrDb: 22.5, roundingSqnrDb: 41.25 },
  { name: 'conv0', producer: 'Conv', node: 'conv_node', sqnrDb: 12.04, roundingSqnrDb: 38 },
  // A report made before rounding was measured.
  { name: 'gap', producer: 'GlobalAveragePool', node: null, sqnrDb: 30 },
];

const budget: NoiseBudget = {
  tensors: 193,
  medianDb: 37.9,
  bestTenthDb: 46.7,
  summedDb: 11,
  outputDb: 13.5,
  gainDb: 2.5,
  neededMedianDb: 51.4,
};

describe('LayerErrorTable', () => {
  it('shows the error built up to each tensor next to the error made there alone, worst first', () => {
    renderUi(<LayerErrorTable tensors={tensors} noiseBudget={budget} />);
    const rows = screen.getAllByTestId('layer-row');
    expect(rows.map((r) => r.getAttribute('data-tensor'))).toEqual(['conv0', 'relu1', 'gap']);
    const cell = (row: HTMLElement, id: string) => within(row).getByTestId(id).textContent;
    expect(rows.map((r) => [cell(r, 'layer-sqnr'), cell(r, 'layer-rounding')])).toEqual([
      ['12.0 dB', '38.0 dB'],
      ['22.5 dB', '41.3 dB'],
      ['30.0 dB', '—'],
    ]);
    expect(screen.getByTestId('noise-budget').textContent).toBe(
      'Rounding noise: 193 activations, median 37.9 dB each alone, 11.0 dB summed; 13.5 dB at the output ' +
        '(the network damps it by 2.5 dB).',
    );
  });

  it('says when the network amplifies the noise, and shows no budget when the report has none', () => {
    const { unmount } = renderUi(
      <LayerErrorTable tensors={tensors} noiseBudget={{ ...budget, gainDb: -4 }} />,
    );
    expect(screen.getByTestId('noise-budget').textContent).toContain('(the network amplifies it by 4.0 dB)');
    unmount();
    renderUi(<LayerErrorTable tensors={tensors} />);
    expect(screen.queryByTestId('noise-budget')).toBeNull();
  });
});
