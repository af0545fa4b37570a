// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Result } from '../../../../shared/result';
import { hardwareProfileSchema } from '../../../../shared/schemas/bench';
import type { Device, ProbeFacts } from '../../../../shared/schemas/fleet';
import { createClient } from '../../api/client';
import { ClientProvider } from '../../api/client-context';
import { createFakeTransport } from '../../testing/fake-transport';
import { renderUi } from '../../testing/render';
import { DeviceDrawer } from './device-detail';
import type { OpKind } from './fleet-ops';
import { sampleDevice } from './sample-device';

const fingerprint = 'SHA256:4m5yQ0k4r1NnCxv0zN0b6o0bXlK3vH6c2iQ8m0JpZ7E';

const facts: ProbeFacts = {
  hostname: 'pi-1',
  os: {
    id: 'debian',
    name: 'Debian GNU/Linux',
    versionId: '12',
    prettyName: 'Debian GNU/Linux 12 (bookworm)',
  },
  kernel: { name: 'Linux', release: '6.6.31+rpt-rpi-2712' },
  arch: 'aarch64',
  archFamily: 'arm64',
  userlandBits: 64,
  cpu: {
    model: '4× Cortex-A76',
    vendor: 'ARM',
    board: 'Raspberry Pi 5 Model B Rev 1.0',
    cores: 4,
    logicalCpus: 4,
    features: ['neon', 'dotprod'],
    flags: ['fp', 'asimd', 'asimddp'],
  },
  memory: { totalBytes: 8 * 2 ** 30, availableBytes: 6 * 2 ** 30 },
  disk: {
    deployRoot: '/opt/edgefleet',
    deployRootExists: true,
    probedPath: '/opt/edgefleet',
    mountPoint: '/',
    totalBytes: 64 * 2 ** 30,
    availableBytes: 40 * 2 ** 30,
  },
  runtimes: {
    python: '3.11.2',
    onnxruntime: { version: '1.20.1', providers: ['CPUExecutionProvider'] },
    node: null,
    perfTest: null,
  },
  deployments: [],
  warnings: [],
};

/** Probed, trusted and online a few minutes ago. */
const probed = sampleDevice({
  id: 'd_1',
  name: 'pi-1',
  tags: ['lab', 'cam'],
  hostKey: {
    keyType: 'ssh-ed25519',
    publicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKb4gN7gT1M3oIyy2u1FbGQXcfXHdUSLa8vF0PkF1hQm',
    fingerprint,
    pinnedAt: '2025-01-02T03:04:05.000Z',
  },
  probe: { facts, probedAt: '2025-01-02T03:10:00.000Z' },
  status: { state: 'online', checkedAt: '2025-01-02T03:10:00.000Z', latencyMs: 12, error: null },
  lastSeenAt: '2025-01-02T03:10:00.000Z',
});

/** Just added: never checked, never probed, no key pinned. */
const fresh = sampleDevice({ id: 'd_2', name: 'pi-2', host: '10.0.0.12' });

/** An x86 board's profile, for a device the probe found to be arm64. */
const nuc = hardwareProfileSchema.parse({
  id: 'nuc-i5',
  name: 'Intel NUC i5',
  arch: 'x86_64',
  cpuModel: '4× Core i5-8259U @ 3.8 GHz',
  cores: 4,
  clockGHz: 3.8,
  features: ['sse4_2', 'avx', 'avx2', 'fma'],
  peakGflopsFp32PerThread: 60.8,
  peakGflopsFp32: 243.2,
  peakGopsInt8PerThread: 121.6,
  peakGopsInt8: 486.4,
  memoryBandwidthGBs: 34,
  ramGB: 16,
});

type Props = { device: Device | null; missingId?: string | null; busy?: boolean; covered?: boolean };
type Handlers = {
  'devices.remove'?: (params: unknown) => Result<unknown>;
  'profiles.list'?: (params: unknown) => Result<unknown>;
};

