import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs, promisify } from 'node:util';
import pLimit from 'p-limit';
import { openDatabase } from '../main/core/db/open-database';
import { DeployRunner, type DeployArtifact, type DeployTarget } from '../main/core/deploy';
import { AnsibleEngine } from '../main/core/deploy/ansible/engine';
import { inventoryFromTargets } from '../main/core/deploy/ansible/inventory';
import { findAnsiblePlaybook } from '../main/core/deploy/ansible/run-playbook';
import { planDeploy } from '../main/core/deploy/plan';
import type { DeploymentReport } from '../shared/schemas/deploy';
import { deployTargetFor, startDeviceSshd, writeArtifact } from '../test/fixtures/deploy';
import { stopAllSshd, type SshdDevice } from '../test/fixtures/sshd';
import { cliDeploy, prepareCliFleet } from './deploy-cli-phase';

/**
 * `npm run bench:deploy`: one artifact to many device entries on loopback (several sshd processes, each
 * serving several deploy roots): EdgeFleet's deploy against a sequential OpenSSH `scp` loop of the same
 * file into the same directories, in the same run, then EdgeFleet's idempotent re-deploy. Options:
 * --devices 5 --entries 10 --size-mb 20 --concurrency 8. A raw parallel scp (as many at a time as our
 * concurrency, no checks) runs in the same run too: the strongest plain baseline.
 *
 * `--fleet N`: N sshd processes with one deploy root each and a 20 MiB file (issue 13's fleet mode).
 *
 * `--load` (`npm run bench:deploy -- --load`): the 200-device rollout of issue 15 — 10 sshd × 20 deploy roots,
 * a 1 MB file, concurrency 16 (each overridable): no failures allowed; this process's peak RSS and peak
 * open file descriptors are sampled every 50 ms and reported, for a deploy and an idempotent re-deploy.
 *
 * EdgeFleet does more per destination than scp (preflight, sha256 on the device, manifest, atomic switch,
 * prune) and is timed end to end, database writes included. Besides wall time, each phase's CPU time is
 * measured (this process + every child: scp/ssh, and each phase's own sshd processes, stopped after it):
 * on a shared machine wall time depends on other load, CPU time much less.
 */

const run = promisify(execFile);
const { values: args } = parseArgs({
  options: {
    devices: { type: 'string' },
    entries: { type: 'string' },
    'size-mb': { type: 'string' },
    concurrency: { type: 'string' },
    load: { type: 'boolean', default: false },
    fleet: { type: 'string' },
    'ansible-devices': { type: 'string' },
  },
});
const load = args.load === true;
// --fleet N: one sshd per device, N devices, 20 MiB (issue 13): every device is its own host and handshake.
const fleet = args.fleet === undefined ? null : Number(args.fleet);
// --load and --fleet change the defaults only; a flag given explicitly wins either way.
const deviceCount = Number(args.devices ?? fleet ?? (load ? '10' : '5'));
const entriesPerDevice = Number(args.entries ?? (fleet !== null ? '1' : load ? '20' : '10'));
const sizeBytes =
  fleet !== null && args['size-mb'] === undefined
    ? 20 * 2 ** 20
    : Number(args['size-mb'] ?? (load ? '1' : '20')) * 1_000_000;
const concurrency = Number(args.concurrency ?? (load ? '16' : '8'));
const ticksPerSecond = 100;

/** CPU seconds of this process and of its waited-for children (scp/ssh, and sshd once stopped). */
function cpuSeconds(): { self: number; children: number } {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14–17 of proc(5): utime, stime, cutime, cstime (f[0] is field 3).
  const ticks = (i: number): number => Number(f[i] ?? 0) / ticksPerSecond;
  return { self: ticks(11) + ticks(12), children: ticks(13) + ticks(14) };
}

function cpuSince(start: { self: number; children: number }): { total: number; self: number } {
  const now = cpuSeconds();
  const self = now.self - start.self;
  return { total: self + now.children - start.children, self };
}

/** cpu: everything (this process, scp/ssh children, the phase's sshd); desktopCpu: what the deploying machine spends. */
type Phase = {
  name: string;
  ms: number;
  cpu: number;
  selfCpu: number;
  desktopCpu: number;
  mb: number | null;
  /** Destinations of this phase when not all the entries (the Ansible row). */
  dests?: number;
};

async function startDevices(): Promise<SshdDevice[]> {
  return Promise.all(Array.from({ length: deviceCount }, () => startDeviceSshd()));
}

