import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { AppError } from '../../../../shared/errors';
import { planTarget } from '../../../../test/fixtures/deploy-plan';
import { sha256Of } from '../../../../test/fixtures/deploy';
import { memoryDatabase } from '../../../../test/fixtures/temp-db';
import { tempDir } from '../../../../test/fixtures/temp-dir';
import { parseInventory } from '../../fleet/inventory-io';
import { DeployRunner } from '../deploy-runner';
import { planDeploy, type DeployPlan } from '../plan';
import { preflightScript, switchScript, verifyScript } from '../remote-scripts';
import type { DeployArtifact } from '../types';
import { writeAnsibleBundle } from './bundle';
import { AnsibleEngine } from './engine';
import { inventoryFromTargets } from './inventory';
import { bundleTexts, deploymentInfo, type AnsibleDeploymentInfo } from './playbook';
import { parseAnsibleResults } from './results';
import { findAnsiblePlaybook } from './run-playbook';

const hostileRoot = `/srv/edge {{ fleet }}/it's $(touch /tmp/edgefleet-ansible-pwned); {# x`;
const sha = 'ab12cd34'.padEnd(64, '0');
const artifact: DeployArtifact = {
  modelName: 'detector',
  variantId: 'var-1',
  version: '20240501-123456',
  sha256: sha,
  sizeBytes: 12_345,
  localPath: '/data/models/x.onnx',
  method: null,
  recipe: null,
  parentSha256: null,
};
const context = { deploymentId: 'd_test', createdAt: '2024-05-02T00:00:00.000Z', deployedBy: 'ann@laptop' };
const release = '20240501-123456-ab12cd34';

const yamlOptions = {
  version: '1.1' as const,
  customTags: [{ tag: '!unsafe', resolve: (s: string) => s }],
};

function plan(options = {}, targets = [planTarget('a', { deployRoot: hostileRoot }), planTarget('b')]) {
  return planDeploy(artifact, targets, options, context);
}

function failure(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('did not fail');
}

