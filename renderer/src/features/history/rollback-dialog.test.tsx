// @vitest-environment jsdom
import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderUi } from '../../testing/render';
import { RollbackDialog } from './rollback-dialog';

const base = {
  deviceId: 'd1',
  deviceName: 'pi-1',
  modelName: 'small-cnn',
  toRelease: null,
  fromRelease: '20260102-000000-bbbbbbbb',
};

describe('RollbackDialog', () => {
  it('names the release it goes back to', () => {
    renderUi(
      <RollbackDialog
        request={{ ...base, previousRelease: '20260101-000000-aaaaaaaa' }}
        onConfirm={() => {}}
        onClose={() => {}}
      />,
    );
    const to = screen.getByTestId('rollback-to');
    expect(to.textContent).toBe('20260101-000000-aaaaaaaa');
    expect(to.tagName).toBe('CODE');
  });

  it('says it in words, not as a code-font placeholder, when no previous release is recorded', () => {
    renderUi(<RollbackDialog request={base} onConfirm={() => {}} onClose={() => {}} />);
    const to = screen.getByTestId('rollback-to');
    expect(to.tagName).not.toBe('CODE');
    expect(to.textContent).toContain('the release it ran before');
  });
});
