import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { AppError } from '../../../shared/errors';
import { releaseManifestSchema } from '../../../shared/schemas/deploy';
import { releaseFromLink, remotePaths, versionFromImportedAt } from './layout';
import { planDeploy, planForDisplay, waves, type DevicePlan } from './plan';
import {
  installScript,
  peekScript,
  lockScript,
  parseKeyValues,
  preflightScript,
  splitSections,
  switchScript,
  undoSwitchScript,
  verifyScript,
} from './remote-scripts';
import { planRollback } from './rollback';
import { planTarget } from '../../../test/fixtures/deploy-plan';
import type { DeployArtifact } from './types';

const hostileRoot = `/srv/edge fleet/it's $(touch /tmp/edgefleet-plan-pwned); rm -rf x;\`id\``;
const sha = 'ab12cd34'.padEnd(64, '0');

const artifact: DeployArtifact = {
  modelName: 'detector v2',
  variantId: 'var-1',
  version: '20240501-123456',
  sha256: sha,
  sizeBytes: 12_345,
  localPath: '/data/models/x.onnx',
  method: 'int8-dynamic',
  recipe: { method: 'int8-dynamic', config: { perChannel: true } },
  parentSha256: 'ff'.repeat(32),
};

const context = { deploymentId: 'd_test', createdAt: '2024-05-02T00:00:00.000Z', deployedBy: 'ann@laptop' };

function failure(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    return err as AppError;
  }
  throw new Error('expected a throw');
}

