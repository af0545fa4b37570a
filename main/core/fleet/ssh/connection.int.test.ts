import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { arch, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SshdDevice } from '../../../../test/fixtures/sshd';
import {
  closedPort,
  generateKey,
  sharedClientKey,
  startSilentTcpServer,
  startSshd,
  stopAllSshd,
} from '../../../../test/fixtures/sshd';
import type { AppError } from '../../../../shared/errors';
import { connect, scanHostKey } from './connection';
import type { SshConnection } from './connection';
import { sha256File } from '../../files/sha256-file';
import { assertFingerprint } from './host-key';
import { ConnectionPool, withPool } from './pool';
import type { SshTarget } from './ssh-target';

const work = mkdtempSync(join(tmpdir(), 'edgefleet-ssh-test-'));
let device: SshdDevice;
let conn: SshConnection;
let encryptedKeyPath: string;
let strangerKeyPath: string;

function targetFor(d: SshdDevice, overrides: Partial<SshTarget> = {}): SshTarget {
  return {
    host: d.host,
    port: d.port,
    username: d.username,
    auth: { kind: 'key', privateKeyPath: d.clientKeyPath },
    pinnedHostKey: d.hostPublicKey,
    timeouts: { connectMs: 5000, commandMs: 10_000 },
    ...overrides,
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

/** Running, i.e. neither gone nor a zombie waiting for its (re)parent to reap it. */
function isAlive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const unameOf: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', arm: 'armv7l', ia32: 'i686' };

beforeAll(async () => {
  encryptedKeyPath = join(work, 'id_encrypted');
  strangerKeyPath = join(work, 'id_stranger');
  const encryptedPub = await generateKey(encryptedKeyPath, 'encrypted', 'correct horse');
  await generateKey(strangerKeyPath, 'not-authorized');
  const client = await sharedClientKey();
  device = await startSshd({ authorizedKeys: [client.publicKey, encryptedPub] });
  conn = await connect(targetFor(device));
});

afterAll(async () => {
  await conn?.close();
  await stopAllSshd();
  rmSync(work, { recursive: true, force: true });
});

describe('host key trust', () => {
  it('refuses an unknown host with the fingerprint ssh-keygen prints, and connects once pinned', async () => {
    const logBefore = device.log().length;
    const err = await failure(connect(targetFor(device, { pinnedHostKey: null })));
    expect(err.code).toBe('HOST_KEY_UNKNOWN');
    const details = err.details as { fingerprint: string; keyType: string; publicKey: string };
    expect(details.fingerprint).toBe(device.hostFingerprint);
    expect(details.keyType).toBe('ssh-ed25519');
    // Refused during key exchange: the server never saw an authentication attempt.
    expect(device.log().slice(logBefore)).not.toMatch(/Accepted|Failed|Invalid user/);

    const pinned = await connect(targetFor(device, { pinnedHostKey: details.publicKey }));
    try {
      expect(pinned.hostKey.fingerprint).toBe(device.hostFingerprint);
      const { code, stdout } = await pinned.exec(['uname', '-m']);
      expect(code).toBe(0);
      expect(stdout.trim()).toBe(unameOf[arch()] ?? arch());
    } finally {
      await pinned.close();
    }
  });

  it('scans the host key without logging in', async () => {
    const scanned = await scanHostKey(device.host, device.port, { timeoutMs: 3000 });
    expect(scanned).toEqual({
      fingerprint: device.hostFingerprint,
      keyType: 'ssh-ed25519',
      publicKey: device.hostPublicKey,
    });
    expect(() => assertFingerprint(scanned, device.hostFingerprint)).not.toThrow();
  });

  it('accepts the same pinned key on a device cloned from the same image', async () => {
    const clone = await startSshd({ hostKey: device.hostKeyPath });
    expect(clone.hostFingerprint).toBe(device.hostFingerprint);
    const c = await connect(targetFor(clone, { pinnedHostKey: device.hostPublicKey }));
    expect((await c.exec(['echo', 'clone'])).stdout).toBe('clone\n');
    await c.close();
    await clone.stop();
    // The clone's stop() must not delete the key it borrowed.
    expect(existsSync(device.hostKeyPath)).toBe(true);
  });

  it('reports a device that died mid-session as UNREACHABLE', async () => {
    const doomed = await startSshd();
    const c = await connect(targetFor(doomed));
    await doomed.kill();
    // The listener is gone but this session's own sshd process lives on; end it from the device side.
    await c.exec({ script: 'kill -9 $PPID' }).catch(() => undefined);
    await expect.poll(() => c.closed, { timeout: 2000 }).toBe(true);
    expect((await failure(c.exec(['true']))).code).toBe('UNREACHABLE');
    expect((await failure(connect(targetFor(doomed)))).code).toBe('UNREACHABLE');
  });

  it('maps scan failures like connect failures', async () => {
    expect((await failure(scanHostKey('127.0.0.1', await closedPort(), { timeoutMs: 2000 }))).code).toBe(
      'UNREACHABLE',
    );
    const silent = await startSilentTcpServer();
    expect((await failure(scanHostKey(silent.host, silent.port, { timeoutMs: 300 }))).code).toBe('TIMEOUT');
    await silent.close();
  });

  it('refuses a changed host key before anything is sent', async () => {
    const moving = await startSshd();
    const oldKey = moving.hostPublicKey;
    const oldFingerprint = moving.hostFingerprint;
    await moving.restartWithNewHostKey();
    expect(moving.hostFingerprint).not.toBe(oldFingerprint);

    const marker = join(work, 'mismatch-marker');
    const attempt = connect(targetFor(moving, { pinnedHostKey: oldKey })).then((c) =>
      c.exec(['touch', marker]),
    );
    const err = await failure(attempt);
    expect(err.code).toBe('HOST_KEY_MISMATCH');
    expect(err.details).toMatchObject({ expected: oldFingerprint, presented: moving.hostFingerprint });
    expect(existsSync(marker)).toBe(false);
    // The server never saw an authentication: verification happens during key exchange.
    expect(moving.log()).not.toMatch(/Accepted|Failed publickey|Invalid user/);
    await moving.stop();
  });
});

describe('connect failures', () => {
  it('reports a key the device does not accept as AUTH_FAILED', async () => {
    const err = await failure(
      connect(targetFor(device, { auth: { kind: 'key', privateKeyPath: strangerKeyPath } })),
    );
    expect(err.code).toBe('AUTH_FAILED');
  });

  it('reports an unknown user as AUTH_FAILED', async () => {
    const err = await failure(connect(targetFor(device, { username: 'no-such-user-edgefleet' })));
    expect(err.code).toBe('AUTH_FAILED');
  });

  it('asks for the passphrase of an encrypted key, and uses it', async () => {
    const missing = await failure(
      connect(targetFor(device, { auth: { kind: 'key', privateKeyPath: encryptedKeyPath } })),
    );
    expect(missing.code).toBe('AUTH_FAILED');
    expect(missing.details).toMatchObject({ reason: 'passphrase-required' });
    expect(missing.message).toMatch(/passphrase/);

    const wrong = await failure(
      connect(
        targetFor(device, { auth: { kind: 'key', privateKeyPath: encryptedKeyPath, passphrase: 'nope' } }),
      ),
    );
    expect(wrong.details).toMatchObject({ reason: 'bad-passphrase' });

    const ok = await connect(
      targetFor(device, {
        auth: { kind: 'key', privateKeyPath: encryptedKeyPath, passphrase: 'correct horse' },
      }),
    );
    await ok.close();
  });

  it('authenticates through an ssh-agent', async () => {
    const socket = join(work, 'agent.sock');
    const agent = spawn('/usr/bin/ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
    try {
      await expect.poll(() => existsSync(socket), { timeout: 3000 }).toBe(true);
      execFileSync('/usr/bin/ssh-add', ['-q', device.clientKeyPath], { env: { SSH_AUTH_SOCK: socket } });
      const viaAgent = await connect(targetFor(device, { auth: { kind: 'agent', socket } }));
      expect((await viaAgent.exec(['echo', 'agent'])).stdout).toBe('agent\n');
      await viaAgent.close();
    } finally {
      agent.kill();
    }
    const noAgent = await failure(connect(targetFor(device, { auth: { kind: 'agent', socket: '' } })));
    expect(noAgent.code).toBe('AUTH_FAILED');
  });

  it('logs in with the key at once: no "none" probe before it (one round trip less per login)', async () => {
    const verbose = await startSshd({ extraConfig: 'LogLevel DEBUG1' });
    try {
      const c = await connect(targetFor(verbose));
      await c.close();
      const requests = [...verbose.log().matchAll(/userauth-request for user \S+ service \S+ method (\S+)/g)];
      expect(requests.map((m) => m[1])).toEqual(['publickey', 'publickey']);
    } finally {
      await verbose.stop();
    }
  });

  it('reports a missing key file clearly', async () => {
    const err = await failure(
      connect(targetFor(device, { auth: { kind: 'key', privateKeyPath: join(work, 'nope') } })),
    );
    expect(err.code).toBe('FILE_NOT_FOUND');
    expect(err.message).toContain(join(work, 'nope'));
  });

  it('reports a closed port as UNREACHABLE at once', async () => {
    const port = await closedPort();
    const started = performance.now();
    const err = await failure(connect(targetFor(device, { port, timeouts: { connectMs: 3000 } })));
    expect(err.code).toBe('UNREACHABLE');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('gives up on a server that accepts TCP but never speaks SSH: TIMEOUT, not a hang', async () => {
    const silent = await startSilentTcpServer();
    const connectMs = 800;
    const started = performance.now();
    const err = await failure(connect(targetFor(device, { port: silent.port, timeouts: { connectMs } })));
    const elapsed = performance.now() - started;
    expect(err.code).toBe('TIMEOUT');
    expect(elapsed).toBeGreaterThanOrEqual(connectMs - 50);
    expect(elapsed).toBeLessThan(connectMs + 500);
    await silent.close();
  });

  it('stops connecting when cancelled', async () => {
    const silent = await startSilentTcpServer();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = performance.now();
    const err = await failure(
      connect(targetFor(device, { port: silent.port }), { signal: controller.signal }),
    );
    expect(err.code).toBe('CANCELLED');
    expect(performance.now() - started).toBeLessThan(1000);
    await silent.close();
  });

  it('refuses a malformed pinned key without connecting', async () => {
    const err = await failure(connect(targetFor(device, { pinnedHostKey: 'ssh-ed25519 garbage' })));
    expect(err.code).toBe('BAD_REQUEST');
  });
});

describe('exec', () => {
  it('passes every argument literally', async () => {
    const args = [
      '',
      'a b',
      "it's",
      '$(touch /tmp/edgefleet-pwned)',
      '`id`',
      'a;b',
      '*',
      '~',
      'new\nline',
      'ü ✓',
    ];
    const { stdout } = await conn.exec(['printf', '%s\\0', ...args]);
    expect(stdout.split('\0').slice(0, -1)).toEqual(args);
    expect(existsSync('/tmp/edgefleet-pwned')).toBe(false);
  });

  it('runs scripts with user values as positional parameters', async () => {
    const { stdout } = await conn.exec({ script: 'printf "%s|%s" "$1" "$#"', args: ["x'$(id)"] });
    expect(stdout).toBe("x'$(id)|1");
  });

  it('returns exit codes and stderr, feeds stdin, and throws when asked to check', async () => {
    const result = await conn.exec({ script: 'cat; echo oops >&2; exit 3' }, { stdin: 'hello' });
    expect(result).toEqual({ code: 3, signal: null, stdout: 'hello', stderr: 'oops\n' });
    const err = await failure(conn.exec(['false'], { check: true }));
    expect(err.code).toBe('REMOTE_COMMAND_FAILED');
    // A command that reads stdin gets EOF instead of hanging.
    expect((await conn.exec(['cat'])).stdout).toBe('');
  });

  it('stops a command and its children at the timeout, and keeps the connection usable', async () => {
    const pidFile = join(work, 'sleeper.pid');
    const started = performance.now();
    const err = await failure(
      // Long enough for the remote shell to start even on a loaded machine (it must write the pid file).
      conn.exec({ script: 'sleep 30 & echo $! > "$1"; wait', args: [pidFile] }, { timeoutMs: 3000 }),
    );
    expect(err.code).toBe('TIMEOUT');
    expect(performance.now() - started).toBeLessThan(8000);
    expect((await conn.exec(['echo', 'still here'])).stdout).toBe('still here\n');
    // The device is this machine: the background sleep must be gone, not orphaned.
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await expect.poll(() => isAlive(pid), { timeout: 2000 }).toBe(false);
  });

  it('cancels a command', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const err = await failure(conn.exec(['sleep', '30'], { signal: controller.signal }));
    expect(err.code).toBe('CANCELLED');
    expect((await conn.exec(['true'])).code).toBe(0);
  });
});

describe('sftp', () => {
  const size = 20 * 1024 * 1024;
  let local: string;

  beforeAll(() => {
    local = join(work, 'model.bin');
    writeFileSync(local, randomBytes(size));
  });

  it('uploads 20 MB byte-exact', async () => {
    const remote = join(device.dir, 'uploaded.bin');
    let lastProgress = 0;
    const result = await conn.upload(local, remote, {
      onProgress: (bytes, total) => {
        expect(total).toBe(size);
        expect(bytes).toBeGreaterThanOrEqual(lastProgress);
        lastProgress = bytes;
      },
    });
    expect(lastProgress).toBe(size);
    expect(result.bytes).toBe(size);
    expect(await sha256File(remote)).toBe(await sha256File(local));
    expect((await conn.readFile(remote)).length).toBe(size);
  });

  it('uploads from bytes in memory, flushes on the open handle, and sets the mode', async () => {
    const remote = join(device.dir, 'from-memory.bin');
    const bytes = await readFile(local);
    const result = await conn.upload(local, remote, { content: bytes, fsync: true, mode: 0o640 });
    expect(result).toMatchObject({ bytes: size, flushed: true });
    expect(await sha256File(remote)).toBe(await sha256File(local));
    expect(statSync(remote).mode & 0o777).toBe(0o640);
    // Bytes that are not the file (another length) are not sent: the file is read instead.
    const other = join(device.dir, 'from-disk.bin');
    await conn.upload(local, other, { content: Buffer.from('not the file') });
    expect(await sha256File(other)).toBe(await sha256File(local));
  });

  it('cancels an upload cleanly and keeps the connection usable', async () => {
    const remote = join(device.dir, 'cancelled.bin');
    const controller = new AbortController();
    let seen = 0;
    const err = await failure(
      conn.upload(local, remote, {
        signal: controller.signal,
        onProgress: (bytes) => {
          seen = bytes;
          controller.abort();
        },
      }),
    );
    expect(err.code).toBe('CANCELLED');
    expect(seen).toBeLessThan(size);
    expect((await conn.exec(['echo', 'ok'])).stdout).toBe('ok\n');
    // A new SFTP session replaces the closed one.
    const again = join(device.dir, 'after-cancel.bin');
    await conn.upload(local, again);
    expect(await sha256File(again)).toBe(await sha256File(local));
  });

  it('maps remote file errors', async () => {
    expect((await failure(conn.readFile(join(device.dir, 'missing')))).code).toBe('FILE_NOT_FOUND');
    expect((await failure(conn.upload(join(work, 'missing'), join(device.dir, 'x')))).code).toBe(
      'FILE_NOT_FOUND',
    );
  });
});

describe('jump hosts and pooling', () => {
  it('reaches a device through a jump host', async () => {
    const inner = await startSshd();
    const target = targetFor(inner, { jump: targetFor(device) });
    const tunnelled = await connect(target);
    try {
      expect(tunnelled.hostKey.fingerprint).toBe(inner.hostFingerprint);
      expect((await tunnelled.exec(['echo', 'via jump'])).stdout).toBe('via jump\n');
    } finally {
      await tunnelled.close();
      await inner.stop();
    }
  });

  it('checks the host key of the device behind the jump host too', async () => {
    const inner = await startSshd();
    const err = await failure(connect(targetFor(inner, { pinnedHostKey: null, jump: targetFor(device) })));
    expect(err.code).toBe('HOST_KEY_UNKNOWN');
    expect(err.details).toMatchObject({ fingerprint: inner.hostFingerprint });
    await inner.stop();
  });

  it('reuses one connection per target within an operation', async () => {
    const pool = new ConnectionPool();
    try {
      const [a, b] = await Promise.all([pool.get(targetFor(device)), pool.get(targetFor(device))]);
      expect(a).toBe(b);
      const c = await pool.withConnection(targetFor(device), async (x) => x);
      expect(c).toBe(a);
    } finally {
      await pool.closeAll();
    }
    const closedOne = await withPool(async (p) => p.get(targetFor(device)));
    expect(closedOne.closed).toBe(true);
  });

  it('reads and decrypts a key file once for all the connections of a pool', async () => {
    const other = await startSshd({ authorizedKeys: [readFileSync(`${encryptedKeyPath}.pub`, 'utf8')] });
    const keyPath = join(work, 'id_pool');
    writeFileSync(keyPath, readFileSync(encryptedKeyPath), { mode: 0o600 });
    const auth = { kind: 'key', privateKeyPath: keyPath, passphrase: 'correct horse' } as const;
    const pool = new ConnectionPool();
    try {
      await pool.get(targetFor(device, { auth }));
      // The file is gone, but this pool has the key already: the second device needs no second read.
      rmSync(keyPath);
      const second = await pool.get(targetFor(other, { auth }));
      expect((await second.exec(['echo', 'pooled key'])).stdout).toBe('pooled key\n');
      // Another operation reads the file again, and says it is missing.
      expect((await failure(connect(targetFor(other, { auth })))).code).toBe('FILE_NOT_FOUND');
    } finally {
      await pool.closeAll();
      await other.stop();
    }
  });
});
