import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelProto } from 'onnx-buf';
import { TensorProto_DataType as DT } from 'onnx-buf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../../shared/errors';
import { buildMlp } from '../../../../test/models';
import { writeNpy } from '../../../../test/fixtures/npy';
import { createModelBuilder, type DimSpec } from '../../onnx';
import type { Sample, SampleSource } from '../types';
import { openSampleSource, splitForEvaluation, type DataSource } from '.';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'samples-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

let dirCount = 0;
async function freshDir(name = 'calib'): Promise<string> {
  const dir = join(root, `case${dirCount++}`, name);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** A one-node model (Identity per input) with the given inputs. */
function identityModel(inputs: { name: string; type: number; shape: DimSpec[] | null }[]): ModelProto {
  const b = createModelBuilder({ opset: 13 });
  for (const i of inputs) {
    b.input(i.name, i.type, i.shape);
    b.output(`${i.name}_out`, i.type, i.shape);
    b.node('Identity', [i.name], [`${i.name}_out`]);
  }
  return b.build();
}

const imageModel = identityModel([{ name: 'x', type: DT.FLOAT, shape: [1, 3, 4, 4] }]);
const twoInputModel = identityModel([
  { name: 'a', type: DT.FLOAT, shape: ['N', 4] },
  { name: 'ids', type: DT.INT64, shape: ['N', 'T'] },
]);

async function collect(source: SampleSource, range?: { start: number; end: number }): Promise<Sample[]> {
  const out: Sample[] = [];
  for await (const s of source.read(range)) out.push(s);
  return out;
}

async function appError(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

const floats = (n: number, start = 0) => Float32Array.from({ length: n }, (_, i) => start + i * 0.5);

describe('a folder of .npy files, one per sample', () => {
  it('names the input, the expected and the given dtype/shape on a mismatch', async () => {
    const dir = await freshDir();
    await writeNpy(join(dir, '000.npy'), '<f4', [3, 4, 4], floats(48));
    await writeNpy(join(dir, '007.npy'), '<f8', [3, 4, 4], new Float64Array(48));
    const e1 = await appError(openSampleSource({ kind: 'npy', path: dir }, imageModel));
    expect(e1.code).toBe('DATA_SHAPE_MISMATCH');
    expect(e1.message).toMatch(
      /^input 'x' expects float32 \[1,3,4,4\] \(batch 1 optional\); calib\/007\.npy is float64 \[3,4,4\]\. Convert it first, e\.g\. .*astype\(numpy\.float32\)/,
    );

    await writeNpy(join(dir, '007.npy'), '<f4', [3, 4, 5], new Float32Array(60));
    const e2 = await appError(openSampleSource({ kind: 'npy', path: dir }, imageModel));
    expect(e2.code).toBe('DATA_SHAPE_MISMATCH');
    expect(e2.message).toBe(
      "input 'x' expects float32 [1,3,4,4] (batch 1 optional); calib/007.npy is float32 [3,4,5].",
    );
    expect(e2.details).toMatchObject({ input: 'x', given: [3, 4, 5], file: 'calib/007.npy' });

    // A file that holds several stacked samples gets a hint on how to read it that way.
    await writeNpy(join(dir, '007.npy'), '<f4', [5, 3, 4, 4], new Float32Array(240));
    const e3 = await appError(openSampleSource({ kind: 'npy', path: dir }, imageModel));
    expect(e3.message).toMatch(/looks like 5 stacked samples: pass the path of the \.npy file itself/);
  });

  it('a fixed batch other than 1 is part of the sample; a symbolic batch must be 1 or absent', async () => {
    const mlpDir = await freshDir();
    await writeNpy(join(mlpDir, 'a.npy'), '<f4', [4, 64], floats(256));
    const mlp = await openSampleSource({ kind: 'npy', path: mlpDir }, buildMlp());
    expect((await collect(mlp))[0]!.x!.dims).toEqual([4, 64]);
    await writeNpy(join(mlpDir, 'b.npy'), '<f4', [64], floats(64));
    const e = await appError(openSampleSource({ kind: 'npy', path: mlpDir }, buildMlp()));
    expect(e.message).toBe("input 'x' expects float32 [4,64]; calib/b.npy is float32 [64].");

    const symDir = await freshDir();
    const model = identityModel([{ name: 'x', type: DT.FLOAT, shape: ['batch', 8] }]);
    await writeNpy(join(symDir, 'a.npy'), '<f4', [3, 8], floats(24));
    const e2 = await appError(openSampleSource({ kind: 'npy', path: symDir }, model));
    expect(e2.message).toBe(
      "input 'x' expects float32 [batch,8] (batch axis 'batch' of 1 optional); calib/a.npy is float32 [3,8]. " +
        'It looks like 3 stacked samples: pass the path of the .npy file itself to read it that way, or save one ' +
        'file per sample.',
    );
  });

  it('symbolic dims are fixed by the first sample', async () => {
    const dir = await freshDir();
    const model = identityModel([{ name: 'x', type: DT.FLOAT, shape: ['N', 3, 'H', 'W'] }]);
    await writeNpy(join(dir, '0.npy'), '<f4', [3, 8, 8], new Float32Array(192));
    await writeNpy(join(dir, '1.npy'), '<f4', [1, 3, 8, 8], new Float32Array(192));
    const ok = await openSampleSource({ kind: 'npy', path: dir }, model);
    expect((await collect(ok)).map((s) => s.x!.dims)).toEqual([
      [1, 3, 8, 8],
      [1, 3, 8, 8],
    ]);
    await writeNpy(join(dir, '2.npy'), '<f4', [3, 8, 9], new Float32Array(216));
    const e = await appError(openSampleSource({ kind: 'npy', path: dir }, model));
    expect(e.code).toBe('DATA_SHAPE_MISMATCH');
    expect(e.message).toMatch(
      /fixed to \[1,3,8,8\] by the first sample calib\/0\.npy; calib\/2\.npy is float32 \[3,8,9\]/,
    );
  });

  it('an empty folder is DATA_EMPTY, a missing path FILE_NOT_FOUND', async () => {
    const dir = await freshDir();
    const e = await appError(openSampleSource({ kind: 'npy', path: dir }, imageModel));
    expect(e.code).toBe('DATA_EMPTY');
    expect(e.message).toMatch(/holds no \.npy files/);
    await writeFile(join(dir, 'readme.txt'), 'hi');
    expect((await appError(openSampleSource({ kind: 'npy', path: dir }, imageModel))).code).toBe(
      'DATA_EMPTY',
    );
    const missing = await appError(openSampleSource({ kind: 'npy', path: join(dir, 'nope') }, imageModel));
    expect(missing.code).toBe('FILE_NOT_FOUND');
    expect(missing.message).toContain(join(dir, 'nope'));
  });

  it('a corrupt file among good ones is DATA_INVALID before any sample is read', async () => {
    const dir = await freshDir();
    await writeNpy(join(dir, '0.npy'), '<f4', [3, 4, 4], floats(48));
    const bytes = await writeNpy(join(dir, '1.npy'), '<f4', [3, 4, 4], floats(48));
    await writeFile(join(dir, '1.npy'), bytes.subarray(0, bytes.length - 8));
    const e = await appError(openSampleSource({ kind: 'npy', path: dir }, imageModel));
    expect(e.code).toBe('DATA_INVALID');
    expect(e.message).toMatch(/^calib\/1\.npy is truncated/);
  });

  it('stops with CANCELLED while checking files when the signal is aborted', async () => {
    const dir = await freshDir();
    await writeNpy(join(dir, '0.npy'), '<f4', [3, 4, 4], floats(48));
    const controller = new AbortController();
    controller.abort();
    const e = await appError(
      openSampleSource({ kind: 'npy', path: dir }, imageModel, { signal: controller.signal }),
    );
    expect(e.code).toBe('CANCELLED');
  });

  it('maxSamples keeps the first N in sorted order', async () => {
    const dir = await freshDir();
    for (const name of ['b', 'a', 'c'])
      await writeNpy(join(dir, `${name}.npy`), '<f4', [3, 4, 4], floats(48, name.charCodeAt(0)));
    const src = await openSampleSource({ kind: 'npy', path: dir }, imageModel, { maxSamples: 2 });
    expect(src.count).toBe(2);
    const firsts = (await collect(src)).map((s) => (s.x!.data as Float32Array)[0]);
    expect(firsts).toEqual([97, 98]);
  });
});

describe('per-input subfolders', () => {
  it('pairs files of the same name across input folders', async () => {
    const dir = await freshDir();
    for (let i = 0; i < 3; i++) {
      await writeNpy(join(dir, 'a', `s${i}.npy`), '<f4', [4], floats(4, i));
      await writeNpy(
        join(dir, 'ids', `s${i}.npy`),
        '<i8',
        [1, 5],
        BigInt64Array.from([1n, 2n, 3n, 4n, BigInt(i)]),
      );
    }
    const src = await openSampleSource({ kind: 'npy', path: dir }, twoInputModel);
    expect(src.layout).toBe('npy-per-input-folders');
    const samples = await collect(src);
    expect(samples).toHaveLength(3);
    expect(samples[2]!.a!.dims).toEqual([1, 4]);
    expect(Array.from(samples[2]!.a!.data as Float32Array)).toEqual([2, 2.5, 3, 3.5]);
    expect(samples[2]!.ids!.type).toBe('int64');
    expect(Array.from(samples[2]!.ids!.data as BigInt64Array)).toEqual([1n, 2n, 3n, 4n, 2n]);
  });

  it('refuses folders with different file sets, naming the files', async () => {
    const dir = await freshDir();
    await writeNpy(join(dir, 'a', 's0.npy'), '<f4', [4], floats(4));
    await writeNpy(join(dir, 'a', 's1.npy'), '<f4', [4], floats(4));
    await writeNpy(join(dir, 'ids', 's0.npy'), '<i8', [5], new BigInt64Array(5));
    await writeNpy(join(dir, 'ids', 's2.npy'), '<i8', [5], new BigInt64Array(5));
    const e = await appError(openSampleSource({ kind: 'npy', path: dir }, twoInputModel));
    expect(e.code).toBe('DATA_INVALID');
    expect(e.message).toMatch(/only a\/ has s1\.npy; only ids\/ has s2\.npy/);
  });

  it('refuses a multi-input model fed a flat folder, explaining the layouts', async () => {
    const dir = await freshDir();
    await writeNpy(join(dir, 's0.npy'), '<f4', [4], floats(4));
    const e = await appError(openSampleSource({ kind: 'npy', path: dir }, twoInputModel));
    expect(e.code).toBe('DATA_INVALID');
    expect(e.message).toMatch(/no subfolder for inputs 'a', 'ids'.*one subfolder per input/);
  });

  it('checks that inputs sharing a dimension name agree', async () => {
    const dir = await freshDir();
    const model = identityModel([
      { name: 'ids', type: DT.INT64, shape: ['N', 'T'] },
      { name: 'mask', type: DT.INT64, shape: ['N', 'T'] },
    ]);
    await writeNpy(join(dir, 'ids', '0.npy'), '<i8', [5], new BigInt64Array(5));
    await writeNpy(join(dir, 'mask', '0.npy'), '<i8', [6], new BigInt64Array(6));
    const e = await appError(openSampleSource({ kind: 'npy', path: dir }, model));
    expect(e.code).toBe('DATA_SHAPE_MISMATCH');
    expect(e.message).toMatch(/Dimension 'T' is 5 in input 'ids' but 6 in input 'mask'/);
  });
});

describe('stacked .npy with a leading sample axis', () => {
  it('reads sample i of a single file by seeking', async () => {
    const dir = await freshDir();
    const path = join(dir, 'all.npy');
    await writeNpy(path, '<f4', [5, 3, 4, 4], floats(240));
    const src = await openSampleSource({ kind: 'npy', path }, imageModel);
    expect(src.layout).toBe('npy-stacked');
    expect(src.count).toBe(5);
    const third = await collect(src, { start: 3, end: 4 });
    expect(third).toHaveLength(1);
    expect(third[0]!.x!.dims).toEqual([1, 3, 4, 4]);
    expect((third[0]!.x!.data as Float32Array)[0]).toBe(3 * 48 * 0.5);
    // The leading sample axis may also be followed by the batch axis of 1.
    const withBatch = join(dir, 'batched.npy');
    await writeNpy(withBatch, '<f4', [2, 1, 3, 4, 4], floats(96));
    expect((await openSampleSource({ kind: 'npy', path: withBatch }, imageModel)).count).toBe(2);
  });

  it('reads one <input>.npy per input for a multi-input model', async () => {
    const dir = await freshDir();
    await writeNpy(join(dir, 'a.npy'), '<f4', [3, 4], floats(12));
    await writeNpy(join(dir, 'ids.npy'), '<i8', [3, 1, 2], BigInt64Array.from([0n, 1n, 2n, 3n, 4n, 5n]));
    await writeFile(join(dir, 'notes.md'), '# notes');
    const src = await openSampleSource({ kind: 'npy', path: dir }, twoInputModel);
    expect(src.count).toBe(3);
    expect(src.slice(1, 2).warnings).toEqual([`Ignored 1 entry in ${dir} (not input files): notes.md.`]);
    const s = await collect(src);
    expect(Array.from(s[1]!.a!.data as Float32Array)).toEqual([2, 2.5, 3, 3.5]);
    expect(s[1]!.ids!.dims).toEqual([1, 2]);
    expect(Array.from(s[1]!.ids!.data as BigInt64Array)).toEqual([2n, 3n]);

    await writeNpy(join(dir, 'ids.npy'), '<i8', [2, 2], new BigInt64Array(4));
    const e = await appError(openSampleSource({ kind: 'npy', path: dir }, twoInputModel));
    expect(e.message).toMatch(/ids\.npy holds 2 samples but calib\/a\.npy holds 3/);
  });

  it('refuses a zero-length stack and a file for a multi-input model', async () => {
    const dir = await freshDir();
    await writeNpy(join(dir, 'none.npy'), '<f4', [0, 3, 4, 4], new Float32Array(0));
    expect(
      (await appError(openSampleSource({ kind: 'npy', path: join(dir, 'none.npy') }, imageModel))).code,
    ).toBe('DATA_EMPTY');
    const e = await appError(openSampleSource({ kind: 'npy', path: join(dir, 'none.npy') }, twoInputModel));
    expect(e.code).toBe('DATA_INVALID');
    expect(e.message).toMatch(/2 inputs/);
  });
});

describe('labels', () => {
  async function labelled(files: Record<string, string>, names = ['a', 'b', 'c']): Promise<DataSource> {
    const dir = await freshDir();
    for (const n of names) await writeNpy(join(dir, `${n}.npy`), '<f4', [3, 4, 4], floats(48));
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    return openSampleSource({ kind: 'npy', path: dir }, imageModel);
  }

  it('reads labels.txt (one per line, sorted sample order) and labels.csv (file,label)', async () => {
    expect((await labelled({ 'labels.txt': '3\n0\n7\n' })).labels).toEqual([3, 0, 7]);
    expect((await labelled({ 'labels.csv': 'file,label\nc.npy,2\na.npy,5\nb.npy,\n' })).labels).toEqual([
      5,
      null,
      2,
    ]);
    expect((await labelled({})).labels).toBeNull();
  });

  it('refuses label files that do not fit the samples', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ 'labels.txt': '1\n2\n' }, /2 labels for 3 samples/],
      [{ 'labels.txt': '1\ncat\n2\n' }, /line 2: 'cat' is not a class index/],
      [{ 'labels.csv': 'name,class\na.npy,1\n' }, /header 'file,label'/],
      [{ 'labels.csv': 'file,label\nz.npy,1\n' }, /names 'z\.npy', which is not a sample/],
      [{ 'labels.csv': 'file,label\na.npy,1\na.npy,2\n' }, /twice/],
      [{ 'labels.csv': 'file,label\n', 'labels.txt': '1\n2\n3\n' }, /keep one label file/],
    ];
    for (const [files, message] of cases) {
      const e = await appError(labelled(files));
      expect(e.code).toBe('DATA_INVALID');
      expect(e.message).toMatch(message);
    }
  });

  it('reads <stem>.labels.txt beside a stacked file', async () => {
    const dir = await freshDir();
    await writeNpy(join(dir, 'eval.npy'), '<f4', [2, 3, 4, 4], floats(96));
    await writeFile(join(dir, 'eval.labels.csv'), 'file,label\n1,4\n');
    const src = await openSampleSource({ kind: 'npy', path: join(dir, 'eval.npy') }, imageModel);
    expect(src.labels).toEqual([null, 4]);
  });
});

