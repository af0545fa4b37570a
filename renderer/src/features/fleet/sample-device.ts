import type { Device } from '../../../../shared/schemas/fleet';

/** A device record shaped like what main returns, for unit tests of the Fleet page's logic. */
export function sampleDevice(overrides: Partial<Device> = {}): Device {
  return {
    id: 'd_000000000001',
    name: 'pi-1',
    host: '10.0.0.11',
    port: 22,
    user: 'pi',
    authMethod: 'key',
    keyPath: '~/.ssh/id_ed25519',
    jump: null,
    tags: ['lab'],
    profile: null,
    deployRoot: '/opt/edgefleet',
    restartCmd: null,
    healthCmd: null,
    notes: null,
    createdAt: '2025-01-02T03:04:05.000Z',
    updatedAt: '2025-01-02T03:04:05.000Z',
    hostKey: null,
    jumpHostKey: null,
    probe: null,
    status: null,
    lastSeenAt: null,
    ...overrides,
  };
}
