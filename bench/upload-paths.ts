import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../main/core/db/open-database';
import { DeployRunner } from '../main/core/deploy';
import { connect, type SshConnection, type SshTarget } from '../main/core/fleet/ssh';
import { deployTargetFor, randomArtifact, startDeviceSshd } from '../test/fixtures/deploy';
import { stopAllSshd } from '../test/fixtures/sshd';

/**
 * `npm run bench:upload-paths`: one 20 MiB SFTP upload over paths of different latency and bandwidth (a TCP
 * proxy with a delay and a rate, bench/latency-proxy.mjs, in front of a real sshd), by EdgeFleet's upload
 * (32 KiB writes, a window of 8 to 64 that grows while nothing queues) against fixed windows through ssh2's
 * fastPut: 8 × 32 KiB (what the window starts at) and 64 × 255 KiB (EdgeFleet's upload before 2026-12-07).
 * Interleaved, median of 3; a fresh connection per upload. Then a whole deploy of a 5 MiB model to one device
 * over each path (first deploy, then the idempotent re-deploy), median of 3: what the round trips cost.
 */

const sizeBytes = 20 * 2 ** 20;
const rounds = 3;
const paths = [
  { name: 'loopback', rttMs: 0, mbit: 0 },
  { name: 'LAN (1 ms, 1 Gbit/s)', rttMs: 1, mbit: 1000 },
  { name: 'VPN (20 ms, 100 Mbit/s)', rttMs: 20, mbit: 100 },
  { name: 'WAN (50 ms, no rate limit)', rttMs: 50, mbit: 0 },
  { name: 'cellular (100 ms, 20 Mbit/s)', rttMs: 100, mbit: 20 },
];
type Mode = { name: string; run: (conn: SshConnection, local: string, remote: string) => Promise<void> };
const fastPut =
  (concurrency: number, chunkSize: number): Mode['run'] =>
  async (conn, local, remote) => {
    const sftp = await conn.sftp();
    await new Promise<void>((resolve, reject) =>
      sftp.fastPut(local, remote, { concurrency, chunkSize }, (err) => (err ? reject(err) : resolve())),
    );
  };
const modes: Mode[] = [
  { name: 'EdgeFleet (adaptive window)', run: async (c, l, r) => void (await c.upload(l, r)) },
  { name: 'fixed 8 × 32 KiB', run: fastPut(8, 32 * 1024 - 64) },
  { name: 'fixed 64 × 255 KiB (before)', run: fastPut(64, 261_120) },
];

async function startProxy(
  port: number,
  oneWayMs: number,
  mbit: number,
): Promise<{ port: number; child: ChildProcess }> {
  const script = fileURLToPath(new URL('./latency-proxy.mjs', import.meta.url));
  const child = spawn(process.execPath, [script, String(port), String(oneWayMs), String(mbit)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve) =>
    child.stdout?.once('data', (d: Buffer) => resolve(String(d))),
  );
  return { port: Number(line.trim()), child };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const work = mkdtempSync(join(tmpdir(), 'edgefleet-upload-paths-'));
const local = join(work, 'model.bin');
writeFileSync(local, randomBytes(sizeBytes));
const sshd = await startDeviceSshd();
const rows: string[] = [];
const deployRows: string[] = [];
try {
  for (const path of paths) {
    const proxy =
      path.rttMs === 0 && path.mbit === 0 ? null : await startProxy(sshd.port, path.rttMs / 2, path.mbit);
    const target: SshTarget = {
      host: sshd.host,
      port: proxy?.port ?? sshd.port,
      username: sshd.username,
      auth: { kind: 'key', privateKeyPath: sshd.clientKeyPath },
      pinnedHostKey: sshd.hostPublicKey,
      timeouts: { connectMs: 30_000, commandMs: 120_000 },
    };
    const times = new Map<string, number[]>(modes.map((m) => [m.name, []]));
    const deploys = { first: [] as number[], again: [] as number[] };
    try {
      for (let r = 0; r < rounds; r++) {
        for (const mode of r % 2 === 0 ? modes : [...modes].reverse()) {
          const conn = await connect(target);
          try {
            const t0 = performance.now();
            await mode.run(conn, local, join(sshd.dir, 'upload.bin'));
            times.get(mode.name)?.push((performance.now() - t0) / 1000);
          } finally {
            await conn.close();
          }
        }
      }
      const db = openDatabase(join(work, `deploy-${path.rttMs}-${path.mbit}.db`));
      try {
        const runner = DeployRunner.open(db);
        for (let r = 0; r < rounds; r++) {
          const root = join(sshd.dir, `deploy-${path.rttMs}-${path.mbit}-${r}`);
          const device = deployTargetFor(sshd, root, {
            ssh: { port: target.port, timeouts: target.timeouts },
          });
          const artifact = randomArtifact(join(work, 'store'), 5 * 2 ** 20, `2026120${r}-000000`);
          for (const kind of ['first', 'again'] as const) {
            const t0 = performance.now();
            const report = await runner.deployArtifact(artifact, [device], { concurrency: 1 });
            if (report.devices[0]?.status !== (kind === 'first' ? 'deployed' : 'unchanged')) {
              throw new Error(`deploy over ${path.name}: ${JSON.stringify(report.devices[0]?.error)}`);
            }
            deploys[kind].push((performance.now() - t0) / 1000);
          }
        }
      } finally {
        db.close();
      }
    } finally {
      proxy?.child.kill();
    }
    deployRows.push(
      `| ${path.name} | ${median(deploys.first).toFixed(2)} s | ${median(deploys.again).toFixed(2)} s |`,
    );
    const ours = median(times.get(modes[0]?.name ?? '') ?? []);
    const before = median(times.get(modes[2]?.name ?? '') ?? []);
    rows.push(
      `| ${path.name} | ${modes.map((m) => `${median(times.get(m.name) ?? []).toFixed(2)} s`).join(' | ')} | ${(ours / before).toFixed(2)}× |`,
    );
  }
} finally {
  await stopAllSshd();
  rmSync(work, { recursive: true, force: true });
}
console.log(
  `bench:upload-paths — one ${sizeBytes / 2 ** 20} MiB upload per cell, median of ${rounds}, interleaved\n`,
);
console.log(`| path | ${modes.map((m) => m.name).join(' | ')} | EdgeFleet ÷ before |`);
console.log(`|---|${modes.map(() => '---:').join('|')}|---:|`);
for (const row of rows) console.log(row);
console.log(`\nA whole deploy of a 5 MiB model to one device over the same paths, median of ${rounds}:\n`);
console.log('| path | first deploy | re-deploy (nothing to send) |');
console.log('|---|---:|---:|');
for (const row of deployRows) console.log(row);
