// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Device } from '../../../../shared/schemas/fleet';
import type { Result } from '../../../../shared/result';
import { createClient } from '../../api/client';
import { ClientProvider } from '../../api/client-context';
import { createFakeTransport } from '../../testing/fake-transport';
import { renderUi } from '../../testing/render';
import { DeviceFormDialog, type FormMode } from './device-form-dialog';
import { sampleDevice } from './sample-device';

function renderForm(mode: FormMode, extra: Record<string, (params: unknown) => Result<unknown>> = {}) {
  const fake = createFakeTransport({
    'profiles.list': () => ({ ok: true, value: [] }),
    'app.info': () => ({
      ok: true,
      value: {
        version: '0',
        dataDir: '/d',
        onnxRuntimeVersion: '1',
        shell: 'web',
        canRememberSecrets: false,
      },
    }),
    'devices.checkKeyFile': (params) => ({ ok: true, value: { path: (params as { path: string }).path } }),
    'devices.add': (params) => ({ ok: true, value: sampleDevice({ ...(params as Partial<Device>) }) }),
    ...extra,
  });
  const saved: Array<[string, string]> = [];
  renderUi(
    <QueryClientProvider client={new QueryClient()}>
      <ClientProvider client={createClient(fake.transport)}>
        <DeviceFormDialog
          mode={mode}
          onClose={() => {}}
          onSaved={(device, kind) => saved.push([device.name, kind])}
          deviceNames={['gw']}
          tags={['lab']}
          profiles={[]}
        />
      </ClientProvider>
    </QueryClientProvider>,
  );
  return { fake, saved };
}

const type = (field: string, value: string) =>
  fireEvent.change(screen.getByTestId(`field-${field}`), { target: { value } });
const submit = () => fireEvent.click(screen.getByTestId('device-form-submit'));
const fieldError = (field: string) =>
  document.getElementById(`device-field-${field}-error`)?.textContent ?? null;
const methods = (fake: ReturnType<typeof createFakeTransport>) => fake.calls.map((c) => c.method);

describe('DeviceFormDialog', () => {
  it('marks empty required fields on submit and sends nothing', async () => {
    const { fake, saved } = renderForm({ kind: 'add' });
    await screen.findByTestId('device-form');
    submit();
    expect(fieldError('name')).toBe('required');
    expect(fieldError('host')).toBe('required');
    expect(fieldError('keyPath')).toContain('required');
    expect(methods(fake)).not.toContain('devices.add');
    expect(saved).toEqual([]);
  });

  it('reports a bad format at its field, and clears it once corrected', async () => {
    renderForm({ kind: 'add' });
    await screen.findByTestId('device-form');
    type('name', 'pi-1');
    type('host', 'bad host');
    type('keyPath', '~/.ssh/id_ed25519');
    submit();
    expect(fieldError('host')).not.toBeNull();
    expect(fieldError('name')).toBeNull();
    type('host', '10.0.0.5');
    expect(fieldError('host')).toBeNull();
  });

  it('shows a missing key file at its field, as main reports it', async () => {
    const { fake, saved } = renderForm(
      { kind: 'add' },
      {
        'devices.checkKeyFile': () => ({
          ok: false,
          error: { code: 'FILE_NOT_FOUND', message: 'No such file: /root/.ssh/nope.' },
        }),
      },
    );
    await screen.findByTestId('device-form');
    type('name', 'pi-1');
    type('host', '10.0.0.5');
    type('keyPath', '~/.ssh/nope');
    submit();
    await waitFor(() => expect(fieldError('keyPath')).toContain('No such file'));
    expect(methods(fake)).not.toContain('devices.add');
    expect(saved).toEqual([]);
  });

  it('adds a valid device and says so to the page', async () => {
    const { fake, saved } = renderForm({ kind: 'add' });
    await screen.findByTestId('device-form');
    type('name', 'pi-9');
    type('host', '10.0.0.9');
    type('keyPath', '~/.ssh/id_ed25519');
    submit();
    await waitFor(() => expect(saved).toEqual([['pi-9', 'add']]));
    expect(fake.calls.find((c) => c.method === 'devices.add')?.params).toMatchObject({
      name: 'pi-9',
      host: '10.0.0.9',
    });
  });

  it('shows a taken name at the name field, and a refusal of no field above the buttons', async () => {
    let answer: Result<unknown> = {
      ok: false,
      error: { code: 'NAME_TAKEN', message: 'A device named pi-1 exists already.' },
    };
    renderForm({ kind: 'add' }, { 'devices.add': () => answer });
    await screen.findByTestId('device-form');
    type('name', 'pi-1');
    type('host', '10.0.0.5');
    type('keyPath', '~/.ssh/id_ed25519');
    submit();
    await waitFor(() => expect(fieldError('name')).toBe('A device named pi-1 exists already.'));
    expect(screen.queryByTestId('device-form-error')).toBeNull();

    answer = { ok: false, error: { code: 'KEY_FILE_NOT_ALLOWED', message: 'Keys live under ~/.ssh.' } };
    type('name', 'pi-2');
    submit();
    expect((await screen.findByTestId('device-form-error')).textContent).toBe(
      'KEY_FILE_NOT_ALLOWED: Keys live under ~/.ssh.',
    );
  });

  it('starts from the device when editing, and says "Save changes"', async () => {
    renderForm({ kind: 'edit', device: sampleDevice({ name: 'pi-7', host: '10.0.0.7' }) });
    expect(((await screen.findByTestId('field-name')) as HTMLInputElement).value).toBe('pi-7');
    expect(screen.getByTestId('device-form-submit').textContent).toBe('Save changes');
  });
});
