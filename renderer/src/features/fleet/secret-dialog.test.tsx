// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { createClient } from '../../api/client';
import { ClientProvider } from '../../api/client-context';
import { createFakeTransport } from '../../testing/fake-transport';
import { renderUi } from '../../testing/render';
import type { SecretNeed } from './fleet-ops';
import { SecretDialog } from './secret-dialog';

const need: SecretNeed = {
  kind: 'password',
  deviceId: 'dev-1',
  deviceIds: ['dev-1'],
  label: 'Password of pi-1',
};

function renderDialog(canRememberSecrets: boolean) {
  const fake = createFakeTransport({
    'app.info': () => ({
      ok: true,
      value: { version: '0', dataDir: '/d', onnxRuntimeVersion: '1', shell: 'electron', canRememberSecrets },
    }),
    'devices.provideSecret': () => ({ ok: true, value: { ok: true, remembered: canRememberSecrets } }),
  });
  const provided: string[][] = [];
  renderUi(
    <QueryClientProvider client={new QueryClient()}>
      <ClientProvider client={createClient(fake.transport)}>
        <SecretDialog needs={[need]} onClose={() => {}} onProvided={(ids) => provided.push(ids)} />
      </ClientProvider>
    </QueryClientProvider>,
  );
  return { fake, provided };
}

const secretCalls = (fake: ReturnType<typeof createFakeTransport>) =>
  fake.calls.filter((c) => c.method === 'devices.provideSecret').map((c) => c.params);

describe('SecretDialog', () => {
  it('offers "Remember" where the desktop app can encrypt, and sends it only when ticked', async () => {
    const { fake, provided } = renderDialog(true);
    const remember = await screen.findByTestId('secret-remember');
    fireEvent.change(screen.getByTestId('secret-input'), { target: { value: 'hunter2' } });
    fireEvent.click(remember);
    fireEvent.click(screen.getByTestId('secret-submit'));
    await waitFor(() => expect(provided).toEqual([['dev-1']]));
    expect(secretCalls(fake)).toEqual([
      { ref: 'dev-1', kind: 'password', secret: 'hunter2', remember: true },
    ]);
  });

  it('has no "Remember" where secrets cannot be kept encrypted, and sends session-only secrets', async () => {
    const { fake, provided } = renderDialog(false);
    await waitFor(() => expect(fake.calls.some((c) => c.method === 'app.info')).toBe(true));
    expect(screen.queryByTestId('secret-remember')).toBeNull();
    expect(screen.getByText(/never written to disk/)).toBeTruthy();
    fireEvent.change(screen.getByTestId('secret-input'), { target: { value: 'hunter2' } });
    fireEvent.click(screen.getByTestId('secret-submit'));
    await waitFor(() => expect(provided).toEqual([['dev-1']]));
    expect(secretCalls(fake)).toEqual([{ ref: 'dev-1', kind: 'password', secret: 'hunter2' }]);
  });
});
