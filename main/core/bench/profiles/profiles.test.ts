import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../shared/errors';
import type { HardwareProfile } from '../../../../shared/schemas/bench';
import { hardwareProfileSchema } from '../../../../shared/schemas/bench';
import { memoryDatabase } from '../../../../test/fixtures/temp-db';
import { builtinProfiles } from './catalog';
import { peakForThreads, peaksFromClusters } from './peak-math';
import { parseProfileFile } from './profile-file';
import { ProfileRepository } from './profile-repository';
import { thisMachineProfile } from './this-machine';

const reserved = new Set(['this-machine', ...builtinProfiles.map((p) => p.id)]);

function parseError(text: string, file: string): AppError {
  try {
    parseProfileFile(text, file, reserved);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('PROFILE_INVALID');
    return err as AppError;
  }
  throw new Error('expected PROFILE_INVALID');
}

/** Every numeric field a profile must source. */
const sourcedFields = [
  'cpuModel',
  'features',
  'peakGflopsFp32',
  'peakGflopsFp32PerThread',
  'peakGopsInt8',
  'peakGopsInt8PerThread',
  'memoryBandwidthGBs',
  'ramGB',
  'typicalPowerW',
  'llcMB',
  'relativeIpc',
];

describe('built-in profile catalog', () => {
  it('has at least 10 targets, including the ones the issue names', () => {
    expect(builtinProfiles.length).toBeGreaterThanOrEqual(10);
    const ids = builtinProfiles.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of [
      'rpi4',
      'rpi5',
      'jetson-nano-cpu',
      'jetson-orin-nano-cpu',
      'rk3588',
      'imx8mp',
      'rpi3bplus',
      'intel-n100',
      'x86-ipc-avx2',
      'x86-ipc-avx512-vnni',
    ]) {
      expect(ids).toContain(id);
    }
  });

  it.each(builtinProfiles.map((p) => [p.id, p] as const))(
    '%s validates and sources every value',
    (_id, p) => {
      expect(hardwareProfileSchema.parse(p)).toEqual(p);
      expect(p.origin).toBe('builtin');
      for (const field of sourcedFields)
        expect(p.sources[field], `${p.id}.sources.${field}`).toMatch(/\S{3}/);
      // Peaks follow from the clusters (cores × GHz × ops/cycle), per thread from the fastest core.
      expect(p.clusters).toBeDefined();
      expect(peaksFromClusters(p.clusters ?? [])).toEqual({
        peakGflopsFp32PerThread: p.peakGflopsFp32PerThread,
        peakGflopsFp32: p.peakGflopsFp32,
        peakGopsInt8PerThread: p.peakGopsInt8PerThread,
        peakGopsInt8: p.peakGopsInt8,
      });
      expect(p.typicalPowerW).toBeGreaterThan(0);
    },
  );

  it('computes the documented peaks (Pi 5: 4 × 2.4 GHz × 16 FLOP/cycle) and big.LITTLE thread sums', () => {
    const rpi5 = builtinProfiles.find((p) => p.id === 'rpi5');
    expect(rpi5?.peakGflopsFp32).toBeCloseTo(153.6, 5);
    expect(rpi5?.peakGopsInt8).toBeCloseTo(614.4, 5);
    const rk = builtinProfiles.find((p) => p.id === 'rk3588');
    // 4 big cores first, then the A55s.
    expect(peakForThreads(rk?.clusters ?? [], 4, 'fp32')).toBeCloseTo(4 * 2.4 * 16, 5);
    expect(peakForThreads(rk?.clusters ?? [], 6, 'fp32')).toBeCloseTo(4 * 2.4 * 16 + 2 * 1.8 * 8, 5);
    // Armv8.0 cores have no dot product; the VNNI IPC has it.
    expect(builtinProfiles.find((p) => p.id === 'rpi4')?.features).not.toContain('dotprod');
    expect(builtinProfiles.find((p) => p.id === 'x86-ipc-avx512-vnni')?.features).toContain('vnni');
  });
});

