import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeFactsSchema } from '../../../../shared/schemas/fleet';
import { installFakeTensorrt, type FakeTensorrt } from '../../../../test/fixtures/fake-trtexec';
import { startSshd, stopAllSshd, type SshdDevice } from '../../../../test/fixtures/sshd';
import { tempDir } from '../../../../test/fixtures/temp-dir';
import type { SshConnection } from '../ssh/connection';
import { connect } from '../ssh/connection';
import { probeDevice } from './probe-device';

/** The probe over real sshd: one device with a TensorRT tar layout on its PATH, one without. */

const work = tempDir('edgefleet-probe-trt-test-');
let trt: FakeTensorrt;
const conns: SshConnection[] = [];

async function open(device: SshdDevice): Promise<SshConnection> {
  const conn = await connect({
    host: device.host,
    port: device.port,
    username: device.username,
    auth: { kind: 'key', privateKeyPath: device.clientKeyPath },
    pinnedHostKey: device.hostPublicKey,
  });
  conns.push(conn);
  return conn;
}

/** Device nodes this machine really has (none in CI): the probe must count exactly these. */
function nodeCount(names: string[]): number {
  return names.filter((n) => existsSync(n)).length;
}

beforeAll(() => {
  trt = installFakeTensorrt(join(work, 'opt'));
});

afterAll(async () => {
  for (const conn of conns) await conn.close();
  await stopAllSshd();
});

describe('probeDevice finds TensorRT', () => {
  it('reports trtexec, the TensorRT version from its banner and libnvinfer from the tar layout', async () => {
    const conn = await open(await startSshd({ env: { PATH: trt.path } }));
    const facts = await probeDevice(conn, { deployRoot: join(work, 'root') });
    expect(probeFactsSchema.parse(facts)).toEqual(facts);
    const dla = ['/dev/nvhost-nvdla0', '/dev/nvhost-nvdla1'];
    expect(facts.runtimes.tensorrt).toEqual({
      trtexec: trt.trtexec,
      version: '8.6.1',
      libnvinfer: '8.6.1',
      gpus: nodeCount(['/dev/nvidia0', '/dev/nvidia1', '/dev/nvhost-gpu', '/dev/nvgpu/igpu0']),
      dlaCores: nodeCount(dla),
    });
    expect(facts.warnings).toEqual([]);
  });

  it('reports none on a device without trtexec', async () => {
    const conn = await open(await startSshd());
    const facts = await probeDevice(conn, { deployRoot: join(work, 'root') });
    expect(facts.runtimes.tensorrt).toBeNull();
  });
});