describe('the generated Ansible project', () => {
  it('carries the plan: the same scripts once, each device its own quoted arguments, all !unsafe', () => {
    const p = plan();
    const texts = bundleTexts(p, inventoryFromTargets([]), 4);
    const vars = parse(texts['edgefleet-vars.yml'] ?? '', yamlOptions) as Record<string, unknown>;
    const scripts = vars['edgefleet_scripts'] as Record<string, string>;
    expect(scripts['preflight']).toBe(preflightScript);
    expect(scripts['verify']).toBe(verifyScript);
    expect(scripts['switch']).toBe(switchScript);
    const hosts = vars['edgefleet_hosts'] as Record<string, Record<string, unknown>>;
    const device = p.devices[0];
    const commands = device?.steps.flatMap((s) => s.commands) ?? [];
    const preflight = commands.find((c) => c.id === 'preflight')?.exec;
    expect(preflight !== undefined && 'script' in preflight ? preflight.args : null).toEqual(
      hosts['name-a']?.['preflight'],
    );
    // The same hashing mode (5th argument) and the sha256 for install's .sha256-cache as the built-in.
    expect(hosts['name-a']?.['preflight']).toEqual(expect.arrayContaining(['hash']));
    expect(hosts['name-a']?.['install']).toEqual([
      `${hostileRoot}/detector/releases/.incoming-d_test-${release}`,
      `${hostileRoot}/detector/releases/${release}`,
      artifact.sha256,
    ]);
    expect(hosts['name-a']?.['temp_file']).toBe(
      `${hostileRoot}/detector/releases/.incoming-d_test-${release}`,
    );
    expect(hosts['name-a']?.['restart']).toEqual({
      script: 'systemctl restart detector',
      args: [`${hostileRoot}/detector/current/model.onnx`, `${hostileRoot}/detector`],
    });
    // No user value reaches Ansible's templating: every string of the data is tagged.
    const untagged = (texts['edgefleet-vars.yml'] ?? '')
      .split('\n')
      .filter((l) => l.includes('{{') && !l.includes('!unsafe'));
    expect(untagged).toEqual([]);
    const info = vars['edgefleet_deployment'] as AnsibleDeploymentInfo;
    expect(info).toEqual(deploymentInfo(p, 4));
  });

  it('pins the host keys, never turns host key checking off, and refuses an untrusted device', () => {
    const p = plan();
    const texts = bundleTexts(p, inventoryFromTargets([]), 4);
    expect(texts['known_hosts']).toContain('10.0.0.5 ssh-ed25519 AAAA');
    expect(texts['ansible.cfg']).toContain('host_key_checking = True');
    expect(Object.values(texts).join('\n')).not.toMatch(/host_key_checking\s*=\s*False/i);
    expect(texts['deploy.yml']).toContain('StrictHostKeyChecking=yes');
    const untrusted = plan({}, [planTarget('a', { ssh: { ...planTarget('a').ssh, pinnedHostKey: null } })]);
    expect(failure(() => bundleTexts(untrusted, inventoryFromTargets([]), 1)).code).toBe('HOST_KEY_UNKNOWN');
  });

  it('plays the canary first and gates the rest on it; a failure budget runs in batches of forks', () => {
    const p = plan({ canary: 1, maxFailPercent: 10 });
    const plays = parse(bundleTexts(p, inventoryFromTargets([]), 3)['deploy.yml'] ?? '', yamlOptions) as {
      hosts: string[];
      serial?: number;
      tasks: { name: string }[];
    }[];
    expect(plays.map((pl) => pl.hosts)).toEqual([['name-a'], ['name-b']]);
    expect(plays.map((pl) => pl.serial)).toEqual([3, 3]);
    expect(plays[1]?.tasks.map((t) => t.name.split(' ')[0])).toEqual([
      'edgefleet:gate',
      'edgefleet:budget',
      'The',
    ]);
  });

  it('writes the inventory as devices export does, without passwords', () => {
    const inv = inventoryFromTargets([
      planTarget('a', { deployRoot: hostileRoot }),
      planTarget('b', { ssh: { ...planTarget('b').ssh, auth: { kind: 'password', password: 's3cret' } } }),
    ]);
    expect(inv.text).not.toContain('s3cret');
    const parsed = parseInventory('ansible-ini', inv.text);
    expect(parsed.rows).toEqual([]);
    expect(
      parsed.records.map((r) => [r.name, r.fields['deployRoot'] ?? null, r.fields['authMethod']]),
    ).toEqual([
      ['name-a', hostileRoot, 'key'],
      ['name-b', null, 'password'],
    ]);
  });
});