/** How a POSIX shell splits a command line into arguments: the device's login shell does exactly this. */
function shellArgv(line: string): string[] {
  const out = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

function stepsOf(device: DevicePlan): string[] {
  return device.steps.map((s) => s.step);
}

describe('planDeploy', () => {
  const plan = planDeploy(
    artifact,
    [
      planTarget('a', { deployRoot: hostileRoot }),
      planTarget('b', { restartCommand: null, healthCommand: null }),
    ],
    {},
    context,
  );
  const [a, b] = plan.devices as [DevicePlan, DevicePlan];

  it('lays out the release as <root>/<model>/releases/<version>-<sha8>', () => {
    expect(plan.release).toBe('20240501-123456-ab12cd34');
    expect(a.paths).toEqual({
      deployRoot: hostileRoot,
      modelDir: `${hostileRoot}/detector v2`,
      releasesDir: `${hostileRoot}/detector v2/releases`,
      releaseDir: `${hostileRoot}/detector v2/releases/20240501-123456-ab12cd34`,
      modelFile: `${hostileRoot}/detector v2/releases/20240501-123456-ab12cd34/model.onnx`,
      manifestFile: `${hostileRoot}/detector v2/releases/20240501-123456-ab12cd34/manifest.json`,
      currentLink: `${hostileRoot}/detector v2/current`,
      currentModelFile: `${hostileRoot}/detector v2/current/model.onnx`,
      tempFile: `${hostileRoot}/detector v2/releases/.incoming-${plan.deploymentId}-20240501-123456-ab12cd34`,
      lockDir: `${hostileRoot}/.edgefleet-lock`,
    });
    expect(remotePaths('/opt/edgefleet///', 'm', 'r', 'd_1').modelDir).toBe('/opt/edgefleet/m');
    expect(remotePaths('/', 'm', 'r', 'd_1').modelDir).toBe('/m');
  });

  it('orders the steps, with restart and health check only where the device has them', () => {
    expect(stepsOf(a)).toEqual([
      'connect',
      'preflight',
      'upload',
      'verify',
      'install',
      'switch',
      'restart',
      'health',
      'prune',
    ]);
    // Nothing can fail after b's switch: it confirms and prunes in the same command.
    expect(stepsOf(b)).toEqual(['connect', 'preflight', 'upload', 'verify', 'install', 'switch']);
    expect(b.steps.find((s) => s.step === 'switch')?.commands[0]?.exec).toEqual({
      script: switchScript,
      args: [b.paths.modelDir, plan.release, plan.deploymentId, '3'],
    });
    expect(a.onFailure.map((s) => s.commands.map((c) => c.id))).toEqual([['undo-switch', 'restart']]);
    expect(b.onFailure.map((s) => s.commands.map((c) => c.id))).toEqual([['undo-switch']]);
    expect(a.steps.find((s) => s.step === 'health')).toMatchObject({ attempts: 3, intervalMs: 2000 });
    expect(a.steps.find((s) => s.step === 'upload')?.upload).toEqual({
      localPath: '/data/models/x.onnx',
      remotePath: a.paths.tempFile,
      bytes: 12_345,
      mode: 0o644,
    });
  });

  it('puts every user value in a separate argument that a shell cannot reinterpret', () => {
    const byId = new Map(
      a.steps
        .flatMap((s) => s.commands)
        .concat(a.onFailure.flatMap((s) => s.commands))
        .map((c) => [c.id, c]),
    );
    const expectations: [string, string, string[]][] = [
      ['lock', lockScript, [hostileRoot, plan.deploymentId, 'detector v2', 'acquire']],
      ['peek', peekScript, [a.paths.modelDir, plan.release, '12345', a.paths.lockDir]],
      ['preflight', preflightScript, [a.paths.modelDir, plan.release, '12345', plan.deploymentId, 'hash']],
      ['install', installScript, [a.paths.tempFile, a.paths.releaseDir, sha]],
      ['switch', switchScript, [a.paths.modelDir, plan.release, plan.deploymentId]],
      ['undo-switch', undoSwitchScript, [a.paths.modelDir, plan.release, plan.deploymentId]],
      ['restart', 'systemctl restart detector', [a.paths.currentModelFile, a.paths.modelDir]],
      ['health', 'curl -fsS http://127.0.0.1:8080/health', [a.paths.currentModelFile, a.paths.modelDir]],
      ['verify', verifyScript, [a.paths.tempFile, sha]],
    ];
    for (const [id, cmd] of [
      ['unlock', a.lock.release],
      ['lock-refresh', a.lock.refresh],
    ] as const) {
      expect(cmd.id).toBe(id);
      byId.set(id, cmd);
    }
    expectations.push(
      ['unlock', lockScript, [hostileRoot, plan.deploymentId, 'detector v2', 'release']],
      ['lock-refresh', lockScript, [hostileRoot, plan.deploymentId, 'detector v2', 'refresh']],
    );
    for (const [id, script, args] of expectations) {
      const cmd = byId.get(id as never);
      expect(cmd, id).toBeDefined();
      expect(cmd?.exec).toEqual({ script, args });
      // A real POSIX shell splits the planned line back into exactly sh -c <script> edgefleet <args…>.
      expect(shellArgv(cmd?.line ?? '')).toEqual(['sh', '-c', script, 'edgefleet', ...args]);
    }
    // The user's values never leak into script text.
    for (const cmd of byId.values()) {
      if ('script' in cmd.exec) expect(cmd.exec.script).not.toContain(hostileRoot);
    }
  });

  it('writes the manifest through install stdin with the lineage fields', () => {
    const install = a.steps.find((s) => s.step === 'install')?.commands[0];
    const manifest = releaseManifestSchema.parse(JSON.parse(install?.stdin ?? ''));
    expect(manifest).toEqual({
      format: 'edgefleet-release/1',
      modelName: 'detector v2',
      variantId: 'var-1',
      version: '20240501-123456',
      release: '20240501-123456-ab12cd34',
      sha256: sha,
      sizeBytes: 12_345,
      method: 'int8-dynamic',
      recipe: { method: 'int8-dynamic', config: { perChannel: true } },
      parentSha256: 'ff'.repeat(32),
      deployedAt: '2024-05-02T00:00:00.000Z',
      deployedBy: 'ann@laptop',
      deploymentId: 'd_test',
    });
    expect(plan.manifest).toEqual(manifest);
  });

  it('has a display form without credentials', () => {
    const secret = planDeploy(
      artifact,
      [planTarget('a', { ssh: { ...planTarget('a').ssh, auth: { kind: 'password', password: 'hunter2' } } })],
      {},
      context,
    );
    expect(JSON.stringify(secret)).toContain('hunter2');
    const shown = planForDisplay(secret);
    expect(JSON.stringify(shown)).not.toContain('hunter2');
    expect(shown.devices[0]?.where).toBe('pi@10.0.0.5:22');
  });

  it('applies option defaults and canary waves', () => {
    expect(plan.options).toMatchObject({ concurrency: 8, canary: 0, maxFailPercent: null, keepReleases: 3 });
    expect(plan.waves).toEqual([['a', 'b']]);
    const canary = planDeploy(
      artifact,
      [planTarget('a'), planTarget('b'), planTarget('c')],
      { canary: 1, keepReleases: 5 },
      context,
    );
    expect(canary.waves).toEqual([['a'], ['b', 'c']]);
    const prune = canary.devices[0]?.steps.find((s) => s.step === 'prune')?.commands[0];
    expect(prune?.exec).toMatchObject({ args: ['/opt/edgefleet/detector v2', '5'] });
    expect(waves(['a', 'b'], 5)).toEqual([['a', 'b']]);
    expect(waves([], 0)).toEqual([]);
  });

  it('refuses what cannot be deployed, with a message saying what to fix', () => {
    const cases: [() => unknown, RegExp][] = [
      [() => planDeploy(artifact, [], {}, context), /at least one device/],
      [() => planDeploy(artifact, [planTarget('a'), planTarget('a')], {}, context), /listed twice/],
      [
        () => planDeploy(artifact, [planTarget('a', { deployRoot: 'relative/dir' })], {}, context),
        /absolute path/,
      ],
      [
        () => planDeploy(artifact, [planTarget('a', { deployRoot: '/x\ny' })], {}, context),
        /control characters/,
      ],
      [() => planDeploy({ ...artifact, modelName: 'a/b' }, [planTarget('a')], {}, context), /no slashes/],
      [() => planDeploy({ ...artifact, modelName: '..' }, [planTarget('a')], {}, context), /directory name/],
      [() => planDeploy({ ...artifact, version: '1.0 beta' }, [planTarget('a')], {}, context), /version/],
      [() => planDeploy({ ...artifact, sha256: 'XYZ' }, [planTarget('a')], {}, context), /sha256/],
      [() => planDeploy(artifact, [planTarget('a')], { concurrency: 0 }, context), /concurrency/],
      [() => planDeploy(artifact, [planTarget('a')], { maxFailPercent: 120 }, context), /maxFailPercent/],
    ];
    for (const [fn, message] of cases) {
      const err = failure(fn);
      expect(err.code).toBe('BAD_REQUEST');
      expect(err.message).toMatch(message);
    }
  });
});

describe('planRollback', () => {
  it('inspects, switches to @previous by default, and keeps the restart/health/switch-back path', () => {
    const plan = planRollback(
      [planTarget('a', { deployRoot: hostileRoot })],
      { modelName: 'detector v2', toRelease: null },
      {},
      context,
    );
    const device = plan.devices[0] as DevicePlan;
    expect(stepsOf(device)).toEqual(['connect', 'preflight', 'switch', 'restart', 'health', 'prune']);
    const sw = device.steps.find((s) => s.step === 'switch')?.commands[0];
    expect(sw?.exec).toEqual({
      script: switchScript,
      args: [device.paths.modelDir, '@previous', plan.deploymentId],
    });
    expect(shellArgv(sw?.line ?? '').slice(3)).toEqual([
      'edgefleet',
      `${hostileRoot}/detector v2`,
      '@previous',
      plan.deploymentId,
    ]);
    expect(device.onFailure[0]?.commands[0]?.exec).toEqual({
      script: undoSwitchScript,
      args: [device.paths.modelDir, '', plan.deploymentId],
    });
    expect(device.steps.find((s) => s.step === 'preflight')?.commands.map((c) => c.id)).toEqual([
      'lock',
      'inspect',
    ]);
    const named = planRollback(
      [planTarget('a')],
      { modelName: 'm', toRelease: '20240101-000000-deadbeef' },
      {},
      context,
    );
    expect(named.devices[0]?.steps.find((s) => s.step === 'switch')?.commands[0]?.exec).toMatchObject({
      args: ['/opt/edgefleet/m', '20240101-000000-deadbeef', named.deploymentId],
    });
    expect(failure(() => planRollback([planTarget('a')], { modelName: 'm', toRelease: '../etc' })).code).toBe(
      'BAD_REQUEST',
    );
  });
});

describe('layout and parsers', () => {
  it('turns an import time into a sortable UTC version', () => {
    expect(versionFromImportedAt('2024-05-01T12:34:56.789Z')).toBe('20240501-123456');
    expect(versionFromImportedAt('2024-05-01T14:34:56+02:00')).toBe('20240501-123456');
    expect(failure(() => versionFromImportedAt('yesterday')).code).toBe('BAD_REQUEST');
  });

  it('accepts only EdgeFleet release links', () => {
    expect(releaseFromLink('releases/20240501-123456-ab12cd34')).toBe('20240501-123456-ab12cd34');
    expect(releaseFromLink('/etc/passwd')).toBeNull();
    expect(releaseFromLink('releases/../../x')).toBeNull();
    expect(releaseFromLink(null)).toBeNull();
  });

  it('parses key=value output with a manifest tail, and tagged sections', () => {
    const parsed = parseKeyValues('a=1\nb=x=y\nnoise\n@@manifest@@\n{"k":"a=b"}\nmore=1\n');
    expect([...parsed.values]).toEqual([
      ['a', '1'],
      ['b', 'x=y'],
    ]);
    expect(parsed.manifest).toBe('{"k":"a=b"}\nmore=1\n');
    expect(parseKeyValues('a=1\n').manifest).toBeNull();
    const text = '\n@@t1:model@@\nm1\n@@t1:link@@\nreleases/x\n@@t2:fake@@\n\n@@t1:end@@\n';
    expect(splitSections(text, 't1')).toEqual([
      { name: 'model', text: 'm1' },
      { name: 'link', text: 'releases/x\n@@t2:fake@@\n' },
      { name: 'end', text: '' },
    ]);
  });
});
