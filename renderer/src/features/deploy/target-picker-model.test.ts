import { describe, expect, it } from 'vitest';
import type { DeviceRelease, ReleaseRef } from '../../../../shared/schemas/deploy';
import { sampleDevice } from '../fleet/sample-device';
import { filterDevices, fleetLink, planWord, runningFirst, type PlannedDevice } from './target-picker-model';

const ref = (release: string): ReleaseRef => ({ release, sha256: null, variantId: null, version: null });

function release(modelName: string, current: ReleaseRef | null): DeviceRelease {
  return {
    deviceId: 'd_1',
    deviceName: 'pi-1',
    deployRoot: '/opt/edgefleet',
    modelName,
    current,
    previous: null,
    source: 'deploy',
    deploymentId: null,
    updatedAt: '2025-01-01T00:00:00.000Z',
  };
}

function plan(overrides: Partial<PlannedDevice>): PlannedDevice {
  return {
    deviceId: 'd_1',
    deviceName: 'pi-1',
    host: '10.0.0.11',
    deployRoot: '/opt/edgefleet',
    trusted: true,
    current: null,
    unchanged: false,
    repair: false,
    freeDiskBytes: null,
    notes: [],
    ...overrides,
  };
}

describe('target picker model', () => {
  it('filters by name, host or tag, and keeps every device for an empty filter', () => {
    const devices = [
      sampleDevice({ id: 'a', name: 'pi-kitchen', host: '10.0.0.1', tags: ['lab'] }),
      sampleDevice({ id: 'b', name: 'jetson', host: 'cam.local', tags: ['garage'] }),
    ];
    expect(filterDevices(devices, '')).toBe(devices);
    expect(filterDevices(devices, 'kitchen').map((d) => d.id)).toEqual(['a']);
    expect(filterDevices(devices, 'cam.').map((d) => d.id)).toEqual(['b']);
    expect(filterDevices(devices, 'gar').map((d) => d.id)).toEqual(['b']);
    expect(filterDevices(devices, 'nothing')).toEqual([]);
  });

  it('plans nothing on untrusted devices, nothing where the variant already runs, else a deploy', () => {
    expect(planWord(plan({ trusted: false, unchanged: true }))).toBe('untrusted');
    expect(planWord(plan({ unchanged: true }))).toBe('unchanged');
    expect(planWord(plan({}))).toBe('deploy');
  });

  it('lists what runs now with the model being deployed first, leaving out models with no release', () => {
    const releases = [release('ocr', ref('r1')), release('gone', null), release('yolo', ref('r2'))];
    expect(runningFirst(releases, 'yolo').map((r) => r.modelName)).toEqual(['yolo', 'ocr']);
    expect(runningFirst(releases, undefined).map((r) => r.modelName)).toEqual(['ocr', 'yolo']);
  });

  it('links a device on the Fleet page with its id escaped', () => {
    expect(fleetLink('d 1&x')).toBe('/fleet?device=d%201%26x');
  });
});