function renderDrawer(
  { device, missingId = null, busy = false, covered = false }: Props,
  handlers: Handlers = {},
) {
  const fake = createFakeTransport({
    'profiles.list': () => ({ ok: true, value: [] }),
    'devices.remove': (params) => ({
      ok: true,
      value: { id: (params as { ref: string }).ref, name: 'pi-1' },
    }),
    ...handlers,
  });
  const seen: Array<[string, ...string[]]> = [];
  renderUi(
    <QueryClientProvider
      client={new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } })}
    >
      <ClientProvider client={createClient(fake.transport)}>
        <DeviceDrawer
          device={device}
          missingId={missingId}
          busy={busy}
          covered={covered}
          onClose={() => seen.push(['close'])}
          onRun={(kind: OpKind, d) => seen.push(['run', kind, d.id])}
          onTrust={(d) => seen.push(['trust', d.id])}
          onEdit={(d) => seen.push(['edit', d.id])}
          onRemoved={(d) => seen.push(['removed', d.id])}
        />
      </ClientProvider>
    </QueryClientProvider>,
  );
  return { fake, seen };
}

const removeCalls = (fake: ReturnType<typeof createFakeTransport>) =>
  fake.calls.filter((c) => c.method === 'devices.remove').map((c) => c.params);
const profilesAsked = (fake: ReturnType<typeof createFakeTransport>) =>
  fake.calls.some((c) => c.method === 'profiles.list');
const buttonIn = (testId: string, name: string) =>
  within(screen.getByTestId(testId)).getByRole('button', { name }) as HTMLButtonElement;

