import type {
  Deployment,
  DeploymentReport,
  DeployPreview,
  DeployProgress,
  DeviceRelease,
  DeviceResult,
} from '../../../shared/schemas/deploy';

/** Records shaped like what main returns, for unit tests of the Deploy and History pages' logic. */

export function sampleDeployment(overrides: Partial<Deployment> = {}): Deployment {
  return {
    id: 'dep_1',
    kind: 'deploy',
    modelName: 'small-cnn',
    variantId: 'm_1',
    version: '20250102-030405',
    release: '20250102-030405-aaaaaaaa',
    sha256: 'a'.repeat(64),
    sizeBytes: 1000,
    requestedBy: 'me@laptop',
    createdAt: '2025-02-01T10:00:00.000Z',
    finishedAt: '2025-02-01T10:00:05.000Z',
    status: 'succeeded',
    options: { concurrency: 8, canary: 0, maxFailPercent: null },
    targets: [
      { deviceId: 'd1', deviceName: 'pi-1', where: 'pi@10.0.0.1:22', deployRoot: '/opt/edgefleet' },
      { deviceId: 'd2', deviceName: 'pi-2', where: 'pi@10.0.0.2:22', deployRoot: '/opt/edgefleet' },
    ],
    error: null,
    ...overrides,
  };
}

export function sampleDeviceResult(overrides: Partial<DeviceResult> = {}): DeviceResult {
  return {
    deploymentId: 'dep_1',
    deviceId: 'd1',
    deviceName: 'pi-1',
    position: 0,
    status: 'deployed',
    step: 'done',
    bytesSent: 1000,
    bytesTotal: 1000,
    startedAt: '2025-02-01T10:00:00.000Z',
    finishedAt: '2025-02-01T10:00:02.000Z',
    durationMs: 2000,
    stepDurationsMs: {},
    log: [{ at: '2025-02-01T10:00:02.000Z', step: 'done', level: 'info', message: 'switched' }],
    error: null,
    releaseBefore: null,
    releaseAfter: '20250102-030405-aaaaaaaa',
    facts: null,
    ...overrides,
  };
}

export function sampleReport(devices: DeviceResult[], overrides: Partial<Deployment> = {}): DeploymentReport {
  return { deployment: sampleDeployment(overrides), devices };
}

export function samplePreview(overrides: Partial<DeployPreview> = {}): DeployPreview {
  const device = (id: string, name: string) => ({
    deviceId: id,
    deviceName: name,
    host: '10.0.0.1',
    deployRoot: '/opt/edgefleet',
    trusted: true,
    current: null,
    unchanged: false,
    repair: false,
    freeDiskBytes: 1e9,
    notes: [],
  });
  return {
    modelId: 'm_1',
    modelName: 'small-cnn',
    variantName: 'small-cnn',
    sizeBytes: 1000,
    devices: [device('d1', 'pi-1'), device('d2', 'pi-2')],
    ...overrides,
  };
}

export function sampleProgress(overrides: Partial<DeployProgress> = {}): DeployProgress {
  return {
    deploymentId: 'dep_1',
    deviceId: 'd1',
    deviceName: 'pi-1',
    step: 'upload',
    status: 'running',
    bytesSent: 500,
    bytesTotal: 1000,
    bytesPerSec: 2000,
    devicesDone: 0,
    devicesTotal: 2,
    ...overrides,
  };
}

export function sampleRelease(overrides: Partial<DeviceRelease> = {}): DeviceRelease {
  return {
    deviceId: 'd1',
    deviceName: 'pi-1',
    deployRoot: '/opt/edgefleet',
    modelName: 'small-cnn',
    current: {
      release: '20250102-030405-aaaaaaaa',
      sha256: 'a'.repeat(64),
      variantId: 'm_1',
      version: '20250102-030405',
    },
    previous: null,
    source: 'deploy',
    deploymentId: 'dep_1',
    updatedAt: '2025-02-01T10:00:05.000Z',
    ...overrides,
  };
}
