import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installFakeTensorrt, type FakeTensorrt } from '../../../../test/fixtures/fake-trtexec';
import { repoPath } from '../../../../test/fixtures/repo-path';
import type { SshdDevice } from '../../../../test/fixtures/sshd';
import { startSshd, stopAllSshd } from '../../../../test/fixtures/sshd';
import { tempDatabase } from '../../../../test/fixtures/temp-db';
import { buildMlp } from '../../../../test/models';
import { createSilentLogger } from '../../logger';
import { ModelRepository } from '../../models/model-repository';
import { ModelService } from '../../models/model-service';
import { encodeModel } from '../../onnx';
import { ModelStore } from '../../store/model-store';
import type { DeviceBenchTarget } from '../bench-service';
import { BenchService } from '../bench-service';
import { ProfileRepository } from '../profiles/profile-repository';
import { BenchRepository } from '../store/bench-repository';

/**
 * Benchmarks with TensorRT on an sshd device whose trtexec is a script in NVIDIA's output format
 * (test/fixtures/fake-trtexec.ts), next to ONNX Runtime (the device's Node + this repository's
 * onnxruntime-node) on the same device.
 */

const { db, dir: work } = tempDatabase('edgefleet-trt-bench-test-');
let trt: FakeTensorrt;
let jetson: SshdDevice;
let plain: SshdDevice;
let bench: BenchService;

const target = (d: SshdDevice, name: string, profileId: string | null = null): DeviceBenchTarget => ({
  name,
  target: {
    host: d.host,
    port: d.port,
    username: d.username,
    auth: { kind: 'key', privateKeyPath: d.clientKeyPath },
    pinnedHostKey: d.hostPublicKey,
  },
  deployRoot: join(work, `${name} root's $(x)`),
  facts: null,
  profileId,
});

