import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../../shared/errors';
import { encodeNpy } from '../../../../test/fixtures/npy';
import { createDataStats } from './data-stats';
import { readNpyElements, readNpyHeader } from './npy-file';

const PYTHON = '/usr/bin/python3';

// numpy writes every dtype EdgeFleet reads, in format versions 1.0, 2.0 and 3.0, plus the raw bytes of each
// array, so our reader is checked against numpy itself, bit for bit.
const script = String.raw`
import sys, json, numpy as np
from numpy.lib import format as fmt
out = sys.argv[1]
rng = np.random.default_rng(0)
dtypes = ['<f4', '<f2', '<f8', '<i8', '<i4', '|u1', '|i1', '|b1', '<i2', '<u2', '<u4', '<u8']
cases = []
for d in dtypes:
    for shape in [(2, 3, 4), (5,), (1, 3, 2, 2), ()]:
        dt = np.dtype(d)
        if dt.kind == 'f':
            a = (rng.standard_normal(shape) * 100).astype(dt)
            if a.size >= 3:
                a.flat[0] = np.nan; a.flat[1] = -np.inf; a.flat[2] = -0.0
        elif dt.kind == 'b':
            a = rng.integers(0, 2, shape).astype(dt)
        else:
            info = np.iinfo(dt)
            a = rng.integers(info.min, info.max, shape, dtype=dt, endpoint=True)
        for v in [(1, 0), (2, 0), (3, 0)]:
            name = '%s_%s_v%d' % (d.replace('<', 'le').replace('|', 'na'), 'x'.join(map(str, shape)) or 'scalar', v[0])
            with open('%s/%s.npy' % (out, name), 'wb') as f:
                fmt.write_array(f, a, version=v)
            with open('%s/%s.bin' % (out, name), 'wb') as f:
                f.write(a.tobytes())
            cases.append({'name': name, 'descr': a.dtype.str, 'shape': list(a.shape), 'version': '%d.0' % v[0]})
np.save(out + '/default.npy', np.arange(6, dtype=np.float32).reshape(2, 3))
np.save(out + '/fortran.npy', np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
np.save(out + '/bigendian.npy', np.arange(6, dtype='>f4'))
np.save(out + '/structured.npy', np.zeros(3, dtype=[('a', '<f4'), ('b', '<i4')]))
np.save(out + '/complex.npy', np.zeros(3, dtype=np.complex64))
np.save(out + '/strings.npy', np.array(['a', 'bc']))
print(json.dumps(cases))
`;

type Case = { name: string; descr: string; shape: number[]; version: string };

let dir: string;
let cases: Case[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'npy-'));
  cases = JSON.parse(execFileSync(PYTHON, ['-c', script, dir], { encoding: 'utf8' })) as Case[];
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function expectDataInvalid(path: string, message: RegExp) {
  const err = await readNpyHeader(path, 'f.npy', createDataStats()).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe('DATA_INVALID');
  expect((err as AppError).message).toMatch(message);
}

describe('npy reader against numpy', () => {
  it('reads every dtype, shape and format version bit-exactly', async () => {
    expect(cases.length).toBe(12 * 4 * 3);
    const stats = createDataStats();
    for (const c of cases) {
      const file = await readNpyHeader(join(dir, `${c.name}.npy`), c.name, stats);
      expect(file.shape, c.name).toEqual(c.shape);
      expect(file.version, c.name).toBe(c.version);
      expect(file.descr, c.name).toBe(c.descr);
      const count = c.shape.reduce((a, b) => a * b, 1);
      const data = await readNpyElements(file, 0, count, stats);
      const want = await readFile(join(dir, `${c.name}.bin`));
      expect(Buffer.from(data.buffer, data.byteOffset, data.byteLength).equals(want), c.name).toBe(true);
    }
    expect(stats.openFiles).toBe(0);
    expect(stats.maxOpenFiles).toBe(1);
  });

  it('maps dtypes to ORT element types', async () => {
    const stats = createDataStats();
    const typeOf = async (name: string) => (await readNpyHeader(join(dir, `${name}.npy`), name, stats)).type;
    expect(await typeOf('lef4_2x3x4_v1')).toBe('float32');
    expect(await typeOf('lef2_2x3x4_v2')).toBe('float16');
    expect(await typeOf('lef8_5_v3')).toBe('float64');
    expect(await typeOf('lei8_5_v1')).toBe('int64');
    expect(await typeOf('nab1_5_v1')).toBe('bool');
    expect(await typeOf('nau1_5_v1')).toBe('uint8');
    expect(await typeOf('nai1_5_v1')).toBe('int8');
  });

  it('reads a slice of elements by seeking (a stacked file)', async () => {
    const stats = createDataStats();
    const file = await readNpyHeader(join(dir, 'default.npy'), 'default.npy', stats);
    expect(file.shape).toEqual([2, 3]);
    const second = await readNpyElements(file, 3, 3, stats);
    expect(Array.from(second as Float32Array)).toEqual([3, 4, 5]);
  });
});

