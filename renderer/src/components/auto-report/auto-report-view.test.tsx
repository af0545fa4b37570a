// @vitest-environment jsdom
import { fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { renderUi } from '../../testing/render';
import { sampleAutoReport } from '../../testing/sample-auto-report';
import { AutoReportView } from './auto-report-view';

describe('AutoReportView', () => {
  it('leads with the verdict and marks the recommended candidate', () => {
    const report = sampleAutoReport();
    renderUi(<AutoReportView report={report} modelNames={new Map([['m_2', 'small-cnn-int8-mixed']])} />);
    const verdict = screen.getByTestId('auto-verdict');
    expect(verdict.dataset.tone).toBe('recommended');
    expect(verdict.textContent).toContain('Use the recommended variant');
    expect(verdict.textContent).toContain(report.verdict);

    const rows = screen.getAllByTestId('auto-candidate');
    expect(rows.map((r) => r.dataset.candidate)).toEqual(['c1', 'c2', 'c3']);
    const recommended = rows.filter((r) => r.dataset.recommended === 'true');
    expect(recommended.map((r) => r.dataset.candidate)).toEqual(['c2']);
    expect(within(recommended[0]!).getByTestId('auto-recommended-badge')).toBeTruthy();
    expect(within(recommended[0]!).getByRole('link').textContent).toBe('small-cnn-int8-mixed');
    expect(within(rows[0]!).getByTestId('auto-candidate-goal').textContent).toBe('no');

    expect(screen.getByTestId('auto-measured-on').textContent).toContain('Test CPU');
    expect(screen.getAllByTestId('auto-note')).toHaveLength(1);
    // Without a re-run handler the node table is read-only.
    expect(screen.queryAllByTestId('auto-node-pick')).toHaveLength(0);
  });

  it('says plainly when the parent should be deployed, or the goal is not met, and when it stopped early', () => {
    const parent = sampleAutoReport({ recommendedId: null, verdict: 'No variant … deploy the parent.' });
    const { unmount } = renderUi(<AutoReportView report={parent} />);
    expect(screen.getByTestId('auto-verdict').dataset.tone).toBe('deploy-parent');
    expect(screen.getByTestId('auto-verdict').textContent).toContain('For speed, deploy the parent');
    unmount();

    renderUi(
      <AutoReportView
        report={sampleAutoReport({ recommendedId: null, goalMet: false, stoppedEarly: 'budget' })}
      />,
    );
    expect(screen.getByTestId('auto-verdict').dataset.tone).toBe('goal-not-met');
    expect(screen.getByTestId('auto-stopped-early').textContent).toContain('budget');
    expect(screen.getByTestId('auto-stopped-early-text').textContent).toContain('time budget ran out');
  });

  it('lists nodes most sensitive first and re-runs with the picked nodes flipped', () => {
    const onRerun = vi.fn();
    renderUi(
      <AutoReportView
        report={sampleAutoReport()}
        onRerun={onRerun}
        baseOverrides={{ forceFloat: ['keep-me'], forceInt8: [] }}
      />,
    );
    const rows = screen.getAllByTestId('auto-node');
    expect(rows.map((r) => r.dataset.node)).toEqual(['conv1', 'conv2', 'gemm']);
    const button = screen.getByTestId('auto-rerun') as HTMLButtonElement;
    expect(button.disabled).toBe(true);

    // conv1 is float (forced int8 on the re-run), conv2 is int8 (forced float).
    fireEvent.click(within(rows[0]!).getByRole('checkbox'));
    fireEvent.click(within(rows[1]!).getByRole('checkbox'));
    expect(screen.getByTestId('auto-rerun-preview').textContent).toContain('force int8: conv1');
    fireEvent.click(button);
    expect(onRerun).toHaveBeenCalledWith({ forceFloat: ['keep-me', 'conv2'], forceInt8: ['conv1'] });
  });
});
