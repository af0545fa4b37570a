// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { HostKeyScan, TrustOutcome } from '../../../../shared/schemas/fleet';
import { createClient } from '../../api/client';
import { ClientProvider } from '../../api/client-context';
import { createFakeTransport } from '../../testing/fake-transport';
import { renderUi } from '../../testing/render';
import { TrustDialog, type TrustAsk } from './trust-dialog';

const fpNew = 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const fpPinned = 'SHA256:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';

function scan(device: string, pinned: 'none' | 'different'): HostKeyScan {
  return {
    device,
    deviceId: device,
    ok: true,
    role: 'device',
    endpoint: '10.0.0.1:22',
    fingerprint: fpNew,
    keyType: 'ssh-ed25519',
    publicKey: 'ssh-ed25519 AAAA',
    pinned,
    pinnedFingerprint: pinned === 'none' ? null : fpPinned,
  };
}

async function renderTrust(rows: HostKeyScan[], then: TrustAsk['then'] = null) {
  const fake = createFakeTransport({
    'devices.scanHostKeys': () => ({ ok: true, value: { jobId: 'scan-1' } }),
    'devices.trust': (params) => {
      const { devices } = params as { devices: Array<{ ref: string }> };
      const outcomes: TrustOutcome[] = devices.map((d) => ({
        device: d.ref,
        deviceId: d.ref,
        ok: true,
        action: 'pinned',
        fingerprint: fpNew,
        keyType: 'ssh-ed25519',
        previousFingerprint: null,
        jump: null,
      }));
      return { ok: true, value: outcomes };
    },
    'devices.list': () => ({ ok: true, value: [] }),
  });
  const continued: Array<[string[], string]> = [];
  renderUi(
    <QueryClientProvider client={new QueryClient()}>
      <ClientProvider client={createClient(fake.transport)}>
        <TrustDialog
          ask={{ ids: rows.map((r) => r.deviceId), then, title: 'Trust the host key' }}
          onClose={() => {}}
          onContinue={(ids, kind) => continued.push([ids, kind])}
        />
      </ClientProvider>
    </QueryClientProvider>,
  );
  expect(await screen.findByTestId('trust-scanning')).toBeTruthy();
  await waitFor(() => expect(fake.calls.some((c) => c.method === 'devices.scanHostKeys')).toBe(true));
  act(() => {
    fake.emit({ name: 'job.done', payload: { jobId: 'scan-1', kind: 'devices.scanHostKeys', result: rows } });
  });
  await screen.findByTestId('trust-review');
  return { fake, continued };
}

describe('TrustDialog', () => {
  it('shows the presented fingerprint and pins exactly that key', async () => {
    const { fake } = await renderTrust([scan('pi-1', 'none')]);
    const row = screen.getByTestId('trust-row');
    expect(row.getAttribute('data-verdict')).toBe('new');
    expect(within(row).getByTestId('trust-fingerprint').textContent).toBe(fpNew);
    expect(within(row).getByTestId('trust-verdict').textContent).toBe('not trusted yet');
    expect(screen.getByTestId('trust-count').textContent).toBe('1 key will be pinned.');
    fireEvent.click(screen.getByTestId('trust-confirm'));
    await screen.findByTestId('trust-done');
    const trust = fake.calls.find((c) => c.method === 'devices.trust');
    expect(JSON.stringify(trust?.params)).toContain(fpNew);
  });

  it('warns when the key changed and pins nothing until the user ticks it', async () => {
    await renderTrust([scan('pi-1', 'different')]);
    const row = screen.getByTestId('trust-row');
    expect(row.getAttribute('data-verdict')).toBe('changed');
    expect(within(row).getByTestId('trust-verdict').textContent).toBe('KEY CHANGED');
    expect(within(row).getByText(fpPinned)).toBeTruthy();
    expect(screen.getByTestId('trust-count').textContent).toBe('0 keys will be pinned.');
    expect((screen.getByTestId('trust-confirm') as HTMLButtonElement).disabled).toBe(true);
  });

  it('says when pasted text holds no fingerprint, and marks rows that do not match', async () => {
    await renderTrust([scan('pi-1', 'none')]);
    const expected = screen.getByTestId('trust-expected');
    fireEvent.change(expected, { target: { value: 'not a fingerprint' } });
    expect(screen.getByText('No SHA256:… fingerprint found in what you typed.')).toBeTruthy();
    expect((screen.getByTestId('trust-confirm') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(expected, { target: { value: fpPinned } });
    expect(screen.getByTestId('trust-match').textContent).toBe('✗ does not match what you typed');
  });

  it('hands the trusted devices on when an operation was asked for', async () => {
    const { continued } = await renderTrust([scan('pi-1', 'none')], 'probe');
    expect(screen.getByTestId('trust-confirm').textContent).toBe('Trust and probe');
    fireEvent.click(screen.getByTestId('trust-confirm'));
    await waitFor(() => expect(continued).toEqual([[['pi-1'], 'probe']]));
  });
});
