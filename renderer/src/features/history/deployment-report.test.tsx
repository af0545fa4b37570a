// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Result } from '../../../../shared/result';
import { createClient } from '../../api/client';
import { ClientProvider } from '../../api/client-context';
import { sampleDeviceResult, sampleReport } from '../../testing/deploy-results';
import { createFakeTransport } from '../../testing/fake-transport';
import { renderUi } from '../../testing/render';
import { DeploymentReportPanel } from './deployment-report';

function renderReport(answer: Result<unknown>) {
  const fake = createFakeTransport({ 'deploy.report': () => answer });
  renderUi(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <ClientProvider client={createClient(fake.transport)}>
        <DeploymentReportPanel id="dep_1" modelsById={new Map()} />
      </ClientProvider>
    </QueryClientProvider>,
  );
}

const failed = sampleDeviceResult({
  deviceId: 'd2',
  deviceName: 'pi-2',
  position: 1,
  status: 'failed',
  step: 'upload',
  error: { code: 'UNREACHABLE', message: 'pi-2 did not answer.' },
  log: [
    { at: '2025-02-01T10:00:00.000Z', step: 'connect', level: 'info', message: 'connected' },
    { at: '2025-02-01T10:00:02.000Z', step: 'upload', level: 'error', message: 'connection lost' },
  ],
});

describe('DeploymentReportPanel', () => {
  it('shows the deployment, opens the log of the failed device and toggles the others', async () => {
    renderReport({
      ok: true,
      value: sampleReport([sampleDeviceResult(), failed], {
        options: { concurrency: 2, canary: 1, maxFailPercent: 50 },
      }),
    });
    expect(await screen.findByTestId('report-devices')).toBeTruthy();
    expect(screen.getByText('concurrency 2 · canary 1 · stops past 50 % failed')).toBeTruthy();
    const [ok, bad] = screen.getAllByTestId('report-device');
    expect(ok?.dataset['device']).toBe('pi-1');
    expect(bad?.dataset['status']).toBe('failed');
    expect(screen.getByTestId('report-device-error').dataset['errorCode']).toBe('UNREACHABLE');
    const log = screen.getByRole('list', { name: 'Log of pi-2' });
    expect(
      within(log)
        .getAllByTestId('report-log-line')
        .map((l) => l.textContent),
    ).toEqual(['+0 ms [connect] connected', '+2.0 s [upload] connection lost']);
    const toggle = within(ok!).getByTestId('report-log-toggle');
    expect(toggle.textContent).toBe('Show 1 line');
    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(screen.getByRole('list', { name: 'Log of pi-1' })).toBeTruthy();
  });

  it('says why the deployment cannot be opened', async () => {
    renderReport({ ok: false, error: { code: 'NOT_FOUND', message: 'No deployment dep_1.' } });
    const alert = await screen.findByTestId('error-alert');
    expect(alert.textContent).toContain('Cannot open this deployment');
    expect(alert.dataset['errorCode']).toBe('NOT_FOUND');
    expect(screen.queryByTestId('report-devices')).toBeNull();
  });
});
