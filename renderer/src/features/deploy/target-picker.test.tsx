// @vitest-environment jsdom
import { fireEvent, screen, within } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import type { DeployPreview, DeviceRelease } from '../../../../shared/schemas/deploy';
import { renderUi } from '../../testing/render';
import { sampleDevice } from '../fleet/sample-device';
import type { TargetSelection } from './deploy-form';
import { TargetPicker } from './target-picker';

const devices = [
  sampleDevice({ id: 'd_1', name: 'pi-1', tags: ['lab'] }),
  sampleDevice({ id: 'd_2', name: 'pi-2', host: '10.0.0.12', tags: ['lab'] }),
  sampleDevice({ id: 'd_3', name: 'jetson', host: '10.0.0.13', tags: ['garage'] }),
];

const releases = new Map<string, DeviceRelease[]>([
  [
    'd_1',
    [
      {
        deviceId: 'd_1',
        deviceName: 'pi-1',
        deployRoot: '/opt/edgefleet',
        modelName: 'yolo',
        current: { release: 'v1-aaaa', sha256: null, variantId: null, version: 'v1' },
        previous: null,
        source: 'deploy',
        deploymentId: null,
        updatedAt: '2025-01-01T00:00:00.000Z',
      },
    ],
  ],
]);

const planned = (deviceId: string, deviceName: string, extra: Partial<DeployPreview['devices'][number]>) => ({
  deviceId,
  deviceName,
  host: 'h',
  deployRoot: '/opt/edgefleet',
  trusted: true,
  current: null,
  unchanged: false,
  repair: false,
  freeDiskBytes: null,
  notes: [],
  ...extra,
});

const preview: DeployPreview = {
  modelId: 'm_1',
  modelName: 'yolo',
  variantName: 'yolo-int8',
  sizeBytes: 100,
  devices: [
    planned('d_1', 'pi-1', { unchanged: true }),
    planned('d_2', 'pi-2', { trusted: false }),
    planned('d_3', 'jetson', { freeDiskBytes: 2048, notes: ['Low disk at the last probe.'] }),
  ],
};

function Harness() {
  const [selection, setSelection] = useState<TargetSelection>({ all: false, tags: [], devices: [] });
  return (
    <>
      <TargetPicker
        devices={devices}
        selection={selection}
        onChange={setSelection}
        releases={releases}
        preview={preview}
        modelsById={new Map()}
      />
      <output data-testid="selection">{JSON.stringify(selection)}</output>
    </>
  );
}

const row = (name: string) =>
  screen.getAllByTestId('deploy-target-row').find((r) => r.dataset['device'] === name)!;
const check = (name: string) => within(row(name)).getByTestId('deploy-target-check') as HTMLInputElement;
const selection = () => JSON.parse(screen.getByTestId('selection').textContent ?? '{}') as TargetSelection;

describe('TargetPicker', () => {
  it('picks single devices by name, and a tag locks the boxes of the devices it covers', () => {
    renderUi(<Harness />);
    fireEvent.click(check('jetson'));
    expect(selection().devices).toEqual(['jetson']);
    expect(row('jetson').getAttribute('aria-selected')).toBe('true');

    fireEvent.click(screen.getByText('lab (2)'));
    expect(selection().tags).toEqual(['lab']);
    expect(check('pi-1').checked).toBe(true);
    expect(check('pi-1').disabled).toBe(true);
    expect(check('jetson').disabled).toBe(false);
  });

  it('"All devices" covers every row and locks the tags', () => {
    renderUi(<Harness />);
    fireEvent.click(screen.getByLabelText('All devices (3)'));
    expect(selection().all).toBe(true);
    expect(screen.getAllByTestId('deploy-target-row').every((r) => r.dataset['picked'] === 'true')).toBe(
      true,
    );
    for (const tag of screen.getAllByTestId('deploy-target-tag'))
      expect(tag).toHaveProperty('disabled', true);
  });

  it('says what runs now and what this deploy would do on each device', () => {
    renderUi(<Harness />);
    expect(within(row('pi-1')).getByTestId('deploy-target-runs').textContent).toBe('v1-aaaa');
    expect(within(row('pi-2')).getByTestId('deploy-target-runs').textContent).toBe('nothing deployed');
    const plans = screen.getAllByTestId('deploy-target-plan').map((p) => p.dataset['plan']);
    expect(plans).toEqual(['unchanged', 'untrusted', 'deploy']);
    expect(within(row('pi-2')).getByRole('link', { name: 'trust on Fleet' }).getAttribute('href')).toBe(
      '/fleet?device=d_2',
    );
    expect(within(row('jetson')).getByTestId('deploy-target-plan').textContent).toBe(
      'will deploy2 KiB freenote',
    );
  });

  it('the filter hides rows without changing what is picked', async () => {
    renderUi(<Harness />);
    fireEvent.click(check('pi-1'));
    fireEvent.change(screen.getByTestId('deploy-target-filter'), { target: { value: 'JET' } });
    expect(await screen.findByTestId('deploy-target-shown')).toBeTruthy();
    expect(screen.getAllByTestId('deploy-target-row').map((r) => r.dataset['device'])).toEqual(['jetson']);
    expect(screen.getByTestId('deploy-target-shown').textContent).toMatch(/^Showing 1 of 3 devices/);
    expect(selection().devices).toEqual(['pi-1']);
  });
});