const calls = (): string[][] =>
  existsSync(trt.callsLog)
    ? readFileSync(trt.callsLog, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t'))
        // The probe asks for the version with --help: only builds and runs count here.
        .filter((args) => args[0] !== '--help')
    : [];

beforeAll(async () => {
  trt = installFakeTensorrt(join(work, 'jetson'));
  jetson = await startSshd({ env: { PATH: trt.path } });
  plain = await startSshd();
  const logger = createSilentLogger();
  const models = new ModelService(new ModelRepository(db), new ModelStore(join(work, 'models')), logger);
  bench = new BenchService(
    models,
    new BenchRepository(db),
    new ProfileRepository(db),
    join(work, 'tmp'),
    logger,
  );
  const modelPath = join(work, 'mlp.onnx');
  writeFileSync(modelPath, encodeModel(buildMlp()));
  await models.importFile(modelPath, { name: 'mlp' });
}, 60_000);

afterAll(async () => {
  await stopAllSshd();
});

describe('benchmark with TensorRT (trtexec) on a device', () => {
  it('builds the engine, runs it with --loadEngine and records percentiles and throughput beside ONNX Runtime', async () => {
    const device = target(jetson, 'orin-1', 'rpi4');
    const before = calls().length;
    const result = await bench.runOnDevice('mlp', device, {
      stop: { kind: 'iterations', count: 50 },
      runtime: 'tensorrt',
      tensorrt: { precision: 'fp16', dlaCore: null },
    });
    expect(result).toMatchObject({
      source: 'measured',
      target: { kind: 'device', id: 'orin-1' },
      runtime: 'tensorrt-trtexec',
      ortVersion: '8.6.1',
      // A GPU figure never corrects a CPU profile's estimates.
      profileId: null,
      predictedMs: null,
    });
    // The fake's figures for fp16 (2.4 ms median): min 0.95×, mean 1.01×, p90 1.05×, p99 1.2×, max 1.6×.
    expect(result.measured?.latency).toMatchObject({
      iterations: 50,
      p50Ms: 2.4,
      meanMs: 2.424,
      p90Ms: 2.52,
      p99Ms: 2.88,
      minMs: 2.28,
      maxMs: 3.84,
    });
    expect(result.measured?.latency.throughputPerSec).toBeCloseTo(50 / ((50 * 2.4 * 1.004) / 1000), 0);
    expect(result.measured?.tensorrt).toEqual({
      precision: 'fp16',
      dlaCore: null,
      percentilesMs: { '90': 2.52, '95': 2.592, '99': 2.88 },
      throughputQps: expect.any(Number),
    });
    expect(result.measured?.loadMs).toBeCloseTo(19.3, 5);

    // One build (one inference only), one measured run of the engine it saved.
    const [build, run] = calls().slice(before);
    const dir = /^--onnx=(.*)\/model\.onnx$/.exec(build?.[0] ?? '')?.[1] ?? '';
    expect(dir.startsWith(join(device.deployRoot, '.edgefleet-bench'))).toBe(true);
    expect(build?.slice(1)).toEqual([
      `--saveEngine=${dir}/model.engine`,
      '--iterations=1',
      '--duration=0',
      '--warmUp=0',
      '--fp16',
    ]);
    expect(run).toEqual([`--loadEngine=${dir}/model.engine`, '--iterations=50', '--duration=0']);
    expect(readdirSync(join(device.deployRoot, '.edgefleet-bench'))).toEqual([]);

    // ONNX Runtime on the same device: both figures are in its history.
    const ort = await bench.runOnDevice('mlp', target(jetson, 'orin-1'), {
      stop: { kind: 'iterations', count: 20 },
      threads: 1,
      runtime: 'node',
      nodeModulePaths: [repoPath('node_modules')],
    });
    expect(ort.runtime).toBe('onnxruntime-node');
    const history = bench.history('mlp', { kind: 'device', id: 'orin-1' });
    expect(history.map((r) => r.runtime).sort()).toEqual(['onnxruntime-node', 'tensorrt-trtexec']);
  }, 90_000);

  it('builds int8 on a DLA core and runs the engine on that core', async () => {
    const before = calls().length;
    const result = await bench.runOnDevice('mlp', target(jetson, 'orin-2'), {
      stop: { kind: 'duration', ms: 1500, minIterations: 10 },
      runtime: 'tensorrt',
      tensorrt: { precision: 'int8', dlaCore: 0 },
    });
    const [build, run] = calls().slice(before);
    expect(build?.slice(-3)).toEqual(['--int8', '--useDLACore=0', '--allowGPUFallback']);
    expect(run?.slice(1)).toEqual(['--iterations=10', '--duration=2', '--useDLACore=0']);
    // int8 (1.6 ms) on the DLA (× 1.5) for 2 s.
    expect(result.measured?.latency.p50Ms).toBe(2.4);
    expect(result.measured?.latency.iterations).toBe(Math.floor(2000 / 2.4));
    expect(result.measured?.tensorrt).toMatchObject({ precision: 'int8', dlaCore: 0 });
  }, 60_000);

  it('reports a failed engine build with trtexec’s error and records nothing', async () => {
    trt.failBuilds(true);
    try {
      const device = target(jetson, 'orin-3');
      const err = await bench
        .runOnDevice('mlp', device, { stop: { kind: 'iterations', count: 10 }, runtime: 'tensorrt' })
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(err).toMatchObject({ code: 'BENCH_FAILED' });
      expect((err as Error).message).toMatch(/could not build a TensorRT engine of mlp/);
      expect((err as Error).message).toMatch(/unsupported layer configuration/);
      expect(bench.history('mlp', { kind: 'device', id: 'orin-3' })).toEqual([]);
      expect(readdirSync(join(device.deployRoot, '.edgefleet-bench'))).toEqual([]);
    } finally {
      trt.failBuilds(false);
    }
  }, 60_000);

  it('refuses a device without trtexec with NO_RUNTIME', async () => {
    await expect(
      bench.runOnDevice('mlp', target(plain, 'pi-1'), {
        stop: { kind: 'iterations', count: 10 },
        runtime: 'tensorrt',
      }),
    ).rejects.toMatchObject({ code: 'NO_RUNTIME', message: expect.stringMatching(/no trtexec/) });
  }, 60_000);
});
