import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../../shared/errors';
import type { BenchSettings } from '../../../../shared/schemas/bench';
import type { SshdDevice } from '../../../../test/fixtures/sshd';
import { startSshd, stopAllSshd } from '../../../../test/fixtures/sshd';
import { buildMlp } from '../../../../test/models';
import { repoPath } from '../../../../test/fixtures/repo-path';
import { tempDatabase } from '../../../../test/fixtures/temp-db';
import { probeDevice } from '../../fleet/probe';
import type { SshTarget } from '../../fleet/ssh';
import { connect } from '../../fleet/ssh';
import { createSilentLogger } from '../../logger';
import { createServices } from '../../services';
import { ModelRepository } from '../../models/model-repository';
import { ModelService } from '../../models/model-service';
import { encodeModel } from '../../onnx';
import { ModelStore } from '../../store/model-store';
import type { DeviceBenchTarget } from '../bench-service';
import { BenchService } from '../bench-service';
import { ProfileRepository } from '../profiles/profile-repository';
import { parseChildOutput } from '../runner/child-protocol';
import { pythonRunnerSource } from '../runner/python-runner';
import { BenchRepository } from '../store/bench-repository';
import { parsePerfTestOutput, perfTestArgs } from './perf-test';
import { runRemoteBenchmark } from './remote-bench';

/**
 * On-device benchmarks against real sshd "devices" on this machine. The device's Node is this machine's Node; it
 * finds onnxruntime-node through NODE_PATH = this repository's node_modules (what `nodeModulePaths` is for).
 */

const { db, dir: work } = tempDatabase('edgefleet-remote-bench-test-');
const repoNodeModules = repoPath('node_modules');
let device: SshdDevice;
let bare: SshdDevice;
let bench: BenchService;
let models: ModelService;
let modelPath: string;

const targetOf = (d: SshdDevice): SshTarget => ({
  host: d.host,
  port: d.port,
  username: d.username,
  auth: { kind: 'key', privateKeyPath: d.clientKeyPath },
  pinnedHostKey: d.hostPublicKey,
});
const deviceTarget = (d: SshdDevice, name: string, profileId: string | null = null): DeviceBenchTarget => ({
  name,
  target: targetOf(d),
  deployRoot: join(work, `${name}-root`),
  facts: null,
  profileId,
});