describe('hashing and splitting', () => {
  async function tenSamples(): Promise<string> {
    const dir = await freshDir();
    for (let i = 0; i < 10; i++) await writeNpy(join(dir, `${i}.npy`), '<f4', [3, 4, 4], floats(48, i));
    await writeFile(join(dir, 'labels.txt'), Array.from({ length: 10 }, (_, i) => String(i % 3)).join('\n'));
    return dir;
  }

  it('sha256 is stable across runs and changes when one data byte changes', async () => {
    const dir = await tenSamples();
    const a = await openSampleSource({ kind: 'npy', path: dir }, imageModel);
    const b = await openSampleSource({ kind: 'npy', path: dir }, imageModel);
    expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(b.sha256).toBe(a.sha256);
    // Documented definition: sha256 over the per-sample sha256 digests, each over that sample's file bytes.
    const digests = await Promise.all(
      Array.from({ length: 10 }, async (_, i) =>
        createHash('sha256')
          .update(await readFile(join(dir, `${i}.npy`)))
          .digest(),
      ),
    );
    expect(a.sha256).toBe(createHash('sha256').update(Buffer.concat(digests)).digest('hex'));
    const bytes = await readFile(join(dir, '4.npy'));
    bytes[bytes.length - 1]! ^= 1;
    await writeFile(join(dir, '4.npy'), bytes);
    const c = await openSampleSource({ kind: 'npy', path: dir }, imageModel);
    expect(c.sha256).not.toBe(a.sha256);
  });

  it('holds out the last ⌈20%⌉ for evaluation, with their own hashes and labels', async () => {
    const src = await openSampleSource({ kind: 'npy', path: await tenSamples() }, imageModel);
    const { calibration, evaluation, heldOut } = splitForEvaluation(src);
    expect(heldOut).toBe(true);
    expect([calibration.count, evaluation.count]).toEqual([8, 2]);
    expect(evaluation.labels).toEqual([2, 0]);
    expect(evaluation.description).toMatch(/^samples 9–10 of 10/);
    const evalFirst = (await collect(evaluation))[0]!.x!.data as Float32Array;
    expect(evalFirst[0]).toBe(8);
    expect(new Set([src.sha256, calibration.sha256, evaluation.sha256]).size).toBe(3);
    expect(splitForEvaluation(src).evaluation.sha256).toBe(evaluation.sha256);
    // Counts: ⌈n·0.2⌉ held out, at least 1, never all.
    const counts = [2, 3, 5, 15, 16].map((n) => {
      const s = splitForEvaluation(src.slice(0, Math.min(n, 10)));
      return [s.calibration.count, s.evaluation.count];
    });
    expect(counts).toEqual([
      [1, 1],
      [2, 1],
      [4, 1],
      [8, 2],
      [8, 2],
    ]);
  });

  it('with one sample, calibration and evaluation are the same sample and not held out', async () => {
    const src = await openSampleSource({ kind: 'npy', path: await tenSamples() }, imageModel, {
      maxSamples: 1,
    });
    const split = splitForEvaluation(src);
    expect(split.heldOut).toBe(false);
    expect(split.calibration.count).toBe(1);
    expect(split.evaluation.sha256).toBe(src.sha256);
  });

  it('splits a source not made here by reading through it', async () => {
    const inner = await openSampleSource({ kind: 'random', count: 5, seed: 2 }, imageModel);
    const plain: SampleSource = {
      description: 'plain',
      count: inner.count,
      sha256: inner.sha256,
      random: true,
      labels: null,
      read: (r) => inner.read(r),
    };
    const { evaluation } = splitForEvaluation(plain, 0.4);
    expect(evaluation.count).toBe(2);
    const viaSplit = (await collect(evaluation))[1]!.x!.data as Float32Array;
    const direct = (await collect(inner, { start: 4, end: 5 }))[0]!.x!.data as Float32Array;
    expect(Array.from(viaSplit)).toEqual(Array.from(direct));
    expect(() => splitForEvaluation(plain, 1)).toThrow(/between 0 and 1/);
  });

  it('refuses a read range outside the samples', async () => {
    const src = await openSampleSource({ kind: 'random', count: 3, seed: 1 }, imageModel);
    expect(() => src.read({ start: 2, end: 4 })).toThrow(/outside the 3 samples/);
  });
});

