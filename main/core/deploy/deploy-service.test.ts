import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Device } from '../../../shared/schemas/fleet';
import type { Model } from '../../../shared/schemas/models';
import { cleanUpAfter, tempDir } from '../../../test/fixtures/temp-dir';
import { buildSmallCnn, writeTestModel } from '../../../test/models';
import { createSilentLogger } from '../logger';
import { createServices, type Services } from '../services';
import { DeployRepository } from './deploy-repository';

/**
 * Names and ids meet records in one place, DeployService: these run it as createServices builds it, over a
 * real SQLite file, a real model store and the real fleet inventory. Nothing here connects to a device.
 */

let services: Services;
let detector: Model;
let variant: Model;
let pi: Device;

async function importModel(name: string, seed: number): Promise<Model> {
  const path = join(services.dataDir, '..', `${name}.onnx`);
  await writeTestModel(buildSmallCnn(seed), path);
  return (await services.models.importFile(path, { name })).model;
}

/** What a finished deployment leaves in the database, written as the runner writes it. */
function recordRelease(device: Device, modelName: string, release: string): void {
  const repo = new DeployRepository(services.db);
  const id = `d_${device.name}_${release}`;
  repo.createDeployment(
    {
      id,
      kind: 'deploy',
      modelName,
      variantId: null,
      version: null,
      release,
      sha256: null,
      sizeBytes: null,
      requestedBy: 'test@here',
      createdAt: '2026-01-01T00:00:00.000Z',
      options: {},
      targets: [
        { deviceId: device.id, deviceName: device.name, where: device.host, deployRoot: device.deployRoot },
      ],
      runnerPid: process.pid,
      runnerHost: 'here',
    },
    [{ deviceId: device.id, deviceName: device.name, bytesTotal: 0 }],
  );
  repo.finishDeployment(id, 'succeeded', null, '2026-01-01T00:00:01.000Z');
  repo.saveRelease({
    deviceId: device.id,
    deviceName: device.name,
    deployRoot: device.deployRoot,
    modelName,
    current: { release, sha256: null, variantId: null, version: null },
    previous: null,
    source: 'deploy',
    deploymentId: id,
    updatedAt: '2026-01-01T00:00:01.000Z',
  });
}

beforeEach(async () => {
  const work = tempDir('edgefleet-deploy-service-');
  const opened = createServices({ dataDir: join(work, 'data'), logger: createSilentLogger() });
  services = opened;
  cleanUpAfter(() => void opened.close());
  detector = await importModel('detector', 1);
  // A variant as the optimizer leaves it in the library: a model row whose parent is detector.
  const made = await importModel('detector-fp16', 2);
  services.db
    .prepare("UPDATE models SET parent_id = ?, method = 'fp16' WHERE id = ?")
    .run(detector.id, made.id);
  variant = services.models.get(made.id);
  pi = services.fleet.add({ name: 'pi-1', host: '192.0.2.1', deployRoot: '/srv/edge', tags: ['lab'] });
  services.fleet.add({ name: 'pi-2', host: '192.0.2.2', tags: ['lab'] });
});

describe('DeployService: names or ids, resolved in one place', () => {
  it('prepares the same deploy for a model and device given by name or by id', () => {
    const byName = services.deploy.prepare('detector', ['pi-1']);
    const byId = services.deploy.prepare(detector.id, [pi.id]);
    for (const prepared of [byName, byId]) {
      expect(prepared.model.id).toBe(detector.id);
      expect(prepared.targets.map((t) => [t.deviceId, t.deviceName, t.deployRoot])).toEqual([
        [pi.id, 'pi-1', '/srv/edge'],
      ]);
      expect(prepared.plan.devices.map((d) => d.deviceName)).toEqual(['pi-1']);
    }
    expect(byId.plan.release).toBe(byName.plan.release);
  });

  it('deploys a variant into the directory of the model its lineage starts from', () => {
    const prepared = services.deploy.prepare(variant.name, ['tag:lab']);
    expect(prepared.artifact).toMatchObject({ modelName: 'detector', variantId: variant.id });
    expect(prepared.artifact.parentSha256).toBe(detector.sha256);
    expect(prepared.devices.map((d) => d.name)).toEqual(['pi-1', 'pi-2']);
    expect(services.deploy.preview(variant.id, ['all'])).toMatchObject({
      modelId: variant.id,
      modelName: 'detector',
      devices: [{ deviceName: 'pi-1' }, { deviceName: 'pi-2' }],
    });
  });

  it('refuses an unknown model or device with NOT_FOUND before anything is planned', () => {
    expect(() => services.deploy.prepare('nope', ['pi-1'])).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND' }),
    );
    expect(() => services.deploy.prepare('detector', ['pi-9'])).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND' }),
    );
    expect(() => services.deploy.resolveDevices(['pi-9'])).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND' }),
    );
  });

  it('finds status and history by device name or id, and a removed device by its recorded name', () => {
    recordRelease(pi, 'detector', '20260101-000000-aaaaaaaa');
    const expected = [{ deviceId: pi.id, modelName: 'detector' }];
    expect(services.deploy.status('pi-1')).toMatchObject(expected);
    expect(services.deploy.status(pi.id)).toMatchObject(expected);
    expect(services.deploy.status('pi-2')).toEqual([]);
    expect(services.deploy.history({ device: 'PI-1' }).map((d) => d.release)).toEqual([
      '20260101-000000-aaaaaaaa',
    ]);
    services.fleet.remove('pi-1');
    expect(services.deploy.status('pi-1')).toMatchObject(expected);
    expect(services.deploy.history({ device: pi.id })).toHaveLength(1);
    expect(() => services.deploy.status('never-there')).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND' }),
    );
  });

  it('rolls back the one recorded model, or the directory a named library model deploys to', () => {
    expect(() => services.deploy.prepareRollback(['pi-1'], {})).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND' }),
    );
    recordRelease(pi, 'detector', '20260101-000000-aaaaaaaa');
    expect(services.deploy.prepareRollback(['pi-1'], {}).plan.modelName).toBe('detector');
    expect(services.deploy.prepareRollback([pi.id], { model: variant.name }).plan.modelName).toBe('detector');
    expect(services.deploy.prepareRollback(['pi-1'], { model: variant.id }).plan.modelName).toBe('detector');
  });
});