describe('user profile files', () => {
  const valid = `
profiles:
  - id: my-board
    name: My board
    arch: arm64
    cpuModel: 4× Cortex-A55 @ 2.0 GHz
    cores: 4
    clockGHz: 2.0
    features: [neon, dotprod]
    peakGflopsFp32PerThread: 16
    peakGflopsFp32: 64
    peakGopsInt8PerThread: 64
    peakGopsInt8: 256
    memoryBandwidthGBs: 12.8
    ramGB: 2
    typicalPowerW: 4
    sources:
      peakGflopsFp32: our measurement
`;

  it('imports a valid YAML file with defaults filled in', () => {
    const [p] = parseProfileFile(valid, '/x/profiles.yaml', reserved);
    expect(p).toMatchObject({
      id: 'my-board',
      origin: 'user',
      relativeIpc: 1,
      description: '',
      assumptions: [],
    });
  });

  it('reports each bad field with its path and the reason', () => {
    const text = `
- id: good-one
  name: ok
  arch: arm64
  cpuModel: x
  cores: 2
  clockGHz: 1
  features: []
  peakGflopsFp32PerThread: 1
  peakGflopsFp32: 2
  peakGopsInt8PerThread: 1
  peakGopsInt8: 2
  memoryBandwidthGBs: 1
  ramGB: 1
- id: Bad Id
  name: broken
  arch: mips
  cpuModel: x
  cores: 2.5
  clockGHz: 1
  features: [neon, warp-drive]
  peakGflopsFp32PerThread: 1
  peakGflopsFp32: -3
  peakGopsInt8PerThread: 1
  peakGopsInt8: 2
  ramGB: 1
  colour: blue
`;
    const err = parseError(text, '/some/dir/profiles.yaml');
    const issues = (err.details as { issues: { path: string; message: string }[] }).issues;
    const byPath = new Map(issues.map((i) => [i.path, i.message]));
    expect(byPath.get('[1].peakGflopsFp32')).toBe('expected a positive number');
    expect(byPath.get('[1].memoryBandwidthGBs')).toBe('expected a positive number');
    expect(byPath.get('[1].cores')).toBe('expected a positive whole number');
    expect(byPath.get('[1].arch')).toBe('expected one of arm64, armv7, x86_64');
    expect(byPath.get('[1].id')).toMatch(/lower-case letters/);
    expect(byPath.get('[1].features[1]')).toBeDefined();
    expect(byPath.get('[1]')).toBe('unknown field "colour"');
    expect([...byPath.keys()].some((k) => k.startsWith('[0]'))).toBe(false);
    expect(err.message).toContain('profiles.yaml: [1].peakGflopsFp32: expected a positive number');
    expect(err.message).toContain('nothing was imported');
  });

  it('refuses clusters that do not add up, built-in ids, duplicates, bad syntax and empty files', () => {
    const one = (over: Record<string, unknown>) =>
      JSON.stringify({
        id: 'b1',
        name: 'B',
        arch: 'x86_64',
        cpuModel: 'x',
        cores: 4,
        clockGHz: 3,
        features: ['avx2'],
        peakGflopsFp32PerThread: 96,
        peakGflopsFp32: 384,
        peakGopsInt8PerThread: 192,
        peakGopsInt8: 768,
        memoryBandwidthGBs: 40,
        ramGB: 16,
        ...over,
      });
    expect(
      parseError(
        one({ clusters: [{ core: 'c', count: 2, clockGHz: 3, fp32FlopsPerCycle: 32, int8OpsPerCycle: 64 }] }),
        'p.json',
      ).message,
    ).toContain('p.json: cores: expected the sum of the cluster core counts (2)');
    expect(parseError(one({ peakGflopsFp32PerThread: 1000 }), 'p.json').message).toContain(
      'peakGflopsFp32PerThread: expected at most peakGflopsFp32',
    );
    expect(parseError(one({ id: 'rpi4' }), 'p.json').message).toContain(
      'id: "rpi4" is a built-in profile id',
    );
    expect(parseError(`[${one({})}, ${one({})}]`, 'p.json').message).toContain('[1].id: "b1" is used twice');
    expect(parseError('{ "id": ', 'p.json').message).toContain('p.json: not valid JSON');
    expect(parseError('a: [1, 2\nb: }', 'p.yml').message).toMatch(/p\.yml: not valid YAML at line \d/);
    expect(parseError('[]', 'p.json').message).toContain('the file holds no profiles');
    expect(parseError('42', 'p.yaml').message).toContain('expected a profile, a list of profiles');
  });

  it('stores user profiles in SQLite (insert, replace, list, remove)', () => {
    const repo = new ProfileRepository(memoryDatabase());
    const [p] = parseProfileFile(valid, 'profiles.yaml', reserved) as [HardwareProfile];
    expect(repo.upsert(p, 'profiles.yaml')).toBe('added');
    expect(repo.upsert({ ...p, ramGB: 4 }, 'profiles.yaml')).toBe('updated');
    expect(repo.byId('my-board')?.ramGB).toBe(4);
    expect(repo.list().map((x) => x.id)).toEqual(['my-board']);
    expect(repo.remove('my-board')).toBe(true);
    expect(repo.list()).toEqual([]);
  });
});

describe('this machine', () => {
  it('is a valid profile from /proc/cpuinfo and the measured figures', () => {
    const p = thisMachineProfile({
      threads: 1,
      fp32Gflops: 50,
      int8Gops: 200,
      fp32ConvGflops: 40,
      int8ConvGops: 150,
      depthwiseGflops: 5,
      bandwidthGBs: 10,
      smallBandwidthGBs: 40,
      kernelOverheadUs: 0.5,
      runOverheadUs: 10,
      runtimeBaselineBytes: 80e6,
      ortVersion: '1.30.0',
      measuredAt: new Date().toISOString(),
    });
    expect(hardwareProfileSchema.parse(p)).toEqual(p);
    expect(p).toMatchObject({ id: 'this-machine', origin: 'measured', memoryBandwidthGBs: 10 });
    expect(p.cores).toBeGreaterThanOrEqual(1);
    expect(p.peakGflopsFp32).toBeGreaterThan(0);
    expect(p.sources['peakGflopsFp32']).toMatch(/FLOP\/cycle/);
  });
});