describe('DeviceDrawer', () => {
  it('shows the device: its status, last contact, pinned key, probed facts and connection', async () => {
    const fiveMinutesAgo = new Date(Date.now() - 5 * 60_000).toISOString();
    const { fake } = renderDrawer({ device: { ...probed, lastSeenAt: fiveMinutesAgo } });
    expect(await screen.findByRole('dialog', { name: 'pi-1' })).toBeTruthy();
    const status = screen.getByTestId('detail-status');
    expect(status.textContent).toBe('online');
    expect(screen.getByTestId('detail-latency').textContent).toBe('12 ms');
    expect(screen.getByTestId('detail-last-seen').textContent).toBe('last seen 5 min ago');
    expect(screen.getByTestId('detail-fingerprint').textContent).toBe(fingerprint);
    expect(screen.getByTestId('detail-trust').textContent).toBe('Check host key…');
    expect(screen.getByTestId('facts-os').textContent).toContain('Debian GNU/Linux 12 (bookworm)');
    expect(screen.getByTestId('facts-arch').textContent).toBe('aarch64');
    expect(screen.getByTestId('facts-cores').textContent).toBe('4');
    expect(screen.queryByTestId('detail-not-probed')).toBeNull();
    expect(screen.getByTestId('detail-address').textContent).toBe('pi@10.0.0.11:22');
    expect(screen.getByTestId('detail-auth').textContent).toBe('key file ~/.ssh/id_ed25519');
    expect(screen.getByTestId('detail-tags').textContent).toBe('labcam');
    expect(screen.queryByTestId('detail-error')).toBeNull();
    await waitFor(() => expect(profilesAsked(fake)).toBe(true));
    expect(screen.queryByTestId('detail-profile-mismatch')).toBeNull();
  });

  it('says what a new device lacks, and offers to trust and probe it', async () => {
    const { seen } = renderDrawer({ device: fresh });
    expect(await screen.findByRole('dialog', { name: 'pi-2' })).toBeTruthy();
    expect(screen.getByTestId('detail-status').textContent).toBe('not checked');
    expect(screen.getByTestId('detail-last-seen').textContent).toBe('never seen');
    expect(screen.getByTestId('detail-not-probed').textContent).toBe('Not probed yet.');
    expect(screen.getByTestId('detail-host-key').textContent).toContain('Not trusted yet');
    expect(screen.getByTestId('detail-trust').textContent).toBe('Trust host key…');
    fireEvent.click(buttonIn('detail-facts', 'Probe now'));
    fireEvent.click(buttonIn('detail-host-key', 'Trust…'));
    expect(seen).toEqual([
      ['run', 'probe', 'd_2'],
      ['trust', 'd_2'],
    ]);
  });

  it('hands the device to the page for probe, status check, trust and edit', async () => {
    const { fake, seen } = renderDrawer({ device: probed });
    await screen.findByTestId('detail-probe');
    fireEvent.click(screen.getByTestId('detail-probe'));
    fireEvent.click(screen.getByTestId('detail-status-check'));
    fireEvent.click(screen.getByTestId('detail-trust'));
    fireEvent.click(screen.getByTestId('detail-edit'));
    expect(seen).toEqual([
      ['run', 'probe', 'd_1'],
      ['run', 'status', 'd_1'],
      ['trust', 'd_1'],
      ['edit', 'd_1'],
    ]);
    expect(removeCalls(fake)).toEqual([]);
  });

  it('while a bulk operation runs, the buttons that start one wait; editing and removing do not', async () => {
    const { seen } = renderDrawer({ device: fresh, busy: true });
    await screen.findByTestId('detail-probe');
    for (const testId of ['detail-probe', 'detail-status-check', 'detail-trust'])
      expect((screen.getByTestId(testId) as HTMLButtonElement).disabled).toBe(true);
    expect(buttonIn('detail-facts', 'Probe now').disabled).toBe(true);
    expect(buttonIn('detail-host-key', 'Trust…').disabled).toBe(true);
    expect((screen.getByTestId('detail-edit') as HTMLButtonElement).disabled).toBe(false);
    expect((screen.getByTestId('detail-remove') as HTMLButtonElement).disabled).toBe(false);
    fireEvent.click(screen.getByTestId('detail-probe'));
    expect(seen).toEqual([]);
  });

  it('removes the device after an in-place confirmation, and tells the page', async () => {
    const { fake, seen } = renderDrawer({ device: probed });
    fireEvent.click(await screen.findByTestId('detail-remove'));
    const confirm = screen.getByTestId('remove-confirm');
    expect(within(confirm).getByText('Remove pi-1?')).toBeTruthy();
    expect(removeCalls(fake)).toEqual([]);
    fireEvent.click(within(confirm).getByTestId('remove-confirm-button'));
    await waitFor(() => expect(seen).toEqual([['removed', 'd_1']]));
    expect(removeCalls(fake)).toEqual([{ ref: 'd_1' }]);
  });

  it('warns when the profile names another architecture than the probe found, and offers to edit', async () => {
    const { seen } = renderDrawer(
      { device: { ...probed, profile: 'nuc-i5' } },
      { 'profiles.list': () => ({ ok: true, value: [nuc] }) },
    );
    const warning = await screen.findByTestId('detail-profile-mismatch');
    expect(warning.textContent).toContain(
      'The profile nuc-i5 is an x86_64 board, but the probe found aarch64',
    );
    fireEvent.click(within(warning).getByRole('button', { name: 'Edit…' }));
    expect(seen).toEqual([['edit', 'd_1']]);
  });

  it('says so when the device asked for in the link does not exist', async () => {
    const { seen } = renderDrawer({ device: null, missingId: 'd_gone' });
    expect((await screen.findByTestId('device-missing')).textContent).toBe(
      'There is no device with the id d_gone. It may have been removed.',
    );
    expect(screen.getByRole('dialog', { name: 'Device' })).toBeTruthy();
    expect(screen.queryByTestId('detail-probe')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Close' }));
    expect(seen).toEqual([['close']]);
  });

  it('is closed, and asks main nothing, when no device is open', () => {
    const { fake } = renderDrawer({ device: null });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(fake.calls).toEqual([]);
  });
});

describe('DeviceDrawer errors', () => {
  it('shows why the last check failed, worded for the GUI', async () => {
    const error = {
      code: 'HOST_KEY_UNKNOWN' as const,
      message: `pi-2 (10.0.0.12:22) is not trusted yet: it presents ssh-ed25519 key ${fingerprint}. Compare it with the device's key, then run: edgefleet devices trust pi-2 --fingerprint ${fingerprint}`,
    };
    renderDrawer({
      device: {
        ...fresh,
        status: { state: 'host_key_problem', checkedAt: '2025-01-02T03:10:00.000Z', latencyMs: null, error },
      },
    });
    const alert = await screen.findByTestId('detail-error');
    expect(within(alert).getByText('Last check: host key problem')).toBeTruthy();
    expect(alert.dataset['errorCode']).toBe('HOST_KEY_UNKNOWN');
    expect(within(alert).getByTestId('error-message').textContent).toBe(
      `pi-2 (10.0.0.12:22) is not trusted yet: it presents ssh-ed25519 key ${fingerprint}. Compare it with the device's key, then trust it with “Trust host key…”`,
    );
    expect(screen.getByTestId('detail-status').textContent).toBe('host key problem');
    expect(screen.queryByTestId('detail-latency')).toBeNull();
  });

  it('keeps the device and the confirmation when main refuses the removal, and says why', async () => {
    let refuse = true;
    const { fake, seen } = renderDrawer(
      { device: probed },
      {
        'devices.remove': () =>
          refuse
            ? {
                ok: false,
                error: {
                  code: 'DEVICE_IN_USE',
                  message:
                    'pi-1 is the jump host of cam-1, cam-2. Give those another jump host (devices edit NAME --jump …) or remove them first.',
                  details: { dependents: ['cam-1', 'cam-2'] },
                },
              }
            : { ok: true, value: { id: 'd_1', name: 'pi-1' } },
      },
    );
    fireEvent.click(await screen.findByTestId('detail-remove'));
    fireEvent.click(screen.getByTestId('remove-confirm-button'));
    const alert = await within(screen.getByTestId('remove-confirm')).findByTestId('error-alert');
    expect(within(alert).getByText('Cannot remove this device')).toBeTruthy();
    expect(alert.dataset['errorCode']).toBe('DEVICE_IN_USE');
    expect(within(alert).getByTestId('error-message').textContent).toBe(
      'pi-1 is the jump host of cam-1, cam-2. Give those another jump host (Edit each of them) or remove them first.',
    );
    expect(seen).toEqual([]);
    expect(screen.getByRole('dialog', { name: 'pi-1' })).toBeTruthy();

    refuse = false;
    fireEvent.click(screen.getByTestId('remove-confirm-button'));
    await waitFor(() => expect(seen).toEqual([['removed', 'd_1']]));
    expect(removeCalls(fake)).toEqual([{ ref: 'd_1' }, { ref: 'd_1' }]);
  });

  it('Cancel takes the confirmation away and removes nothing', async () => {
    const { fake, seen } = renderDrawer({ device: probed });
    fireEvent.click(await screen.findByTestId('detail-remove'));
    fireEvent.click(within(screen.getByTestId('remove-confirm')).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByTestId('remove-confirm')).toBeNull();
    expect(removeCalls(fake)).toEqual([]);
    expect(seen).toEqual([]);
  });

  it('still shows the device when the profile list cannot be loaded, without a mismatch warning', async () => {
    const { fake } = renderDrawer(
      { device: { ...probed, profile: 'nuc-i5' } },
      {
        'profiles.list': () => ({ ok: false, error: { code: 'INTERNAL', message: 'Internal error: boom.' } }),
      },
    );
    await waitFor(() => expect(profilesAsked(fake)).toBe(true));
    expect(screen.getByTestId('facts-arch').textContent).toBe('aarch64');
    expect(screen.queryByTestId('detail-profile-mismatch')).toBeNull();
  });

  it('leaves Escape to another dialog open above it', async () => {
    const { seen } = renderDrawer({ device: probed, covered: true });
    await screen.findByRole('dialog', { name: 'pi-1' });
    fireEvent.keyDown(screen.getByTestId('detail-probe'), { key: 'Escape' });
    expect(seen).toEqual([]);
  });

  it('closes on Escape when nothing covers it', async () => {
    const { seen } = renderDrawer({ device: probed });
    await screen.findByRole('dialog', { name: 'pi-1' });
    fireEvent.keyDown(screen.getByTestId('detail-probe'), { key: 'Escape' });
    expect(seen).toEqual([['close']]);
  });
});