/** Sessions end when their connections close; give the listeners a moment to reap them, then stop. */
async function stopDevices(): Promise<void> {
  await sleep(300);
  await stopAllSshd();
}

function entryRoot(work: string, device: number, entry: number): string {
  return join(work, 'roots', `device-${device}`, `entry-${entry}`);
}

/**
 * Round-robin over the sshd processes: the devices in flight at one time are different "hosts", as in a
 * real fleet, not eight deploy roots behind one sshd.
 */
function targetsFor(sshds: SshdDevice[], work: string): DeployTarget[] {
  return Array.from({ length: entriesPerDevice }, (_, j) =>
    sshds.map((sshd, i) =>
      deployTargetFor(sshd, entryRoot(work, i, j), {
        deviceId: `bench-${i}-${j}`,
        deviceName: `bench-${i}-${j}`,
      }),
    ),
  ).flat();
}

/** A known_hosts file pinning every device's host key, for the OpenSSH rows. */
function writeKnownHosts(path: string, sshds: SshdDevice[]): string {
  writeFileSync(path, sshds.map((d) => `[${d.host}]:${d.port} ${d.hostPublicKey}`).join('\n') + '\n');
  return path;
}

/** OpenSSH's options for one device: its key only, host key checked against known_hosts, never a prompt. */
function opensshOptions(sshd: SshdDevice, knownHosts: string): string[] {
  return ['-q', '-i', sshd.clientKeyPath]
    .concat(['-o', 'IdentitiesOnly=yes', '-o', `UserKnownHostsFile=${knownHosts}`])
    .concat(['-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes']);
}

/** Runs `task` on every item, `parallel` at a time (the first failure rejects). */
async function inPool<T>(items: T[], parallel: number, task: (item: T) => Promise<unknown>): Promise<void> {
  const limit = pLimit(parallel);
  await Promise.all(items.map((item) => limit(() => task(item))));
}

/** `parallel` copies at a time (1: a plain loop), each a fresh scp process with its own handshake. */
async function scpPhase(artifact: DeployArtifact, work: string, parallel: number): Promise<Phase> {
  const sshds = await startDevices();
  const knownHosts = writeKnownHosts(join(work, 'known_hosts'), sshds);
  // The same 50 directories EdgeFleet deploys into (scp needs them to exist; EdgeFleet creates them).
  const dests = sshds.flatMap((sshd, i) =>
    Array.from({ length: entriesPerDevice }, (_, j) => {
      const dir = entryRoot(work, i, j);
      mkdirSync(dir, { recursive: true });
      return { sshd, dir };
    }),
  );
  const cpu0 = cpuSeconds();
  const t0 = performance.now();
  // Host keys checked against known_hosts, as EdgeFleet checks its pinned keys.
  await inPool(dests, parallel, ({ sshd, dir }) =>
    run('scp', [
      ...opensshOptions(sshd, knownHosts),
      '-P',
      String(sshd.port),
      artifact.localPath,
      `${sshd.username}@${sshd.host}:${dir}/scp-copy.onnx`,
    ]),
  );
  const ms = performance.now() - t0;
  // The scp and ssh processes are reaped, the sshd ones not yet: this is the deploying machine's share.
  const desktopCpu = cpuSince(cpu0).total;
  await stopDevices();
  const cpu = cpuSince(cpu0);
  for (const { dir } of dests) {
    if (statSync(join(dir, 'scp-copy.onnx')).size !== sizeBytes)
      throw new Error(`scp to ${dir} is incomplete`);
  }
  for (const { dir } of dests) rmSync(join(dir, 'scp-copy.onnx'));
  return {
    name: parallel === 1 ? 'sequential scp loop' : `raw parallel scp (${parallel} at a time, no checks)`,
    ms,
    cpu: cpu.total,
    selfCpu: cpu.self,
    desktopCpu,
    mb: (dests.length * sizeBytes) / 1e6,
  };
}

async function deployPhase(
  name: string,
  service: DeployRunner,
  artifact: DeployArtifact,
  work: string,
  expect: 'deployed' | 'unchanged',
): Promise<{ phase: Phase; report: DeploymentReport }> {
  const sshds = await startDevices();
  const targets = targetsFor(sshds, work);
  const cpu0 = cpuSeconds();
  const t0 = performance.now();
  const report = await service.deployArtifact(artifact, targets, { concurrency });
  const ms = performance.now() - t0;
  await stopDevices();
  const cpu = cpuSince(cpu0);
  const wrong = report.devices.filter((d) => d.status !== expect);
  if (wrong.length > 0) {
    throw new Error(`${wrong.length} entries ended ${wrong[0]?.status}: ${wrong[0]?.error?.message ?? ''}`);
  }
  const sent = report.devices.reduce((n, d) => n + d.bytesSent, 0);
  return {
    phase: {
      name,
      ms,
      cpu: cpu.total,
      selfCpu: cpu.self,
      desktopCpu: cpu.self,
      mb: sent > 0 ? sent / 1e6 : null,
    },
    report,
  };
}

