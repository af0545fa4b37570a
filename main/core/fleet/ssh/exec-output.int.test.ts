import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SshdDevice } from '../../../../test/fixtures/sshd';
import { startSshd, stopAllSshd } from '../../../../test/fixtures/sshd';
import { connect, type SshConnection } from './connection';

/** Issue 15 item 7: a remote command's output is buffered with a cap; past it the command is stopped. */

let device: SshdDevice;
let conn: SshConnection;

beforeAll(async () => {
  device = await startSshd();
  conn = await connect({
    host: device.host,
    port: device.port,
    username: device.username,
    auth: { kind: 'key', privateKeyPath: device.clientKeyPath },
    pinnedHostKey: device.hostPublicKey,
    timeouts: { connectMs: 5000, commandMs: 20_000 },
  });
});
afterAll(async () => {
  await conn?.close();
  await stopAllSshd();
});

describe('remote output cap', () => {
  it('stops a command that prints without end, on stdout or stderr, and keeps the connection usable', async () => {
    await expect(conn.exec(['yes'], { maxOutputBytes: 256 * 1024 })).rejects.toMatchObject({
      code: 'REMOTE_COMMAND_FAILED',
      details: { stream: 'stdout', maxOutputBytes: 256 * 1024 },
    });
    await expect(conn.exec({ script: 'yes >&2' }, { maxOutputBytes: 256 * 1024 })).rejects.toMatchObject({
      code: 'REMOTE_COMMAND_FAILED',
      details: { stream: 'stderr' },
    });
    const ok = await conn.exec(
      { script: 'head -c 100000 /dev/zero | tr "\\0" a' },
      { maxOutputBytes: 256 * 1024 },
    );
    expect(ok.stdout).toHaveLength(100_000);
  });

  it('applies the default cap without being asked', async () => {
    await expect(conn.exec(['yes'])).rejects.toMatchObject({
      code: 'REMOTE_COMMAND_FAILED',
      details: { maxOutputBytes: 8 * 1024 * 1024 },
    });
    expect((await conn.exec(['echo', 'still here'])).stdout).toBe('still here\n');
  });
});
