import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SshdDevice } from '../../../../test/fixtures/sshd';
import { startSshd, stopAllSshd } from '../../../../test/fixtures/sshd';
import { connect } from './connection';
import { withPool } from './pool';
import { runBounded } from './run-bounded';
import type { SshTarget } from './ssh-target';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('runBounded (no network)', () => {
  it('isolates failures and keeps input order', async () => {
    const outcomes = await runBounded([1, 2, 3, 4], 2, async (n) => {
      await sleep(5 * (5 - n));
      if (n === 2) throw new Error('boom');
      return n * 10;
    });
    expect(outcomes.map((o) => (o.ok ? o.value : o.error.code))).toEqual([10, 'INTERNAL', 30, 40]);
    expect(outcomes.map((o) => o.index)).toEqual([0, 1, 2, 3]);
  });

  it('does not start items after an abort and reports them CANCELLED', async () => {
    const controller = new AbortController();
    const started: number[] = [];
    const progress: number[] = [];
    const outcomes = await runBounded(
      Array.from({ length: 10 }, (_, i) => i),
      2,
      async (n, { signal }) => {
        started.push(n);
        if (n === 1) controller.abort();
        await sleep(10);
        return signal.aborted ? 'saw abort' : 'done';
      },
      { signal: controller.signal, onProgress: ({ done }) => progress.push(done) },
    );
    expect(started).toEqual([0, 1]);
    expect(outcomes.filter((o) => !o.ok).map((o) => (o.ok ? null : o.error.code))).toEqual(
      Array.from({ length: 8 }, () => 'CANCELLED'),
    );
    expect(progress).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
  });

  it('refuses a nonsensical concurrency', async () => {
    await expect(runBounded([1], 0, async (n) => n)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('runBounded over real sshd devices', () => {
  const devices: SshdDevice[] = [];
  const targets: SshTarget[] = [];

  beforeAll(async () => {
    devices.push(...(await Promise.all(Array.from({ length: 5 }, () => startSshd()))));
    // 50 fleet entries: 10 per sshd.
    for (const d of devices) {
      for (let i = 0; i < 10; i++) {
        targets.push({
          host: d.host,
          port: d.port,
          username: d.username,
          auth: { kind: 'key', privateKeyPath: d.clientKeyPath },
          pinnedHostKey: d.hostPublicKey,
        });
      }
    }
  });

  afterAll(stopAllSshd);

  it('connects to 50 targets, never more than the limit at once', async () => {
    const limit = 8;
    let active = 0;
    let peak = 0;
    const outcomes = await runBounded(targets, limit, async (target, { signal }) => {
      active += 1;
      peak = Math.max(peak, active);
      try {
        const conn = await connect(target, { signal });
        try {
          const { stdout } = await conn.exec({
            script: 'sleep 0.05; echo "$1"',
            args: [String(target.port)],
          });
          return stdout.trim();
        } finally {
          await conn.close();
        }
      } finally {
        active -= 1;
      }
    });
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(outcomes.map((o) => (o.ok ? o.value : null))).toEqual(targets.map((t) => String(t.port)));
    expect(peak).toBe(limit);
  });

  it('shares one connection per device through a pool (default concurrency 16)', async () => {
    let peak = 0;
    let active = 0;
    const used = new Set<unknown>();
    const outcomes = await withPool((pool) =>
      runBounded(targets, undefined, (target) =>
        pool.withConnection(target, async (conn) => {
          active += 1;
          peak = Math.max(peak, active);
          used.add(conn);
          try {
            return (await conn.exec(['true'])).code;
          } finally {
            active -= 1;
          }
        }),
      ),
    );
    expect(outcomes.every((o) => o.ok && o.value === 0)).toBe(true);
    expect(used.size).toBe(devices.length);
    expect(peak).toBeLessThanOrEqual(16);
  });
});
