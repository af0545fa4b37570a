import { describe, expect, it } from 'vitest';
import { contract } from '../../../../shared/contract';
import { sampleDevice } from '../fleet/sample-device';
import {
  buildDeployParams,
  coverage,
  coveredDevices,
  defaultDeployForm,
  deployBlocker,
  optionError,
  summarizePreview,
  tagCounts,
  targetsOf,
  type DeployForm,
} from './deploy-form';
import { samplePreview } from '../../testing/deploy-results';

const cam1 = sampleDevice({ id: 'd1', name: 'cam-1', tags: ['cameras', 'lab'] });
const cam2 = sampleDevice({ id: 'd2', name: 'cam-2', tags: ['cameras'] });
const gw = sampleDevice({ id: 'd3', name: 'Gateway', tags: [] });
const devices = [cam1, cam2, gw];

const form = (patch: Partial<DeployForm> = {}): DeployForm => ({ ...defaultDeployForm(), ...patch });

describe('targets', () => {
  it('sends all, tags and names as the contract takes them', () => {
    expect(targetsOf({ all: true, tags: ['lab'], devices: ['cam-1'] })).toEqual(['all']);
    expect(targetsOf({ all: false, tags: ['cameras'], devices: ['Gateway'] })).toEqual([
      'tag:cameras',
      'Gateway',
    ]);
  });

  it('covers devices by tag or by name (names case-insensitively), in inventory order', () => {
    expect(
      coveredDevices({ all: false, tags: ['cameras'], devices: [] }, devices).map((d) => d.name),
    ).toEqual(['cam-1', 'cam-2']);
    expect(
      coveredDevices({ all: false, tags: [], devices: ['gateway', 'cam-2'] }, devices).map((d) => d.id),
    ).toEqual(['d2', 'd3']);
    expect(coveredDevices({ all: true, tags: [], devices: [] }, devices)).toHaveLength(3);
  });

  it('says why a device is picked: by its own box or through a group', () => {
    expect(coverage({ all: false, tags: ['lab'], devices: [] }, cam1)).toEqual({
      byName: false,
      byGroup: 'tag lab',
    });
    expect(coverage({ all: false, tags: [], devices: ['cam-1'] }, cam1)).toEqual({
      byName: true,
      byGroup: null,
    });
    expect(coverage({ all: true, tags: [], devices: [] }, gw)).toEqual({
      byName: false,
      byGroup: 'all devices',
    });
  });

  it('counts tags, most used first', () => {
    expect(tagCounts(devices)).toEqual([
      { tag: 'cameras', count: 2 },
      { tag: 'lab', count: 1 },
    ]);
  });
});

describe('params and options', () => {
  it('builds params the contract accepts, with the options', () => {
    const params = buildDeployParams({
      ...form({ concurrency: 4, canary: 1, maxFailPercent: 25 }),
      modelId: 'm_1',
      targets: { all: false, tags: ['cameras'], devices: [] },
    });
    expect(params).toEqual({
      model: 'm_1',
      targets: ['tag:cameras'],
      options: { concurrency: 4, canary: 1, maxFailPercent: 25 },
    });
    expect(contract['deploy.run'].params.safeParse(params).success).toBe(true);
  });

  it('refuses option values the contract would refuse, in words', () => {
    expect(optionError(form())).toBeNull();
    expect(optionError(form({ concurrency: 0 }))).toMatch(/Concurrency/);
    expect(optionError(form({ concurrency: Number.NaN }))).toMatch(/Concurrency/);
    expect(optionError(form({ canary: 1.5 }))).toMatch(/Canary/);
    expect(optionError(form({ maxFailPercent: 120 }))).toMatch(/percentage/);
    expect(optionError(form({ maxFailPercent: null }))).toBeNull();
  });
});

describe('preflight', () => {
  it('splits the preview into what will be sent, unchanged, untrusted and noted', () => {
    const base = samplePreview();
    const [a, b] = base.devices;
    if (!a || !b) throw new Error('sample preview has two devices');
    const preview = samplePreview({
      devices: [
        a,
        { ...b, unchanged: true },
        { ...a, deviceId: 'd3', deviceName: 'pi-3', trusted: false, notes: ['host key not trusted'] },
        { ...a, deviceId: 'd4', deviceName: 'pi-4', notes: ['only 10 MiB free at the last probe'] },
      ],
    });
    const s = summarizePreview(preview);
    expect(s.willDeploy.map((d) => d.deviceName)).toEqual(['pi-1', 'pi-4']);
    expect(s.unchanged.map((d) => d.deviceName)).toEqual(['pi-2']);
    expect(s.untrusted.map((d) => d.deviceName)).toEqual(['pi-3']);
    expect(s.withNotes.map((d) => d.deviceName)).toEqual(['pi-4']);
    expect(s.bytesToSend).toBe(2000);
  });

  it('blocks the Deploy button until there is something a click can do', () => {
    const ready = {
      modelExists: true,
      preview: samplePreview(),
      previewPending: false,
      previewFailed: false,
    };
    const targets = { all: false, tags: [], devices: ['pi-1'] };
    expect(deployBlocker(form(), ready)).toMatch(/variant/);
    expect(deployBlocker(form({ modelId: 'm_1' }), ready)).toMatch(/devices/);
    expect(deployBlocker(form({ modelId: 'm_1', targets }), { ...ready, modelExists: false })).toMatch(
      /no longer/,
    );
    expect(deployBlocker(form({ modelId: 'm_1', targets }), { ...ready, previewPending: true })).toMatch(
      /Checking/,
    );
    expect(deployBlocker(form({ modelId: 'm_1', targets }), { ...ready, previewFailed: true })).toMatch(
      /preflight/,
    );
    const untrusted = samplePreview({
      devices: samplePreview().devices.map((d) => ({ ...d, trusted: false })),
    });
    expect(deployBlocker(form({ modelId: 'm_1', targets }), { ...ready, preview: untrusted })).toMatch(
      /Fleet/,
    );
    expect(
      deployBlocker(form({ modelId: 'm_1', targets }), { ...ready, preview: samplePreview({ devices: [] }) }),
    ).toMatch(/No device/);
    expect(deployBlocker(form({ modelId: 'm_1', targets }), ready)).toBeNull();
  });
});