/**
 * The Ansible engine (`--engine ansible`): the same plan run by ansible-playbook. Ansible forks a Python
 * worker per host and task, so its row covers `--ansible-devices` destinations (default: one deploy root per
 * sshd), each on its own sshd, with forks = the concurrency; compare its ms per destination.
 */
async function ansiblePhase(
  artifact: DeployArtifact,
  work: string,
  db: ReturnType<typeof openDatabase>,
): Promise<Phase | null> {
  try {
    findAnsiblePlaybook();
  } catch {
    console.log('(no ansible-playbook here: the Ansible row is left out; sudo apt-get install ansible)');
    return null;
  }
  const count = Number(args['ansible-devices'] ?? deviceCount);
  const sshds = await Promise.all(Array.from({ length: count }, () => startDeviceSshd()));
  const targets = sshds.map((sshd, i) =>
    deployTargetFor(sshd, join(work, 'ansible-roots', `device-${i}`), {
      deviceId: `ansible-${i}`,
      deviceName: `ansible-${i}`,
    }),
  );
  const engine = new AnsibleEngine(DeployRunner.open(db));
  const cpu0 = cpuSeconds();
  const t0 = performance.now();
  const report = await engine.run(
    planDeploy(artifact, targets, { concurrency }),
    inventoryFromTargets(targets),
    {
      forks: concurrency,
    },
  );
  const ms = performance.now() - t0;
  await stopDevices();
  const cpu = cpuSince(cpu0);
  const wrong = report.devices.filter((d) => d.status !== 'deployed');
  if (wrong.length > 0)
    throw new Error(`Ansible: ${wrong.length} ended ${wrong[0]?.status}: ${wrong[0]?.error?.message ?? ''}`);
  return {
    name: `EdgeFleet deploy through Ansible (forks ${concurrency}, ${count} destinations)`,
    ms,
    cpu: cpu.total,
    selfCpu: cpu.self,
    // ansible-playbook and its ssh children run on the deploying machine, as do the "devices" here.
    desktopCpu: cpu.total,
    mb: (count * sizeBytes) / 1e6,
    dests: count,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

/** Peak RSS and open file descriptors of this process while `fn` runs (sampled every 50 ms). */
async function sampled<T>(fn: () => Promise<T>): Promise<{ value: T; peakRssMb: number; peakFds: number }> {
  let peakRss = process.memoryUsage().rss;
  let peakFds = readdirSync('/proc/self/fd').length;
  const timer = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    peakFds = Math.max(peakFds, readdirSync('/proc/self/fd').length);
  }, 50);
  try {
    const value = await fn();
    return { value, peakRssMb: peakRss / 2 ** 20, peakFds };
  } finally {
    clearInterval(timer);
  }
}

/** The 200-device rollout: bounded concurrency, no failures, memory and descriptors reported. */
async function loadRun(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'edgefleet-bench-deploy-load-'));
  const entries = deviceCount * entriesPerDevice;
  try {
    console.log(
      `bench:deploy --load — ${(sizeBytes / 1e6).toFixed(0)} MB to ${entries} devices (${deviceCount} sshd × ${entriesPerDevice} deploy roots), concurrency ${concurrency}; ${cpus().length} CPUs, load average ${loadavg()[0]?.toFixed(1)} at start`,
    );
    const artifact = writeArtifact(join(work, 'store'), randomBytes(sizeBytes), {
      version: '20240101-000000',
    });
    const db = openDatabase(join(work, 'edgefleet.db'));
    const service = DeployRunner.open(db);
    const idle = { rssMb: process.memoryUsage().rss / 2 ** 20, fds: readdirSync('/proc/self/fd').length };
    console.log('');
    console.log('| phase | devices ok | failed | wall time (s) | peak RSS (MB) | peak open fds |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const [name, expect] of [
      ['deploy', 'deployed'],
      ['re-deploy (idempotent)', 'unchanged'],
    ] as const) {
      const sshds = await startDevices();
      const targets = targetsFor(sshds, work);
      const t0 = performance.now();
      const {
        value: report,
        peakRssMb,
        peakFds,
      } = await sampled(() => service.deployArtifact(artifact, targets, { concurrency }));
      const ms = performance.now() - t0;
      await stopDevices();
      const ok = report.devices.filter((d) => d.status === expect).length;
      console.log(
        `| ${name} | ${ok} | ${entries - ok} | ${(ms / 1000).toFixed(2)} | ${peakRssMb.toFixed(0)} | ${peakFds} |`,
      );
      const wrong = report.devices.find((d) => d.status !== expect);
      if (wrong !== undefined) {
        throw new Error(
          `${entries - ok} devices did not end ${expect}: ${wrong.status} ${wrong.error?.message ?? ''}`,
        );
      }
    }
    db.close();
    console.log('');
    console.log(
      `before the rollouts: RSS ${idle.rssMb.toFixed(0)} MB, ${idle.fds} open fds. Leftover locks or temp files: ${leftovers(work)}`,
    );
  } finally {
    await stopAllSshd();
    rmSync(work, { recursive: true, force: true });
  }
}

