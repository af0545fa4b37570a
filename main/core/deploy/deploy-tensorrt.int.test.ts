import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestEngineSchema } from '../../../shared/schemas/deploy';
import {
  cnnArtifact,
  deployTargetFor,
  hostileDirName,
  remoteState,
  sha256Of,
} from '../../../test/fixtures/deploy';
import { installFakeTensorrt, type FakeTensorrt } from '../../../test/fixtures/fake-trtexec';
import { startSshd, stopAllSshd, type SshdDevice } from '../../../test/fixtures/sshd';
import { tempDatabase } from '../../../test/fixtures/temp-db';
import { DeployRunner } from './deploy-runner';
import { releaseName } from './layout';
import type { DeployArtifact, DeployTarget } from './types';

/** The release directory's files, without the deploy's sha256 cache (`.sha256-cache`). */
const listRelease = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => f !== '.sha256-cache')
    .sort();

/**
 * Deploys with a TensorRT engine built on the device, against a real sshd whose PATH holds a trtexec that
 * prints what NVIDIA's does (test/fixtures/fake-trtexec.ts). The deploy root has quotes, spaces and `$()` in it.
 */

const { db, dir: work } = tempDatabase('edgefleet-deploy-trt-test-');
let sshd: SshdDevice;
let trt: FakeTensorrt;
let target: DeployTarget;
let root: string;
let runner: DeployRunner;
let artifactA: DeployArtifact;
let artifactB: DeployArtifact;
const model = 'detector';

