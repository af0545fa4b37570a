import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TensorProto_DataType as DT } from 'onnx-buf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeNpy } from '../../../../test/fixtures/npy';
import { createModelBuilder } from '../../onnx';
import { openSampleSource, splitForEvaluation } from '.';

const COUNT = 2000;
let dir: string;
const model = createModelBuilder({ opset: 13 })
  .input('x', DT.FLOAT, ['N', 16])
  .output('y', DT.FLOAT, ['N', 16])
  .node('Relu', ['x'], ['y'])
  .build();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stream-'));
  for (let i = 0; i < COUNT; i++) {
    await writeNpy(
      join(dir, 'many', `${String(i).padStart(5, '0')}.npy`),
      '<f4',
      [16],
      new Float32Array(16).fill(i),
    );
  }
  await writeNpy(
    join(dir, 'stacked.npy'),
    '<f4',
    [COUNT, 1, 16],
    Float32Array.from({ length: COUNT * 16 }, (_, k) => Math.floor(k / 16)),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('large sets stream', () => {
  it('reads 2,000 per-sample files holding one sample and one file at a time', async () => {
    const src = await openSampleSource({ kind: 'npy', path: join(dir, 'many') }, model);
    expect(src.count).toBe(COUNT);
    // Opening checked and hashed every file, one at a time, and loaded no sample.
    expect(src.stats.maxOpenFiles).toBe(1);
    expect(src.stats.samplesLoaded).toBe(0);
    let i = 0;
    for await (const s of src.read()) {
      expect(src.stats.samplesHeld).toBe(1);
      expect((s.x!.data as Float32Array)[15]).toBe(i++);
    }
    expect(i).toBe(COUNT);
    expect(src.stats).toMatchObject({
      samplesHeld: 0,
      maxSamplesHeld: 1,
      samplesLoaded: COUNT,
      openFiles: 0,
      maxOpenFiles: 1,
    });
  });

  it('releases the sample when a consumer stops early, and slices share the counters', async () => {
    const src = await openSampleSource({ kind: 'npy', path: join(dir, 'stacked.npy') }, model);
    expect(src.count).toBe(COUNT);
    const { evaluation } = splitForEvaluation(src);
    expect(evaluation.count).toBe(400);
    let seen = 0;
    for await (const s of evaluation.read()) {
      expect((s.x!.data as Float32Array)[0]).toBe(1600 + seen);
      if (++seen === 10) break;
    }
    expect(src.stats).toMatchObject({
      samplesHeld: 0,
      maxSamplesHeld: 1,
      samplesLoaded: 10,
      openFiles: 0,
      maxOpenFiles: 1,
    });
  });
});