/** Device locks or temporary names left in any deploy root (there must be none). */
function leftovers(work: string): number {
  let n = 0;
  for (let i = 0; i < deviceCount; i++) {
    for (let j = 0; j < entriesPerDevice; j++) {
      const root = entryRoot(work, i, j);
      n += readdirSync(root).filter((e) => e.startsWith('.')).length;
      n += readdirSync(join(root, 'detector')).filter((e) => e.startsWith('.')).length;
      n += readdirSync(join(root, 'detector', 'releases')).filter((e) => e.startsWith('.')).length;
    }
  }
  return n;
}

/**
 * The floor of a re-deploy on these cores: OpenSSH logging in to every device and running `true`, as many at
 * a time as the deploy, host keys checked — one login and one command per device, as a re-deploy does. The
 * key exchange ssh2 uses (curve25519), not OpenSSH's default post-quantum hybrid, which costs both ends more.
 */
async function sshTrueRound(sshds: SshdDevice[], knownHosts: string): Promise<number> {
  const t0 = performance.now();
  await inPool(sshds, concurrency, (sshd) =>
    run('ssh', [
      ...opensshOptions(sshd, knownHosts),
      '-o',
      'KexAlgorithms=curve25519-sha256',
      '-p',
      String(sshd.port),
      `${sshd.username}@${sshd.host}`,
      'true',
    ]),
  );
  return performance.now() - t0;
}

