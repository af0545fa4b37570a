import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { ReleaseManifest } from '../../../shared/schemas/deploy';
import { planTarget } from '../../../test/fixtures/deploy-plan';
import { buildEngineScript, buildLogCapBytes, engineRecorded, manifestWithEngine } from './engine-step';
import { planDeploy } from './plan';
import type { DeployArtifact } from './types';

const hostileRoot = `/srv/edge fleet/it's $(touch /tmp/edgefleet-plan-pwned); rm -rf x;\`id\``;

const artifact: DeployArtifact = {
  modelName: 'detector v2',
  variantId: 'var-1',
  version: '20240501-123456',
  sha256: 'ab12cd34'.padEnd(64, '0'),
  sizeBytes: 12_345,
  localPath: '/data/models/x.onnx',
  method: 'int8-static',
  recipe: null,
  parentSha256: null,
};

const context = { deploymentId: 'd_test', createdAt: '2024-05-02T00:00:00.000Z', deployedBy: 'ann@laptop' };

/** How a POSIX shell splits a command line into arguments: the device's login shell does exactly this. */
function shellArgv(line: string): string[] {
  const out = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

describe('the TensorRT engine step in a deploy plan', () => {
  it('comes after install and before the switch, with trtexec flags as quoted arguments', () => {
    const plan = planDeploy(
      artifact,
      [planTarget('a', { deployRoot: hostileRoot })],
      { tensorrt: { precision: 'int8', dlaCore: 1 } },
      context,
    );
    const device = plan.devices[0];
    const steps = device?.steps.map((s) => s.step) ?? [];
    expect(steps.indexOf('engine')).toBe(steps.indexOf('install') + 1);
    expect(steps.indexOf('switch')).toBe(steps.indexOf('engine') + 1);
    const engine = device?.steps.find((s) => s.step === 'engine');
    expect(engine?.description).toMatch(/--int8 --useDLACore=1 --allowGPUFallback/);
    const cmd = engine?.commands[0];
    expect(cmd?.id).toBe('engine');
    expect(cmd?.timeoutMs).toBe(30 * 60_000);
    expect(shellArgv(cmd?.line ?? '')).toEqual([
      'sh',
      '-c',
      buildEngineScript,
      'edgefleet',
      device?.paths.releaseDir,
      'd_test',
      String(buildLogCapBytes),
      '--int8',
      '--useDLACore=1',
      '--allowGPUFallback',
    ]);
    expect(device?.paths.releaseDir).toBe(`${hostileRoot}/detector v2/releases/20240501-123456-ab12cd34`);
  });

  it('is not in the plan without --tensorrt, and the options default to fp16 on the GPU', () => {
    const without = planDeploy(artifact, [planTarget('a')], {}, context);
    expect(without.devices[0]?.steps.map((s) => s.step)).not.toContain('engine');
    expect(without.options.tensorrt).toBeNull();
    const fp16 = planDeploy(artifact, [planTarget('a')], { tensorrt: {} }, context);
    expect(fp16.options.tensorrt).toEqual({ precision: 'fp16', dlaCore: null, timeoutMs: 30 * 60_000 });
  });

  it('refuses --int8 for a model without QDQ scales, and a DLA core in fp32', () => {
    expect(() =>
      planDeploy({ ...artifact, method: 'int8-dynamic' }, [planTarget('a')], {
        tensorrt: { precision: 'int8' },
      }),
    ).toThrow(/needs a QDQ model \(an int8-static variant/);
    expect(() =>
      planDeploy({ ...artifact, method: null }, [planTarget('a')], { tensorrt: { precision: 'int8' } }),
    ).toThrow(/original float model/);
    expect(() =>
      planDeploy(artifact, [planTarget('a')], { tensorrt: { precision: 'fp32', dlaCore: 0 } }),
    ).toThrow(/DLA core runs fp16 or int8/);
    expect(() =>
      planDeploy(artifact, [planTarget('a')], { tensorrt: { precision: 'fp8' as 'fp16' } }),
    ).toThrow(/tensorrt\.precision/);
  });

  it('knows when the manifest already records an engine built with these settings', () => {
    const plan = planDeploy(artifact, [planTarget('a')], { tensorrt: { precision: 'fp16' } }, context);
    const engine = {
      file: 'model.engine',
      sha256: 'cd'.repeat(32),
      sizeBytes: 10,
      precision: 'fp16' as const,
      dlaCore: null,
      tensorrtVersion: '8.6.1',
      builtAt: '2024-05-02T00:00:00.000Z',
    };
    const withEngine = JSON.parse(manifestWithEngine(plan.manifest, engine)) as ReleaseManifest;
    const fp16 = plan.options.tensorrt;
    expect(engineRecorded(withEngine, fp16)).toBe(true);
    expect(engineRecorded(withEngine, fp16 && { ...fp16, precision: 'best' })).toBe(false);
    expect(engineRecorded(withEngine, fp16 && { ...fp16, dlaCore: 0 })).toBe(false);
    expect(engineRecorded(plan.manifest, fp16)).toBe(false);
    expect(engineRecorded(plan.manifest, null)).toBe(true);
    // Deployed without --tensorrt now: the manifest is rewritten so it no longer claims an engine.
    expect(engineRecorded(withEngine, null)).toBe(false);
    expect(engineRecorded({ ...withEngine, tensorrt: { sha256: 'not a hash' } }, fp16)).toBe(false);
  });
});
