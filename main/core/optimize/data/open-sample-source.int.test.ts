import { execFileSync } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelProto } from 'onnx-buf';
import { TensorProto_DataType as DT } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test/fixtures/temp-dir';
import { createModelBuilder } from '../../onnx';
import type { Sample, SampleSource } from '../types';
import { openSampleSource } from '.';

const root = tempDir('samples-');
let dirCount = 0;
async function freshDir(name = 'calib'): Promise<string> {
  const dir = join(root, `case${dirCount++}`, name);
  await mkdir(dir, { recursive: true });
  return dir;
}

function imageModel(): ModelProto {
  return createModelBuilder({ opset: 13 })
    .input('x', DT.FLOAT, [1, 3, 4, 4])
    .output('x_out', DT.FLOAT, [1, 3, 4, 4])
    .node('Identity', ['x'], ['x_out'])
    .build();
}

async function collect(source: SampleSource): Promise<Sample[]> {
  const out: Sample[] = [];
  for await (const s of source.read()) out.push(s);
  return out;
}

describe('a folder of numpy-written .npy files (Debian python3-numpy)', () => {
  it('reads numpy files with and without the batch axis, bit-exactly', async () => {
    const dir = await freshDir();
    execFileSync(
      '/usr/bin/python3',
      [
        '-c',
        String.raw`
import sys, numpy as np
d = sys.argv[1]
rng = np.random.default_rng(3)
for i in range(3):
    a = rng.standard_normal((3, 4, 4)).astype(np.float32)
    np.save('%s/%03d.npy' % (d, i), a[None] if i == 1 else a)
    open('%s/%03d.raw' % (d, i), 'wb').write(a.tobytes())
`,
        dir,
      ],
      { encoding: 'utf8' },
    );
    const source = await openSampleSource({ kind: 'npy', path: dir }, imageModel());
    expect(source.count).toBe(3);
    expect(source.layout).toBe('npy-per-sample');
    expect(source.random).toBe(false);
    expect(source.labels).toBeNull();
    expect(source.description).toBe(`3 .npy files in ${dir}`);
    // The .raw files are not samples: they are skipped with a warning.
    expect(source.warnings.join('\n')).toMatch(
      /Ignored 3 entries in .*calib \(not \.npy files\): 000\.raw, 001\.raw, 002\.raw\./,
    );
    const samples = await collect(source);
    for (const [i, s] of samples.entries()) {
      const t = s.x!;
      expect(t.type).toBe('float32');
      expect(t.dims).toEqual([1, 3, 4, 4]);
      const want = await readFile(join(dir, `00${i}.raw`));
      const got = t.data as Float32Array;
      expect(Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(want)).toBe(true);
    }
    expect(source.stats.openFiles).toBe(0);
  });
});
