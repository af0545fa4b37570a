import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statfsSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { arch, cpus, hostname, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeFactsSchema } from '../../../../shared/schemas/fleet';
import type { SshdDevice } from '../../../../test/fixtures/sshd';
import { startSshd, stopAllSshd } from '../../../../test/fixtures/sshd';
import type { SshConnection } from '../ssh/connection';
import { connect } from '../ssh/connection';
import { parseOsRelease } from './parse-probe-output';
import { probeDevice } from './probe-device';

const work = mkdtempSync(join(tmpdir(), 'edgefleet-probe-test-'));
let device: SshdDevice;
let conn: SshConnection;

const unameOf: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', arm: 'armv7l', ia32: 'i686' };

/** A deployed model as the deploy step lays it out: releases/<v>/manifest.json and a `current` link. */
function deployFake(root: string, model: string, release: string, manifest: unknown): void {
  mkdirSync(join(root, model, 'releases', release), { recursive: true });
  writeFileSync(join(root, model, 'releases', release, 'manifest.json'), JSON.stringify(manifest, null, 2));
  symlinkSync(join('releases', release), join(root, model, 'current'));
}

beforeAll(async () => {
  device = await startSshd();
  conn = await connect({
    host: device.host,
    port: device.port,
    username: device.username,
    auth: { kind: 'key', privateKeyPath: device.clientKeyPath },
    pinnedHostKey: device.hostPublicKey,
  });
});

afterAll(async () => {
  await conn?.close();
  await stopAllSshd();
  rmSync(work, { recursive: true, force: true });
});

describe('probeDevice over ssh', () => {
  it('reports the facts of this machine (the "device" is local)', async () => {
    const root = join(work, 'fleet');
    deployFake(root, 'yolo', '1.0.0-ab12cd34', { model: 'yolo', version: '1.0.0', sha256: 'ab12cd34' });
    // onnxruntime-node where the app says to install it (npm install --prefix <root>/runtime …).
    const ortNode = join(root, 'runtime', 'node_modules', 'onnxruntime-node');
    mkdirSync(ortNode, { recursive: true });
    writeFileSync(
      join(ortNode, 'package.json'),
      '{\n  "name": "onnxruntime-node",\n  "version": "1.22.0"\n}\n',
    );
    const facts = await probeDevice(conn, { deployRoot: root });

    expect(probeFactsSchema.parse(facts)).toEqual(facts);
    expect(facts.runtimes.onnxruntimeNode).toBe('1.22.0');
    expect(facts.warnings).toEqual([]);
    expect(facts.hostname).toBe(hostname());
    const osRelease = parseOsRelease(readFileSync('/etc/os-release', 'utf8'));
    expect(facts.os).toEqual({
      id: osRelease.get('ID') ?? null,
      name: osRelease.get('NAME') ?? null,
      versionId: osRelease.get('VERSION_ID') ?? null,
      prettyName: osRelease.get('PRETTY_NAME') ?? null,
    });
    expect(facts.kernel).toEqual({ name: 'Linux', release: release() });
    expect(facts.arch).toBe(unameOf[arch()] ?? arch());
    expect(facts.cpu.cores).toBe(Number(execFileSync('nproc', { encoding: 'utf8' }).trim()));
    expect(facts.cpu.logicalCpus).toBe(cpus().length);
    expect(facts.cpu.model).toBe(cpus()[0]?.model.trim());
    expect(facts.cpu.flags.length).toBeGreaterThan(0);
    if (arch() === 'x64' && facts.cpu.flags.includes('avx2')) expect(facts.cpu.features).toContain('avx2');
    expect(facts.memory.totalBytes).not.toBeNull();
    expect(Math.abs((facts.memory.totalBytes ?? 0) - totalmem()) / totalmem()).toBeLessThan(0.01);
    expect(facts.memory.availableBytes).toBeGreaterThan(0);

    const fs = statfsSync(root);
    expect(facts.disk).toMatchObject({ deployRoot: root, deployRootExists: true, probedPath: root });
    expect(facts.disk.totalBytes).toBe(fs.blocks * fs.bsize);
    // Other tests write files meanwhile: free space only roughly equal.
    expect(Math.abs((facts.disk.availableBytes ?? 0) - fs.bavail * fs.bsize)).toBeLessThan(1e9);

    expect(facts.deployments).toEqual([
      {
        model: 'yolo',
        current: 'releases/1.0.0-ab12cd34',
        manifest: { model: 'yolo', version: '1.0.0', sha256: 'ab12cd34' },
        error: null,
      },
    ]);

    // Runtimes as the remote session (its PATH) sees them.
    const seen = await conn.exec({ script: 'python3 --version 2>&1; node --version 2>/dev/null; true' });
    const python = /Python (\S+)/.exec(seen.stdout)?.[1] ?? null;
    expect(facts.runtimes.python).toBe(python);
    expect(facts.runtimes.node).toBe(/^(v\d\S*)$/m.exec(seen.stdout)?.[1] ?? null);
  });

  it('treats a hostile deploy root literally', async () => {
    mkdirSync(join(work, 'x'), { recursive: true });
    const pwned = join(work, 'x', 'pwned');
    const root = join(work, 'x', `a b'c$(touch ${pwned});d`);
    deployFake(root, 'model one', '2.0.0-0badf00d', { model: 'model one', version: '2.0.0' });
    // A sibling that a glob or an unquoted expansion would also match.
    deployFake(join(work, 'x', 'a'), 'decoy', '1-1', { decoy: true });

    const facts = await probeDevice(conn, { deployRoot: root });
    expect(existsSync(pwned)).toBe(false);
    expect(facts.disk.deployRoot).toBe(root);
    expect(facts.disk.deployRootExists).toBe(true);
    expect(facts.deployments.map((d) => d.model)).toEqual(['model one']);
    expect(facts.deployments[0]?.manifest).toEqual({ model: 'model one', version: '2.0.0' });
  });

  it('treats glob characters literally and measures the nearest existing ancestor of a new root', async () => {
    deployFake(join(work, 'globbed-yes'), 'decoy', '1-1', { decoy: true });
    const root = join(work, 'globbed-*', 'not yet', '$HOME');
    const facts = await probeDevice(conn, { deployRoot: root });
    expect(facts.disk).toMatchObject({ deployRoot: root, deployRootExists: false, probedPath: work });
    expect(facts.disk.availableBytes).toBeGreaterThan(0);
    expect(facts.deployments).toEqual([]);
  });

  it('refuses a relative deploy root', async () => {
    await expect(probeDevice(conn, { deployRoot: 'edgefleet' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
  });
});