describe('npy reader refuses bad files clearly', () => {
  it('refuses Fortran order, big-endian, structured, complex and string arrays', async () => {
    await expectDataInvalid(join(dir, 'fortran.npy'), /Fortran.*ascontiguousarray/);
    await expectDataInvalid(join(dir, 'bigendian.npy'), /big-endian/);
    await expectDataInvalid(join(dir, 'structured.npy'), /structured/);
    await expectDataInvalid(join(dir, 'complex.npy'), /'<c8'.*not read/);
    await expectDataInvalid(join(dir, 'strings.npy'), /'<U2'.*not read/);
  });

  it('refuses a bad magic, a truncated file, trailing bytes and header garbage', async () => {
    const good = await readFile(join(dir, 'default.npy'));
    const write = async (name: string, bytes: Uint8Array) => {
      await writeFile(join(dir, name), bytes);
      return join(dir, name);
    };
    const badMagic = Buffer.from(good);
    badMagic[1] = 0x58;
    await expectDataInvalid(await write('magic.npy', badMagic), /magic/);
    await expectDataInvalid(
      await write('trunc.npy', good.subarray(0, good.length - 1)),
      /truncated.*24 bytes.*holds 23/,
    );
    await expectDataInvalid(await write('trunc-head.npy', good.subarray(0, 40)), /ends inside the header/);
    await expectDataInvalid(await write('short.npy', good.subarray(0, 5)), /magic/);
    await expectDataInvalid(
      await write('trailing.npy', Buffer.concat([good, Buffer.from([1, 2, 3, 4])])),
      /4 bytes after/,
    );
    await expectDataInvalid(await write('empty.npy', new Uint8Array(0)), /magic/);
    const version9 = Buffer.from(good);
    version9[6] = 9;
    await expectDataInvalid(await write('v9.npy', version9), /version 9\.0 is unknown/);
    const garbage = Buffer.from(good);
    garbage.write("{'descr': os.system('x')", 10, 'latin1');
    await expectDataInvalid(await write('garbage.npy', garbage), /not a Python dict literal/);
    const noShape = encodeNpy('<f4', [2], new Float32Array(2));
    const text = Buffer.from(noShape).toString('latin1').replace("'shape': (2,)", "'shapf': (2,)");
    await expectDataInvalid(await write('noshape.npy', Buffer.from(text, 'latin1')), /shape is not a tuple/);
  });

  it('names a missing file FILE_NOT_FOUND', async () => {
    const err = await readNpyHeader(join(dir, 'nope.npy'), 'calib/nope.npy', createDataStats()).catch(
      (e: unknown) => e,
    );
    expect((err as AppError).code).toBe('FILE_NOT_FOUND');
    expect((err as AppError).message).toContain('calib/nope.npy');
  });

  it('reads files our own fixture writer makes (v1 and v2)', async () => {
    for (const version of [1, 2] as const) {
      const path = join(dir, `fixture-v${version}.npy`);
      await writeFile(path, encodeNpy('<i4', [2, 2], new Int32Array([1, -2, 3, -4]), { version }));
      const stats = createDataStats();
      const file = await readNpyHeader(path, 'f', stats);
      expect(file.dataOffset % 64).toBe(0);
      expect(Array.from((await readNpyElements(file, 0, 4, stats)) as Int32Array)).toEqual([1, -2, 3, -4]);
    }
    // numpy loads what the fixture writer wrote.
    const loaded = execFileSync(
      PYTHON,
      [
        '-c',
        'import sys, numpy as np; a = np.load(sys.argv[1]); print(a.dtype.str, a.shape, a.tolist())',
        join(dir, 'fixture-v2.npy'),
      ],
      { encoding: 'utf8' },
    );
    expect(loaded.trim()).toBe('<i4 (2, 2) [[1, -2], [3, -4]]');
  });
});
