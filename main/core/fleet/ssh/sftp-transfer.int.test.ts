import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppError } from '../../../../shared/errors';
import { killSshdSessions } from '../../../../test/fixtures/deploy';
import type { SshdDevice } from '../../../../test/fixtures/sshd';
import { startSshd, stopAllSshd } from '../../../../test/fixtures/sshd';
import { connect } from './connection';
import type { SshTarget } from './ssh-target';

/**
 * An upload whose connection dies must end: ssh2's fastPut alone never calls back when the server side
 * vanishes mid-transfer, and a deploy would wait forever.
 */

const work = mkdtempSync(join(tmpdir(), 'edgefleet-sftp-test-'));
const size = 24 * 1024 * 1024;
let device: SshdDevice;
let local: string;

function targetFor(d: SshdDevice): SshTarget {
  return {
    host: d.host,
    port: d.port,
    username: d.username,
    auth: { kind: 'key', privateKeyPath: d.clientKeyPath },
    pinnedHostKey: d.hostPublicKey,
    timeouts: { connectMs: 5000, commandMs: 10_000 },
  };
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (err) {
    return err as AppError;
  }
  throw new Error('expected a rejection');
}

beforeAll(async () => {
  device = await startSshd();
  local = join(work, 'big.bin');
  writeFileSync(local, randomBytes(size));
});

afterAll(async () => {
  await stopAllSshd();
  rmSync(work, { recursive: true, force: true });
});

describe('upload over a connection that drops', () => {
  it('rejects with UNREACHABLE when the server dies mid-transfer, and a new connection works', async () => {
    const conn = await connect(targetFor(device));
    let killed: number[] = [];
    let seen = 0;
    const err = await failure(
      conn.upload(local, join(device.dir, 'dropped.bin'), {
        onProgress: (bytes) => {
          seen = bytes;
          if (killed.length === 0) killed = killSshdSessions(device);
        },
      }),
    );
    expect(killed.length).toBeGreaterThan(0);
    expect(err.code).toBe('UNREACHABLE');
    expect(err.message).toContain('closed during the upload');
    expect(seen).toBeLessThan(size);
    expect(conn.closed).toBe(true);
    // The listener survived: the retry a deploy makes gets a working connection.
    const again = await connect(targetFor(device));
    try {
      const result = await again.upload(local, join(device.dir, 'retried.bin'));
      expect(result.bytes).toBe(size);
    } finally {
      await again.close();
    }
  }, 15_000);

  it('rejects with UNREACHABLE when this side closes the connection mid-transfer', async () => {
    const conn = await connect(targetFor(device));
    let closing: Promise<void> | undefined;
    const err = await failure(
      conn.upload(local, join(device.dir, 'closed.bin'), {
        onProgress: () => {
          closing ??= conn.close();
        },
      }),
    );
    await closing;
    expect(err.code).toBe('UNREACHABLE');
  }, 15_000);

  it('refuses to start on a connection that is already closed', async () => {
    const conn = await connect(targetFor(device));
    await conn.close();
    expect((await failure(conn.upload(local, join(device.dir, 'never.bin')))).code).toBe('UNREACHABLE');
  });
});