describe('random data, only when asked for', () => {
  it('is seeded, shaped from the model (symbolic dims 1), and hashed from seed and shapes', async () => {
    const model = identityModel([
      { name: 'x', type: DT.FLOAT, shape: ['N', 3, 8] },
      { name: 'ids', type: DT.INT64, shape: ['N', 4] },
    ]);
    const a = await openSampleSource({ kind: 'random', count: 4, seed: 9 }, model);
    expect(a.random).toBe(true);
    expect(a.count).toBe(4);
    expect(a.sha256).toBe(
      createHash('sha256').update('random:9:x=float32[1,3,8];ids=int64[1,4]').digest('hex'),
    );
    const samples = await collect(a);
    expect(samples[0]!.x!.dims).toEqual([1, 3, 8]);
    expect(Array.from(samples[3]!.ids!.data as BigInt64Array)).toEqual([0n, 0n, 0n, 0n]);
    const values = samples.flatMap((s) => Array.from(s.x!.data as Float32Array));
    const mean = values.reduce((p, v) => p + v, 0) / values.length;
    const sd = Math.sqrt(values.reduce((p, v) => p + (v - mean) ** 2, 0) / values.length);
    expect(Math.abs(mean)).toBeLessThan(0.3);
    expect(sd).toBeGreaterThan(0.7);
    expect(sd).toBeLessThan(1.3);
    // Same seed, same data; any range reads the same values; another seed differs.
    const b = await openSampleSource({ kind: 'random', count: 4, seed: 9 }, model);
    const late = await collect(b, { start: 2, end: 3 });
    expect(Array.from(late[0]!.x!.data as Float32Array)).toEqual(
      Array.from(samples[2]!.x!.data as Float32Array),
    );
    const c = await openSampleSource({ kind: 'random', count: 4, seed: 10 }, model);
    expect(c.sha256).not.toBe(a.sha256);
    expect((await collect(c))[0]!.x!.data).not.toEqual(samples[0]!.x!.data);
  });
});
