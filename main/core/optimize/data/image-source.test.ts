import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelProto } from 'onnx-buf';
import { TensorProto_DataType as DT } from 'onnx-buf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../../shared/errors';
import { imagePreprocessSchema, type ImagePreprocess } from '../../../../shared/schemas/optimize';
import { writeImage } from '../../../../test/fixtures/images';
import { createModelBuilder, type DimSpec } from '../../onnx';
import type { Sample, SampleSource } from '../types';
import { openSampleSource } from '.';

let root: string;
let n = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'images-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function freshDir(): Promise<string> {
  const dir = join(root, `case${n++}`, 'images');
  await mkdir(dir, { recursive: true });
  return dir;
}

function model(shape: DimSpec[], inputs = 1): ModelProto {
  const b = createModelBuilder({ opset: 13 });
  for (let i = 0; i < inputs; i++) {
    b.input(`x${i || ''}`, DT.FLOAT, shape)
      .output(`y${i || ''}`, DT.FLOAT, shape)
      .node('Identity', [`x${i || ''}`], [`y${i || ''}`]);
  }
  return b.build();
}

const pre = (p: Partial<ImagePreprocess> = {}): ImagePreprocess => imagePreprocessSchema.parse(p);

async function collect(source: SampleSource): Promise<Sample[]> {
  const out: Sample[] = [];
  for await (const s of source.read()) out.push(s);
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

// A 2×2 RGB image: pixels in row-major order.
const PIXELS = [
  [10, 20, 30],
  [40, 50, 60],
  [70, 80, 90],
  [255, 0, 128],
];
const IMAGENET = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

describe('a folder of images', () => {
  it('decodes a PNG, normalizes per channel and lays it out NCHW (checked by hand)', async () => {
    const dir = await freshDir();
    await writeImage(join(dir, 'a.png'), Uint8Array.from(PIXELS.flat()), 2, 2, 'png');
    const src = await openSampleSource(
      { kind: 'images', path: dir, preprocess: pre(IMAGENET) },
      model([1, 3, 2, 2]),
    );
    expect(src.layout).toBe('images');
    expect(src.description).toBe(`1 image in ${dir} (NCHW 2×2)`);
    const [s] = await collect(src);
    const t = s!.x!;
    expect(t.dims).toEqual([1, 3, 2, 2]);
    const data = t.data as Float32Array;
    // By hand: R of pixel 0 = (10/255 − 0.485) / 0.229; B of pixel 3 = (128/255 − 0.406) / 0.225.
    expect(data[0]).toBeCloseTo(-1.946657, 5);
    expect(data[2 * 4 + 3]).toBeCloseTo(0.426492, 5);
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < 4; p++) {
        const want = (PIXELS[p]![c]! / 255 - IMAGENET.mean[c]!) / IMAGENET.std[c]!;
        expect(data[c * 4 + p]).toBeCloseTo(want, 6);
      }
    }
  });

  it('swaps to BGR and lays out NHWC; mean/std index the model channel', async () => {
    const dir = await freshDir();
    await writeImage(join(dir, 'a.png'), Uint8Array.from(PIXELS.flat()), 2, 2, 'png');
    const mean = [100, 110, 120];
    const std = [2, 4, 8];
    const src = await openSampleSource(
      {
        kind: 'images',
        path: dir,
        preprocess: pre({ layout: 'NHWC', channelOrder: 'BGR', scale: 1, mean, std }),
      },
      model(['N', 2, 2, 3]),
    );
    const data = (await collect(src))[0]!.x!.data as Float32Array;
    expect((await collect(src))[0]!.x!.dims).toEqual([1, 2, 2, 3]);
    // Pixel 3 is (255, 0, 128): BGR → (128, 0, 255).
    expect(Array.from(data.subarray(9, 12))).toEqual([(128 - 100) / 2, (0 - 110) / 4, (255 - 120) / 8]);
    for (let p = 0; p < 4; p++) {
      for (let c = 0; c < 3; c++) {
        expect(data[p * 3 + c]).toBeCloseTo((PIXELS[p]![2 - c]! - mean[c]!) / std[c]!, 6);
      }
    }
  });

  it('reads JPEG, grey and RGBA images and resizes to the model size, in sorted order', async () => {
    const dir = await freshDir();
    const flat = (w: number, h: number, px: number[]) =>
      Uint8Array.from({ length: w * h * px.length }, (_, i) => px[i % px.length]!);
    await writeImage(join(dir, '1-photo.jpg'), flat(16, 16, [200, 100, 50]), 16, 16, 'jpeg');
    await writeImage(join(dir, '2-grey.png'), flat(8, 6, [77]), 8, 6, 'png', 1);
    await writeImage(join(dir, '3-alpha.PNG'), flat(4, 4, [1, 2, 3, 0]), 4, 4, 'png', 4);
    await writeFile(join(dir, 'notes.txt'), 'not an image');
    await writeFile(join(dir, 'labels.txt'), '5\n6\n7\n');
    const src = await openSampleSource(
      { kind: 'images', path: dir, preprocess: pre({ scale: 1 }) },
      model([1, 3, 4, 4]),
    );
    expect(src.count).toBe(3);
    expect(src.labels).toEqual([5, 6, 7]);
    expect(src.warnings).toEqual([`Ignored 1 entry in ${dir} (not PNG/JPEG images): notes.txt.`]);
    const [jpeg, grey, alpha] = (await collect(src)).map((s) => s.x!.data as Float32Array);
    // A flat colour survives JPEG (within a level or two) and resizing (exactly).
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < 16; p++)
        expect(Math.abs(jpeg![c * 16 + p]! - [200, 100, 50][c]!)).toBeLessThanOrEqual(2);
    }
    expect(new Set(grey)).toEqual(new Set([77]));
    expect(Array.from(alpha!.subarray(0, 1))).toEqual([1]);
    expect(alpha![16]).toBe(2);
    expect(alpha![32]).toBe(3);
  });

  it('a size given by preprocess.resize feeds a model with symbolic height and width', async () => {
    const dir = await freshDir();
    await writeImage(join(dir, 'a.png'), new Uint8Array(10 * 10 * 3).fill(9), 10, 10, 'png');
    const src = await openSampleSource(
      { kind: 'images', path: dir, preprocess: pre({ resize: [6, 4], scale: 1 }) },
      model(['N', 3, 'H', 'W']),
    );
    const t = (await collect(src))[0]!.x!;
    expect(t.dims).toEqual([1, 3, 6, 4]);
    expect(new Set(t.data as Float32Array)).toEqual(new Set([9]));
  });

  it('refuses models and settings images cannot feed, saying what to do', async () => {
    const dir = await freshDir();
    await writeImage(join(dir, 'a.png'), new Uint8Array(12), 2, 2, 'png');
    const spec = (p: Partial<ImagePreprocess> = {}) => ({
      kind: 'images' as const,
      path: dir,
      preprocess: pre(p),
    });
    const cases: [() => Promise<unknown>, RegExp][] = [
      [
        () => openSampleSource(spec(), model([1, 3, 2, 2], 2)),
        /one image input, but this model has 2 inputs/,
      ],
      [
        () => openSampleSource(spec(), model([1, 2, 2, 3])),
        /expects float32 \[1,2,2,3\] \(batch 1 optional\); images preprocessed as NCHW .*Set the layout to NHWC/,
      ],
      [
        () => openSampleSource(spec(), model([1, 3, 'H', 'W'])),
        /symbolic: give the size with preprocess\.resize/,
      ],
      [
        () => openSampleSource(spec({ resize: [3, 3] }), model([1, 3, 2, 2])),
        /resize \[3,3\] does not match the model's size \[2,2\]/,
      ],
      [() => openSampleSource(spec(), model([4, 3, 2, 2])), /batch of 1/],
      [() => openSampleSource(spec(), model([1, 3, 2])), /not a rank-4 image tensor/],
    ];
    for (const [open, message] of cases) {
      const e = await appError(open());
      expect(e.code).toBe('DATA_SHAPE_MISMATCH');
      expect(e.message).toMatch(message);
    }
    const badMean = await appError(openSampleSource(spec({ mean: [1, 2] }), model([1, 3, 2, 2])));
    expect(badMean.message).toMatch(/mean needs 1 or 3 values/);
  });

  it('refuses a broken image before any work, and an empty folder', async () => {
    const dir = await freshDir();
    const m = model([1, 3, 2, 2]);
    expect((await appError(openSampleSource({ kind: 'images', path: dir, preprocess: pre() }, m))).code).toBe(
      'DATA_EMPTY',
    );
    await writeImage(join(dir, 'a.png'), new Uint8Array(12), 2, 2, 'png');
    await writeFile(join(dir, 'b.jpg'), 'definitely not a jpeg');
    const e = await appError(openSampleSource({ kind: 'images', path: dir, preprocess: pre() }, m));
    expect(e.code).toBe('DATA_INVALID');
    expect(e.message).toMatch(/^images\/b\.jpg is not a readable image/);
  });
});
