// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Result } from '../../../../shared/result';
import { hardwareProfileSchema } from '../../../../shared/schemas/bench';
import { createClient } from '../../api/client';
import { ClientProvider } from '../../api/client-context';
import { createFakeTransport } from '../../testing/fake-transport';
import { renderUi } from '../../testing/render';
import { ProfileRemoveDialog } from './profile-remove-dialog';

const profile = hardwareProfileSchema.parse({
  id: 'my-board',
  name: 'My board',
  arch: 'arm64',
  cpuModel: '4× Cortex-A55 @ 1.8 GHz',
  cores: 4,
  clockGHz: 1.8,
  features: ['neon'],
  peakGflopsFp32PerThread: 14.4,
  peakGflopsFp32: 57.6,
  peakGopsInt8PerThread: 57.6,
  peakGopsInt8: 230.4,
  memoryBandwidthGBs: 8,
  ramGB: 4,
});

function renderDialog(answer: Result<unknown>) {
  const fake = createFakeTransport({
    'profiles.remove': () => answer,
    'profiles.list': () => ({ ok: true, value: [] }),
  });
  let closed = 0;
  renderUi(
    <QueryClientProvider client={new QueryClient()}>
      <ClientProvider client={createClient(fake.transport)}>
        <ProfileRemoveDialog profile={profile} onClose={() => closed++} />
      </ClientProvider>
    </QueryClientProvider>,
  );
  return { fake, closed: () => closed };
}

describe('ProfileRemoveDialog', () => {
  it('removes the profile by id and closes', async () => {
    const { fake, closed } = renderDialog({ ok: true, value: { id: 'my-board' } });
    expect(screen.getByText(/Remove “My board” \(my-board\)\?/)).toBeTruthy();
    fireEvent.click(screen.getByTestId('profile-remove-confirm'));
    await waitFor(() => expect(closed()).toBe(1));
    expect(fake.calls.filter((c) => c.method === 'profiles.remove').map((c) => c.params)).toEqual([
      { id: 'my-board' },
    ]);
  });

  it('stays open and says why when the profile cannot be removed', async () => {
    const { closed } = renderDialog({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'No user profile my-board.' },
    });
    fireEvent.click(screen.getByTestId('profile-remove-confirm'));
    const alert = await screen.findByTestId('error-alert');
    expect(alert.textContent).toContain('Cannot remove the profile');
    expect(alert.dataset['errorCode']).toBe('NOT_FOUND');
    expect(closed()).toBe(0);
    fireEvent.click(screen.getByText('Keep it'));
    expect(closed()).toBe(1);
  });
});