describe('writing the project', () => {
  it('writes all files or nothing, never into a non-empty directory', async () => {
    const dir = tempDir('edgefleet-ansible-bundle-');
    const bytes = new Uint8Array([1, 2, 3]);
    const model = join(dir, 'm.onnx');
    writeFileSync(model, bytes);
    const good = planDeploy(
      { ...artifact, localPath: model, sha256: sha256Of(bytes), sizeBytes: 3 },
      [planTarget('a')],
      {},
      context,
    );
    const out = await writeAnsibleBundle(join(dir, 'out'), good, inventoryFromTargets([]), 2);
    expect(readdirSync(out).sort()).toEqual([
      'README.md',
      'ansible.cfg',
      'deploy.yml',
      'edgefleet-device.yml',
      'edgefleet-vars.yml',
      'inventory.ini',
      'known_hosts',
      'model.onnx',
    ]);
    await expect(writeAnsibleBundle(out, good, inventoryFromTargets([]), 2)).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    const bad = planDeploy({ ...artifact, localPath: model, sizeBytes: 3 }, [planTarget('a')], {}, context);
    await expect(
      writeAnsibleBundle(join(dir, 'bad'), bad, inventoryFromTargets([]), 2),
    ).rejects.toMatchObject({
      code: 'CHECKSUM_MISMATCH',
    });
    expect(existsSync(join(dir, 'bad'))).toBe(false);
    expect(readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('says how to install Ansible when ansible-playbook is missing, and records nothing', async () => {
    expect(failure(() => findAnsiblePlaybook({ PATH: '' }))).toMatchObject({
      code: 'ANSIBLE_NOT_FOUND',
      message: expect.stringContaining('apt-get install ansible'),
    });
    const runner = DeployRunner.open(memoryDatabase());
    const saved = process.env['EDGEFLEET_ANSIBLE_PLAYBOOK'];
    process.env['EDGEFLEET_ANSIBLE_PLAYBOOK'] = '/nonexistent/ansible-playbook';
    try {
      const p = plan();
      await expect(new AnsibleEngine(runner).run(p, inventoryFromTargets([]))).rejects.toMatchObject({
        code: 'ANSIBLE_NOT_FOUND',
      });
      expect(runner.repo.deployments()).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env['EDGEFLEET_ANSIBLE_PLAYBOOK'];
      else process.env['EDGEFLEET_ANSIBLE_PLAYBOOK'] = saved;
    }
  });
});

// ---- Reading results -------------------------------------------------------------------------------------

type Result = Record<string, unknown>;

function callback(
  p: DeployPlan,
  perHost: Record<string, [string, Result][]>,
  extra: [string, Result][] = [],
) {
  const info = deploymentInfo(p, 2);
  const tasks: {
    task: { name: string; duration: { start: string; end: string } };
    hosts: Record<string, Result>;
  }[] = [
    {
      task: {
        name: 'edgefleet:deployment x',
        duration: { start: '2024-05-02T00:00:00Z', end: '2024-05-02T00:00:01Z' },
      },
      hosts: { 'name-a': { msg: info } },
    },
  ];
  let second = 1;
  for (const [host, list] of Object.entries(perHost)) {
    for (const [id, result] of [...list, ...extra]) {
      const start = `2024-05-02T00:00:${String(second).padStart(2, '0')}Z`;
      second += 1;
      const end = `2024-05-02T00:00:${String(second).padStart(2, '0')}Z`;
      tasks.push({
        task: { name: `edgefleet:${id} step`, duration: { start, end } },
        hosts: { [host]: result },
      });
    }
  }
  return JSON.stringify({ plays: [{ play: { name: 'p' }, tasks }], stats: {} });
}

const preflightOut = (extra = '') =>
  `removed_temp=0\nhasher=openssl\nuname=Linux 6.1 aarch64\npython3=/usr/bin/python3\navail_kb=1000000\ncurrent=${extra}\nprevious=\npending_switch=`;

describe('reading the results of a run', () => {
  const p = plan({}, [planTarget('a'), planTarget('b')]);

  it('reads a deployed device, a rolled-back one and an unreachable one as the built-in engine records them', () => {
    const deployed: [string, Result][] = [
      ['start', {}],
      ['lock', { rc: 0, stdout: 'lock=acquired' }],
      ['preflight', { rc: 0, stdout: preflightOut() }],
      ['upload', { changed: true }],
      ['verify', { rc: 0, stdout: `sha256=${sha}` }],
      ['install', { rc: 0, stdout: 'installed=x' }],
      ['switch', { rc: 0, stdout: `release=${release}\nold_current=\nold_previous=\nswitched=yes` }],
      ['restart', { rc: 0 }],
    ];
    const rolledBack: [string, Result][] = [
      ...deployed,
      ['health', { rc: 3, failed: true, stderr: 'unhealthy' }],
      ['failed', {}],
      ['undo-switch', { rc: 0, stdout: 'current=\nprevious=' }],
      ['restart-again', { rc: 0 }],
    ];
    const text = callback(p, {
      'name-a': [
        ...deployed,
        ['health', { rc: 0 }],
        ['prune', { rc: 0, stdout: 'removed=old-1' }],
        ['ok', {}],
      ],
      'name-b': rolledBack,
    });
    const results = parseAnsibleResults(`[WARNING]: noise before the document\n${text}`);
    expect(results.info.deploymentId).toBe('d_test');
    const [a, b] = results.devices;
    expect(a?.outcome).toMatchObject({
      status: 'deployed',
      step: 'done',
      bytesSent: 12_345,
      releaseAfter: release,
    });
    expect(a?.outcome.facts).toMatchObject({
      arch: 'aarch64',
      availableBytes: 1_024_000_000,
      hasher: 'openssl',
    });
    expect(a?.changes).toEqual([
      {
        found: false,
        change: {
          kind: 'switched',
          current: release,
          previous: null,
          currentRef: { release, sha256: sha, variantId: 'var-1', version: '20240501-123456' },
        },
      },
    ]);
    expect(a?.outcome.log.map((l) => l.message)).toContain('Removed old releases: old-1');
    expect(b?.outcome).toMatchObject({ status: 'rolled_back', step: 'rollback', releaseAfter: null });
    expect(b?.outcome.error?.code).toBe('HEALTH_CHECK_FAILED');
    expect(b?.changes.map((c) => c.change.kind)).toEqual(['switched', 'restored']);

    const unreachable = parseAnsibleResults(
      callback(p, {
        'name-a': [
          ['start', {}],
          ['lock', { unreachable: true, msg: 'Host key verification failed.' }],
        ],
      }),
    );
    expect(unreachable.devices[0]?.outcome.error?.code).toBe('HOST_KEY_MISMATCH');
    expect(unreachable.devices[1]?.outcome).toMatchObject({
      status: 'skipped',
      error: { code: 'DEPLOY_STOPPED' },
    });
  });

  it('reads an unchanged device, a busy one and a checksum mismatch', () => {
    const manifest = JSON.stringify({ ...p.manifest });
    const results = parseAnsibleResults(
      callback(p, {
        'name-a': [
          ['start', {}],
          ['lock', { rc: 0, stdout: 'lock=acquired' }],
          [
            'preflight',
            {
              rc: 0,
              stdout: `${preflightOut(`releases/${release}`)}\nrelease_size=12345\nrelease_sha256=${sha}\n@@manifest@@\n${manifest}`,
            },
          ],
        ],
        'name-b': [
          ['start', {}],
          ['lock', { rc: 0, stdout: 'lock=held\nholder=d_other\nholder_model=detector\nidle_s=3' }],
          ['busy', { failed: true, msg: 'held' }],
        ],
      }),
    );
    expect(results.devices[0]?.outcome).toMatchObject({
      status: 'unchanged',
      releaseBefore: release,
      bytesSent: 0,
    });
    expect(results.devices[0]?.changes[0]?.found).toBe(true);
    expect(results.devices[1]?.outcome.error).toMatchObject({
      code: 'DEVICE_BUSY',
      message: expect.stringContaining('d_other'),
    });

    const mismatch = parseAnsibleResults(
      callback(p, {
        'name-a': [
          ['start', {}],
          ['lock', { rc: 0, stdout: 'lock=acquired' }],
          ['preflight', { rc: 0, stdout: preflightOut() }],
          ['upload', {}],
          ['verify', { rc: 31, failed: true, stdout: `sha256=${'0'.repeat(64)}` }],
        ],
      }),
    );
    expect(mismatch.devices[0]?.outcome).toMatchObject({
      status: 'failed',
      step: 'verify',
      error: { code: 'CHECKSUM_MISMATCH' },
    });
  });

  it('refuses results it cannot read, naming why', () => {
    const code = (text: string) => failure(() => parseAnsibleResults(text)).code;
    expect(code('PLAY RECAP ok=3')).toBe('ANSIBLE_RESULTS_INVALID');
    expect(code('{"plays": [')).toBe('ANSIBLE_RESULTS_INVALID');
    expect(code('{"plays": [], "stats": {}}')).toBe('ANSIBLE_RESULTS_INVALID');
    expect(
      code(
        JSON.stringify({
          plays: [
            {
              play: { name: 'p' },
              tasks: [{ task: { name: 'edgefleet:deployment' }, hosts: { h: { msg: { format: 'other' } } } }],
            },
          ],
          stats: {},
        }),
      ),
    ).toBe('ANSIBLE_RESULTS_INVALID');
    expect(code(callback(p, { stranger: [['start', {}]] }))).toBe('ANSIBLE_RESULTS_INVALID');
  });
});