/** A PATH with the POSIX tools the probe and the runner use, and neither node nor python3. */
function barePathDir(): string {
  const bin = join(work, 'bare-bin');
  mkdirSync(bin, { recursive: true });
  const tools = [
    'sh',
    'cat',
    'mkdir',
    'rm',
    'uname',
    'hostname',
    'getconf',
    'nproc',
    'tr',
    'df',
    'dirname',
    'head',
  ];
  for (const tool of [...tools, 'readlink', 'sleep', 'kill']) {
    const path = execFileSync('/bin/sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
    if (path.startsWith('/')) symlinkSync(path, join(bin, tool));
  }
  return bin;
}

beforeAll(async () => {
  device = await startSshd();
  bare = await startSshd({ env: { PATH: barePathDir() } });
  const logger = createSilentLogger();
  models = new ModelService(new ModelRepository(db), new ModelStore(join(work, 'models')), logger);
  bench = new BenchService(
    models,
    new BenchRepository(db),
    new ProfileRepository(db),
    join(work, 'tmp'),
    logger,
    {
      calibrationEffort: 0.34,
    },
  );
  modelPath = join(work, 'mlp.onnx');
  writeFileSync(modelPath, encodeModel(buildMlp()));
  await models.importFile(modelPath, { name: 'mlp' });
}, 60_000);

afterAll(async () => {
  await stopAllSshd();
});

const fast: Partial<BenchSettings> & { stop: BenchSettings['stop'] } = {
  stop: { kind: 'iterations', count: 20 },
};

describe('benchmark on an sshd device', () => {
  it('runs the Node runner with the device’s node + onnxruntime-node and stores the result as measured on it', async () => {
    const target = deviceTarget(device, 'pi-lab-1', 'rpi4');
    const result = await bench.runOnDevice('mlp', target, {
      ...fast,
      threads: 1,
      nodeModulePaths: [repoNodeModules],
    });
    expect(result).toMatchObject({
      source: 'measured',
      target: { kind: 'device', id: 'pi-lab-1', label: 'measured on pi-lab-1' },
      profileId: 'rpi4',
      runtime: 'onnxruntime-node',
    });
    const l = result.measured?.latency;
    expect(l?.iterations).toBe(20);
    expect(l?.p50Ms).toBeGreaterThan(0);
    expect(l?.p50Ms).toBeLessThanOrEqual(l?.p99Ms ?? 0);
    expect(result.measured?.peakRssBytes).toBeGreaterThan(0);
    expect(result.ortVersion).toMatch(/^1\.\d+/);
    // The rpi4 estimate was recorded next to it: the profile's correction is measured ÷ estimated.
    expect(result.predictedMs).toBeGreaterThan(0);
    const correction = bench.correctionFor('rpi4');
    expect(correction?.basedOn).toBe(1);
    expect(correction?.factor).toBeCloseTo((l?.p50Ms ?? 0) / (result.predictedMs ?? 1), 2);
    // Stored, and visible in the variant's history on that device.
    expect(bench.history('mlp', { kind: 'device', id: 'pi-lab-1' }).map((r) => r.id)).toEqual([result.id]);
    // The temp dir under the deploy root is gone.
    expect(readdirSync(join(target.deployRoot, '.edgefleet-bench'))).toEqual([]);

    // Later estimates for the profile carry the correction.
    const report = await bench.run(['mlp'], { profiles: ['rpi4'], local: false, threads: 1 });
    const estimate = report.results.find((r) => r.target.id === 'rpi4')?.estimate;
    expect(estimate?.correction).toEqual(correction);
  }, 90_000);

  it('refuses Node without onnxruntime-node on NODE_PATH with NO_RUNTIME and what to install', async () => {
    const err = await bench
      .runOnDevice('mlp', deviceTarget(device, 'pi-lab-2'), { ...fast, runtime: 'node' })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('NO_RUNTIME');
    expect((err as AppError).message).toContain('onnxruntime-node is not on NODE_PATH');
    expect((err as AppError).message).toContain('npm install --prefix');
  }, 30_000);

  it('refuses python3 without the onnxruntime package', async () => {
    const conn = await connect(targetOf(device));
    try {
      const deployRoot = join(work, 'py-root');
      const facts = await probeDevice(conn, { deployRoot });
      expect(facts.runtimes.onnxruntime).toBeNull();
      const err = await runRemoteBenchmark(conn, {
        modelPath,
        label: 'mlp',
        settings: {
          threads: 1,
          optimizationLevel: 'all',
          warmupIterations: 1,
          stop: { kind: 'iterations', count: 2 },
          inputs: [{ name: 'x', dtype: 'float32', dims: [4, 64] }],
          inputData: { kind: 'random', seed: 1 },
        },
        deployRoot,
        facts,
        runtime: 'python',
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((err as AppError).code).toBe('NO_RUNTIME');
      expect((err as AppError).message).toContain('pip3 install onnxruntime');
    } finally {
      await conn.close();
    }
  }, 30_000);

  it('gives NO_RUNTIME on a device whose PATH has neither node nor python3', async () => {
    const err = await bench.runOnDevice('mlp', deviceTarget(bare, 'bare-1'), fast).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('NO_RUNTIME');
    expect((err as AppError).message).toContain('neither python3 nor node');
    expect((err as AppError).message).toMatch(
      /pip3 install onnxruntime.*npm install --prefix .*onnxruntime_perf_test/s,
    );
  }, 30_000);
});

describe('a device from the fleet inventory (what --device D resolves)', () => {
  it('benchmarks a trusted, probed inventory device by name', async () => {
    const services = createServices({ dataDir: join(work, 'fleet-data'), logger: createSilentLogger() });
    try {
      await services.models.importFile(modelPath, { name: 'mlp' });
      services.fleet.add({
        name: 'shelf-7',
        host: device.host,
        port: device.port,
        user: device.username,
        keyPath: device.clientKeyPath,
        deployRoot: join(work, 'shelf-7-root'),
      });
      expect((await services.fleet.trust(['shelf-7'], [device.hostFingerprint]))[0]?.ok).toBe(true);
      expect((await services.fleet.probe(['shelf-7']))[0]?.ok).toBe(true);
      const target = services.bench.resolveDevice('shelf-7');
      expect(target.facts?.runtimes.node).toMatch(/^v\d+/);
      const result = await services.bench.runOnDevice('mlp', target, {
        ...fast,
        threads: 1,
        nodeModulePaths: [repoNodeModules],
      });
      expect(result.target).toEqual({ kind: 'device', id: 'shelf-7', label: 'measured on shelf-7' });
      expect(services.bench.list({ target: { kind: 'device', id: 'shelf-7' } }).map((r) => r.id)).toEqual([
        result.id,
      ]);
      expect(() => services.bench.resolveDevice('nope')).toThrow(AppError);
    } finally {
      await services.close();
    }
  }, 60_000);
});

describe('runner scripts and tools', () => {
  it('the Python runner speaks the protocol: no onnxruntime → a runtime failure line', () => {
    const dir = mkdtempSync(join(work, 'py-'));
    writeFileSync(join(dir, 'runner.py'), pythonRunnerSource);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ modelPath: 'x.onnx' }));
    let stdout = '';
    try {
      // Debian's python3 has numpy but not onnxruntime.
      stdout = execFileSync('/usr/bin/python3', [join(dir, 'runner.py'), join(dir, 'config.json')], {
        encoding: 'utf8',
      });
    } catch (err) {
      stdout = String((err as { stdout?: string }).stdout ?? '');
      expect((err as { status?: number }).status).toBe(3);
    }
    const parsed = parseChildOutput(stdout);
    expect(parsed).toMatchObject({ ok: false, stage: 'runtime' });
    expect(parsed?.ok === false && parsed.message).toContain('cannot import onnxruntime');
  });

  it('parses onnxruntime_perf_test’s summary and builds its arguments', () => {
    const out = [
      'Session creation time cost: 0.0421 s',
      'First inference time cost: 3 ms',
      'Total inference time cost: 0.250 s',
      'Total inference requests: 100',
      'Average inference time cost: 2.5 ms',
      'Total inference run time: 0.251 s',
      'Number of inferences per second: 398.4',
      'Avg CPU usage: 97 %',
      'Peak working set size: 41943040 bytes',
      'Min Latency: 0.0021 s',
      'Max Latency: 0.0049 s',
      'P50 Latency: 0.0024 s',
      'P90 Latency: 0.0028 s',
      'P95 Latency: 0.0030 s',
      'P99 Latency: 0.0041 s',
      'P999 Latency: 0.0049 s',
    ].join('\n');
    const m = parsePerfTestOutput(out, '1.18.0');
    expect(m.latency).toMatchObject({
      iterations: 100,
      meanMs: 2.5,
      p50Ms: 2.4,
      p90Ms: 2.8,
      p99Ms: 4.1,
      minMs: 2.1,
    });
    expect(m.latency.throughputPerSec).toBe(400);
    expect(m).toMatchObject({
      runtime: 'onnxruntime_perf_test',
      ortVersion: '1.18.0',
      loadMs: 42.1,
      peakRssBytes: 41943040,
    });
    expect(() => parsePerfTestOutput('Segmentation fault', '1.18.0')).toThrow(/no summary/);
    const settings: BenchSettings = {
      threads: 4,
      optimizationLevel: 'all',
      warmupIterations: 5,
      stop: { kind: 'iterations', count: 50 },
      inputs: [],
      inputData: { kind: 'random', seed: 1 },
    };
    expect(perfTestArgs(settings, { batch: 1, height: 48 })).toEqual([
      '-m',
      'times',
      '-r',
      '50',
      '-e',
      'cpu',
      '-x',
      '4',
      '-y',
      '1',
      '-o',
      '99',
      '-I',
      '-f',
      'batch:1',
      '-f',
      'height:48',
    ]);
  });
});