/** Fleet mode: the idempotent re-deploy as a user runs it, through the CLI (a fresh process each time). */
async function cliRedeploys(work: string): Promise<void> {
  const sshds = await startDevices();
  try {
    const dataDir = await prepareCliFleet(work, sshds, sizeBytes);
    const knownHosts = writeKnownHosts(join(work, 'known_hosts_cli'), sshds);
    const first = await cliDeploy(dataDir, concurrency);
    if (first.statuses.some((s) => s !== 'deployed'))
      throw new Error(`CLI deploy: ${first.statuses.join(', ')}`);
    const times: number[] = [];
    const floor: number[] = [];
    // Interleaved: the cores drift by 20 % within a minute.
    for (let i = 0; i < 5; i++) {
      const again = await cliDeploy(dataDir, concurrency);
      if (again.statuses.some((s) => s !== 'unchanged')) {
        throw new Error(`CLI re-deploy: ${again.statuses.join(', ')}`);
      }
      times.push(again.ms);
      floor.push(await sshTrueRound(sshds, knownHosts));
    }
    const med = median(times) / 1000;
    const floorMed = median(floor) / 1000;
    const list = (xs: number[]): string => xs.map((t) => (t / 1000).toFixed(2)).join(', ');
    console.log(
      `through the CLI (\`edgefleet deploy bench-model --to tag:bench\`, a new process each time): first deploy ${(first.ms / 1000).toFixed(2)} s; idempotent re-deploy median of 5 ${med.toFixed(2)} s (${list(times)}; target ≤ 1.5 s for 20 devices: ${med <= 1.5 ? 'met' : 'NOT met'})`,
    );
    console.log(
      `the same logins with nothing deployed (OpenSSH \`ssh device true\` to the ${sshds.length} devices, up to ${concurrency} at a time, curve25519, interleaved): median ${floorMed.toFixed(2)} s (${list(floor)}); the CLI re-deploy = ${(med / floorMed).toFixed(2)}× that`,
    );
  } finally {
    await stopDevices();
  }
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'edgefleet-bench-deploy-'));
  const entries = deviceCount * entriesPerDevice;
  try {
    console.log(
      `bench:deploy — ${(sizeBytes / 1e6).toFixed(0)} MB to ${entries} device entries (${deviceCount} sshd × ${entriesPerDevice} deploy roots) on loopback; ${cpus().length} CPUs, load average ${loadavg()[0]?.toFixed(1)} at start`,
    );
    const artifact = writeArtifact(join(work, 'store'), randomBytes(sizeBytes), {
      version: '20240101-000000',
    });
    const scp = await scpPhase(artifact, work, 1);
    const scpParallel = await scpPhase(artifact, work, concurrency);

    const db = openDatabase(join(work, 'edgefleet.db'));
    const service = DeployRunner.open(db);
    // Each deploy phase gets fresh sshd processes (for the CPU count); the deploy roots persist, which is
    // what makes the second deploy idempotent. New host keys: the targets pin whatever each phase presents.
    const first = await deployPhase(
      `EdgeFleet deploy (concurrency ${concurrency})`,
      service,
      artifact,
      work,
      'deployed',
    );
    const again = await deployPhase(
      'EdgeFleet re-deploy (idempotent, 0 B sent)',
      service,
      artifact,
      work,
      'unchanged',
    );
    const ansible = await ansiblePhase(artifact, work, db);
    db.close();

    const phases = [scp, scpParallel, first.phase, again.phase, ...(ansible === null ? [] : [ansible])];
    console.log('');
    console.log('| method | wall time (s) | aggregate MB/s | ms per destination | CPU time (s) |');
    console.log('|---|---:|---:|---:|---:|');
    for (const p of phases) {
      const rate = p.mb === null ? '—' : (p.mb / (p.ms / 1000)).toFixed(1);
      console.log(
        `| ${p.name} | ${(p.ms / 1000).toFixed(2)} | ${rate} | ${(p.ms / (p.dests ?? entries)).toFixed(0)} | ${p.cpu.toFixed(2)} |`,
      );
    }
    const ratio = scp.ms / first.phase.ms;
    console.log('');
    console.log(
      `speed-up vs the scp loop: ${ratio.toFixed(2)}× (target ≥ 3×: ${ratio >= 3 ? 'met' : 'NOT met'})`,
    );
    const vsRaw = first.phase.ms / scpParallel.ms;
    console.log(
      `against raw parallel scp of the same bytes: ${vsRaw.toFixed(2)}× its wall time (target ≤ 1.0×: ${vsRaw <= 1 ? 'met' : 'NOT met'}); CPU ${(first.phase.cpu / scpParallel.cpu).toFixed(2)}× its CPU (target ≤ 0.5×)`,
    );
    console.log(
      `idempotent re-deploy: ${(again.phase.ms / 1000).toFixed(2)} s, ${(scp.ms / again.phase.ms).toFixed(1)}× faster than the scp loop`,
    );
    const perDest = (s: number): string => `${((s / entries) * 1000).toFixed(0)} ms`;
    console.log(
      `CPU per destination: scp loop ${perDest(scp.cpu)}; EdgeFleet ${perDest(first.phase.cpu)}, of which ${perDest(first.phase.selfCpu)} in this Node process (ssh2 client, SQLite) and ${perDest(first.phase.cpu - first.phase.selfCpu)} on the "devices" (sshd, sha256sum, scripts)`,
    );
    const perDevice = (p: Phase): number => (p.desktopCpu / entries) * 1000;
    const cpuRatio = perDevice(first.phase) / perDevice(scpParallel);
    console.log(
      `desktop CPU per destination: raw parallel scp ${perDevice(scpParallel).toFixed(0)} ms (its scp and ssh processes); EdgeFleet ${perDevice(first.phase).toFixed(0)} ms (this process) = ${cpuRatio.toFixed(2)}× (target ≤ 0.5×: ${cpuRatio <= 0.5 ? 'met' : 'NOT met'})`,
    );
    if (fleet !== null) await cliRedeploys(work);
    const steps = ['connect', 'preflight', 'upload', 'verify', 'install', 'switch', 'prune'];
    console.log(
      `EdgeFleet median per entry (ms): ${steps.map((s) => `${s} ${median(first.report.devices.map((d) => d.stepDurationsMs[s] ?? 0)).toFixed(0)}`).join(', ')}`,
    );
  } finally {
    await stopAllSshd();
    rmSync(work, { recursive: true, force: true });
  }
}

await (load ? loadRun() : main());