const calls = (): string[][] =>
  existsSync(trt.callsLog)
    ? readFileSync(trt.callsLog, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t'))
    : [];

const releaseDir = (a: DeployArtifact) => join(root, model, 'releases', releaseName(a.version, a.sha256));

beforeAll(async () => {
  trt = installFakeTensorrt(join(work, 'jetson'));
  sshd = await startSshd({ env: { PATH: trt.path } });
  root = join(sshd.dir, hostileDirName);
  target = deployTargetFor(sshd, root, {
    deviceName: 'orin-1',
    // The service loads the engine: healthy when current has one.
    healthCommand: 'test -s "$2/current/model.engine"',
  });
  runner = DeployRunner.open(db);
  artifactA = cnnArtifact(join(work, 'store'), 1, '20240101-000000');
  artifactB = cnnArtifact(join(work, 'store'), 2, '20240102-000000');
});

afterAll(async () => {
  await stopAllSshd();
});

describe('deploy with a TensorRT engine built on the device', () => {
  it('builds the engine after the verified upload, beside the model, with its sha256 in the manifest', async () => {
    const report = await runner.deployArtifact(artifactA, [target], { tensorrt: { precision: 'fp16' } });
    const result = report.devices[0];
    expect(report.deployment.status).toBe('succeeded');
    expect(result).toMatchObject({ status: 'deployed', error: null });
    expect(Object.keys(result?.stepDurationsMs ?? {})).toEqual(
      expect.arrayContaining(['verify', 'install', 'engine', 'switch', 'health']),
    );

    const dir = releaseDir(artifactA);
    const engineFile = join(dir, 'model.engine');
    const engineBytes = readFileSync(engineFile);
    // The fake engine names what it was built from: the release's model.onnx, in fp16.
    expect(engineBytes.toString()).toContain(`onnx-sha256=${artifactA.sha256}`);
    expect(engineBytes.toString()).toContain('precision=FP32+FP16');
    // trtexec got the release's paths as single arguments, whatever the deploy root holds.
    const build = calls().at(-1) ?? [];
    expect(build[0]).toBe(`--onnx=${join(dir, 'model.onnx')}`);
    expect(build[1]).toMatch(
      new RegExp(
        `^--saveEngine=${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\.model\\.engine\\.d_[0-9a-f]+\\.tmp$`,
      ),
    );
    expect(build.slice(2)).toEqual(['--fp16']);
    for (const p of [join(homedir(), 'pwned'), '/pwned', join(sshd.dir, 'pwned')])
      expect(existsSync(p)).toBe(false);

    const state = remoteState(root, model);
    expect(state.current).toBe(`releases/${releaseName(artifactA.version, artifactA.sha256)}`);
    const engine = manifestEngineSchema.parse(state.manifest?.['tensorrt']);
    expect(engine).toMatchObject({
      file: 'model.engine',
      sha256: sha256Of(engineBytes),
      sizeBytes: engineBytes.length,
      precision: 'fp16',
      dlaCore: null,
      tensorrtVersion: '8.6.1',
    });
    // The model's own record is unchanged beside it.
    expect(state.manifest).toMatchObject({
      sha256: artifactA.sha256,
      release: releaseName(artifactA.version, artifactA.sha256),
    });
    // No temporary engine or build log is left in the release.
    expect(listRelease(dir)).toEqual(['manifest.json', 'model.engine', 'model.onnx']);

    // The build log is in the deployment record, as stored.
    const stored = runner.repo.deviceResults(report.deployment.id);
    const log = stored[0]?.log.map((l) => l.message).join('\n') ?? '';
    expect(log).toContain('&&&& PASSED TensorRT.trtexec [TensorRT v8601]');
    expect(log).toMatch(/Built model\.engine with TensorRT 8\.6\.1/);
  });

  it('does not build again when the release already has an engine built with these settings', async () => {
    const before = calls().length;
    const report = await runner.deployArtifact(artifactA, [target], { tensorrt: { precision: 'fp16' } });
    expect(report.devices[0]?.status).toBe('unchanged');
    expect(calls().length).toBe(before);
  });

  it('rebuilds when the precision changes, on the release that is already current', async () => {
    const before = calls().length;
    const report = await runner.deployArtifact(artifactA, [target], {
      tensorrt: { precision: 'best', dlaCore: 1 },
    });
    expect(report.devices[0]).toMatchObject({ status: 'deployed', error: null });
    expect(calls().length).toBe(before + 1);
    expect(calls().at(-1)?.slice(2)).toEqual(['--best', '--useDLACore=1', '--allowGPUFallback']);
    const state = remoteState(root, model);
    const engineBytes = readFileSync(join(releaseDir(artifactA), 'model.engine'));
    expect(state.manifest?.['tensorrt']).toMatchObject({
      precision: 'best',
      dlaCore: 1,
      sha256: sha256Of(engineBytes),
    });
  });

  it('a failed build changes nothing the device runs: it stays on its previous release, the log is kept', async () => {
    trt.failBuilds(true);
    try {
      const before = remoteState(root, model);
      const report = await runner.deployArtifact(artifactB, [target], { tensorrt: { precision: 'fp16' } });
      const result = report.devices[0];
      expect(report.deployment.status).toBe('failed');
      expect(result).toMatchObject({
        status: 'failed',
        step: 'engine',
        releaseBefore: releaseName(artifactA.version, artifactA.sha256),
      });
      expect(result?.error?.code).toBe('ENGINE_BUILD_FAILED');
      expect(result?.error?.message).toMatch(/stays on 20240101-000000-/);
      expect(result?.error?.message).toMatch(/unsupported layer configuration/);
      // Nothing switched, restarted or checked.
      expect(Object.keys(result?.stepDurationsMs ?? {})).not.toContain('switch');

      const after = remoteState(root, model);
      expect(after.current).toBe(before.current);
      expect(after.previous).toBe(before.previous);
      expect(after.manifest).toEqual(before.manifest);
      expect(after.temps).toEqual([]);
      // No engine (half-built or otherwise) in the new release, no temporary files.
      expect(listRelease(releaseDir(artifactB))).toEqual(['manifest.json', 'model.onnx']);
      // The database still says the device runs A.
      expect(runner.repo.release(target.deviceId, model)?.current?.release).toBe(
        releaseName(artifactA.version, artifactA.sha256),
      );
      const stored = runner.repo.deviceResults(report.deployment.id);
      const log = stored[0]?.log.map((l) => l.message).join('\n') ?? '';
      expect(log).toContain('&&&& FAILED TensorRT.trtexec [TensorRT v8601]');
      expect(log).toContain('[E] Engine could not be created from network');
    } finally {
      trt.failBuilds(false);
    }
  });

  it('builds on the next attempt once the build works again', async () => {
    const report = await runner.deployArtifact(artifactB, [target], { tensorrt: { precision: 'fp16' } });
    expect(report.devices[0]).toMatchObject({ status: 'deployed', error: null });
    // The model was already there with its sha256: nothing was sent again.
    expect(report.devices[0]?.bytesSent).toBe(0);
    const state = remoteState(root, model);
    expect(state.current).toBe(`releases/${releaseName(artifactB.version, artifactB.sha256)}`);
    expect(state.manifest?.['tensorrt']).toMatchObject({
      sha256: sha256Of(readFileSync(join(releaseDir(artifactB), 'model.engine'))),
    });
  });

  it('fails clearly on a device without trtexec, before switching', async () => {
    const bare = await startSshd();
    const bareRoot = join(bare.dir, 'fleet');
    const bareTarget = deployTargetFor(bare, bareRoot, { deviceName: 'no-trt' });
    const report = await runner.deployArtifact(artifactA, [bareTarget], { tensorrt: { precision: 'fp16' } });
    expect(report.devices[0]).toMatchObject({ status: 'failed', step: 'engine', releaseAfter: null });
    expect(report.devices[0]?.error?.code).toBe('ENGINE_BUILD_FAILED');
    expect(report.devices[0]?.error?.message).toMatch(/trtexec is not on PATH/);
    expect(remoteState(bareRoot, model).current).toBeNull();
  });
});
