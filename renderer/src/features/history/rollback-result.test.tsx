// @vitest-environment jsdom
import { fireEvent, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../shared/errors';
import { sampleDeviceResult, sampleReport } from '../../testing/deploy-results';
import { renderUi } from '../../testing/render';
import type { RollbackRequest } from './history-ops';
import { RollbackResult } from './rollback-result';

const request: RollbackRequest = {
  deviceId: 'd1',
  deviceName: 'pi-1',
  modelName: 'small-cnn',
  toRelease: null,
  fromRelease: 'r-new',
};

describe('RollbackResult', () => {
  it('cannot be dismissed while it runs', () => {
    renderUi(<RollbackResult op={{ status: 'running', request, rows: [] }} onDismiss={() => {}} />);
    expect(screen.getByTestId('rollback-result').dataset['status']).toBe('running');
    expect(screen.queryByRole('button', { name: 'Dismiss the rollback result' })).toBeNull();
  });

  it('shows why a rollback failed, and can be dismissed', () => {
    let dismissed = 0;
    renderUi(
      <RollbackResult
        op={{
          status: 'failed',
          request,
          rows: [],
          error: new AppError('UNREACHABLE', 'pi-1 did not answer.'),
        }}
        onDismiss={() => dismissed++}
      />,
    );
    expect(screen.getByTestId('rollback-headline').textContent).toBe('Rollback of pi-1 did not finish');
    expect(screen.getByTestId('rollback-error').dataset['errorCode']).toBe('UNREACHABLE');
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss the rollback result' }));
    expect(dismissed).toBe(1);
  });

  it("carries the deployment's status when done", () => {
    const report = sampleReport([sampleDeviceResult({ releaseAfter: 'r-old' })], { kind: 'rollback' });
    renderUi(<RollbackResult op={{ status: 'done', request, rows: [], report }} onDismiss={() => {}} />);
    expect(screen.getByTestId('rollback-result').dataset['status']).toBe('succeeded');
    expect(screen.getByTestId('rollback-headline').textContent).toBe(
      'Rolled back pi-1: small-cnn now runs r-old.',
    );
    expect(screen.queryByTestId('rollback-error')).toBeNull();
  });
});
